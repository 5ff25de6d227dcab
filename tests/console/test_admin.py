"""Administrators in the console (issue 22, point 7), through the test client: accounts
(create with a one-time password, disable, enable, reset, role) and the editable settings,
each audited; moderators get the 403 page; errors are shown on the form in the console's
language. The browser tests are in test_admin_browser.py."""
import re

import pytest
from sqlalchemy import select

from moderation.accounts.models import Account
from moderation.audit.models import AuditEntry
from tests.console.conftest import login, make_account


def audit(runtime, *actions):
    with runtime.db.transaction(write=False) as session:
        return [(e.actor, e.action, e.details) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id))]


def account(runtime, email):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(Account).where(Account.email == email))


@pytest.mark.parametrize("path", ["/console/accounts", "/console/settings"])
def test_moderators_get_the_403_page(console, path):
    response = console.get(path)
    assert response.status_code == 403 and "Only administrators may do this." in response.get_data(as_text=True)
    assert console.post("/console/accounts", {"email": "x@example.ch", "name": "X", "role": "admin"}).status_code == 403
    assert console.post("/console/settings/banned_words", {"words": "x"}).status_code == 403
    assert console.post("/console/accounts/role", {"email": "alice@example.ch", "role": "admin"}).status_code == 403


def test_create_shows_a_one_time_password_once_that_must_be_changed(admin_console, app, runtime):
    response = admin_console.post("/console/accounts", {"email": "Carla@Example.ch", "name": "Carla",
                                                        "role": "moderator"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert password not in admin_console.get("/console/accounts").get_data(as_text=True)
    assert account(runtime, "carla@example.ch").must_change_password
    carla = app.test_client()
    assert login(carla, "carla@example.ch", password).status_code == 302
    assert carla.get("/console/queue").headers["Location"].endswith("/console/account/password")
    assert audit(runtime, "account_create") == [
        ("user:root@example.ch", "account_create", {"email": "carla@example.ch", "role": "moderator"})]


def test_disable_enable_reset_and_role_are_audited(admin_console, runtime, app):
    make_account(runtime, "dora@example.ch")
    dora = app.test_client()
    assert login(dora, "dora@example.ch").status_code == 302
    assert admin_console.post("/console/accounts/disable", {"email": "dora@example.ch"}).status_code == 302
    assert account(runtime, "dora@example.ch").disabled_at is not None
    assert dora.get("/console/queue").status_code == 302  # her session ended
    assert admin_console.post("/console/accounts/enable", {"email": "dora@example.ch"}).status_code == 302
    assert account(runtime, "dora@example.ch").disabled_at is None
    reset = admin_console.post("/console/accounts/reset", {"email": "dora@example.ch"})
    assert reset.status_code == 200 and 'id="one-time-password"' in reset.get_data(as_text=True)
    assert account(runtime, "dora@example.ch").must_change_password
    role = admin_console.post("/console/accounts/role", {"email": "dora@example.ch", "role": "admin"})
    assert role.status_code == 302
    assert account(runtime, "dora@example.ch").role == "admin"
    actions = [a for _, a, _ in audit(runtime, "account_disable", "account_enable", "account_reset", "account_role")]
    assert actions == ["account_disable", "account_enable", "account_reset", "account_role"]


def test_an_admin_cannot_disable_or_demote_themselves(admin_console, runtime):
    for action, data in (("disable", {}), ("role", {"role": "moderator"})):
        response = admin_console.post(f"/console/accounts/{action}", {"email": "root@example.ch", **data},
                                      follow_redirects=True)
        assert "You cannot do this to your own account." in response.get_data(as_text=True)
    me = account(runtime, "root@example.ch")
    assert me.role == "admin" and me.disabled_at is None


def test_account_form_errors_are_shown_in_french(admin_console, runtime):
    make_account(runtime, "eve@example.ch")
    admin_console.post("/console/account/language", {"language": "fr"})
    bad = admin_console.post("/console/accounts", {"email": "", "name": "", "role": "admin"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Saisissez une adresse e-mail." in html and "Saisissez le nom affiché dans la console." in html
    taken = admin_console.post("/console/accounts", {"email": "eve@example.ch", "name": "Eve", "role": "admin"})
    assert taken.status_code == 409
    assert "Un compte existe déjà pour cette adresse e-mail." in taken.get_data(as_text=True)


def test_settings_are_saved_win_over_the_file_and_reset(admin_console, runtime):
    page = admin_console.get("/console/settings").get_data(as_text=True)
    assert "wins over the file" in page and "configuration file" in page
    words = admin_console.post("/console/settings/banned_words", {"words": "arnaque\n\n escroc \narnaque"})
    assert words.status_code == 302
    assert runtime.effective_settings.review.banned_words == ["arnaque", "escroc"]
    assert admin_console.post("/console/settings/auto_reject_above", {"thresholds": "toxicity = 0.9\ninsult: 0.95"}) \
        .status_code == 302
    assert runtime.effective_settings.scoring.auto_reject_above == {"toxicity": 0.9, "insult": 0.95}
    assert admin_console.post("/console/settings/close_after_hours", {"close_after_hours": "48,5"}).status_code == 302
    assert runtime.policy.close_after_hours == 48.5
    page = admin_console.get("/console/settings").get_data(as_text=True)
    assert "set in the console" in page and "48.5" in page
    assert admin_console.post("/console/settings/close_after_hours", {"reset": "1"}).status_code == 302
    assert runtime.policy.close_after_hours == runtime.settings.closing.close_after_hours
    assert [a for _, a, _ in audit(runtime, "setting_change", "setting_reset")] == \
        ["setting_change", "setting_change", "setting_change", "setting_reset"]


@pytest.mark.parametrize("name, data, message", [
    ("close_after_hours", {"close_after_hours": "soon"}, "La durée doit être un nombre d’heures"),
    ("close_after_hours", {"close_after_hours": ""}, "Saisissez un nombre d’heures."),
    ("auto_approve_below", {"thresholds": "toxicity = 2"}, "le seuil doit être un nombre entre 0 et 1"),
    ("auto_approve_below", {"thresholds": "Toxicity!"}, "écrivez classe = seuil"),
    ("suspect_words", {"words": "x" * 101}, "est plus long que 100 caractères"),
    ("banned_words", {"words": "arnaque\n\u200b"}, "n’est fait que de caractères invisibles"),
])
def test_settings_errors_are_shown_on_the_form_in_french(admin_console, runtime, name, data, message):
    admin_console.post("/console/account/language", {"language": "fr"})
    response = admin_console.post(f"/console/settings/{name}", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert audit(runtime, "setting_change") == []


def test_a_form_without_the_csrf_token_is_refused(admin_console):
    response = admin_console.client.post("/console/settings/banned_words", data={"words": "x"})
    assert response.status_code == 400
    assert admin_console.client.post("/console/accounts", data={"email": "x@example.ch", "name": "X",
                                                                "role": "admin"}).status_code == 400


@pytest.mark.parametrize("action", ["disable", "enable", "reset", "role"])
def test_a_nul_in_an_account_actions_email_is_a_400_not_a_500(admin_console, action):
    """PostgreSQL refuses NUL in text: the form must, before any query (found by an attack)."""
    response = admin_console.post(f"/console/accounts/{action}", {"email": "a\x00b@example.ch", "role": "moderator"})
    assert response.status_code == 400
