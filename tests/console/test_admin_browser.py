"""Administrators in Chromium (issue 22, point 7), in English and French, on SQLite and
PostgreSQL: each account action and the settings page, checked in the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.accounts import service as accounts
from moderation.audit.models import AuditEntry
from tests.console.conftest import PASSWORD
from tests.console.live import serve
from tests.console.test_browser import WAIT, _live
from tests.console.test_featured import log_in

pytestmark = pytest.mark.browser

TEXTS = {
    "en-GB": {"disabled": "disabled", "enable": "Enable", "one_time": "One-time password for",
              "console": "set in the console", "file": "configuration file", "forbidden": "Only administrators",
              "error": "The window must be a number of hours"},
    "fr-CH": {"disabled": "désactivé", "enable": "Réactiver", "one_time": "Mot de passe à usage unique pour",
              "console": "défini dans la console", "file": "fichier de configuration",
              "forbidden": "Seuls les administrateurs", "error": "La durée doit être un nombre d’heures"},
}


@pytest.fixture
def live(committed_runtime, monkeypatch):
    app = _live(committed_runtime, monkeypatch, poll_seconds=600.0)
    with committed_runtime.db.transaction() as session:
        accounts.create_account(session, "root@example.ch", "Root", "admin", committed_runtime.now(),
                                password=PASSWORD)
    with serve(app) as url:
        yield committed_runtime, url


def audit_actions(runtime):
    with runtime.db.transaction(write=False) as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.mark.parametrize("locale", ["en-GB", "fr-CH"])
def test_an_admin_manages_accounts_and_settings_in_the_browser(live, browser, locale):
    from playwright.sync_api import expect

    runtime, url = live
    text = TEXTS[locale]
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        log_in(page, url, "root@example.ch")
        page.goto(f"{url}/console/accounts")
        form = page.locator("form.new-account")
        form.locator("input[name=email]").fill("carla@example.ch")
        form.locator("input[name=name]").fill("Carla")
        form.locator("select[name=role]").select_option("moderator")
        form.locator("button[type=submit]").click()
        expect(page.locator(".one-time")).to_contain_text(text["one_time"])
        assert len(page.locator("#one-time-password").inner_text().strip()) == 16
        row = page.locator("tr[data-email='carla@example.ch']")
        # Disable, enable.
        row.locator("form[action$='/accounts/disable'] button").click()
        expect(page.locator("tr[data-email='carla@example.ch'] .state")).to_contain_text(text["disabled"])
        page.locator("tr[data-email='carla@example.ch'] form[action$='/accounts/enable'] button").click()
        expect(page.locator("tr[data-email='carla@example.ch'] form[action$='/accounts/disable']")).to_have_count(1)
        # Reset: a new one-time password, shown once.
        page.locator("tr[data-email='carla@example.ch'] form[action$='/accounts/reset'] button").click()
        expect(page.locator(".one-time")).to_contain_text("carla@example.ch")
        # Role.
        page.locator("tr[data-email='carla@example.ch'] select[name=role]").select_option("admin")
        page.locator("tr[data-email='carla@example.ch'] form.role-form button").click()
        expect(page.locator("tr[data-email='carla@example.ch'] select[name=role]")).to_have_value("admin")
        # Settings: a wrong window is explained on the form, in the page's language.
        page.goto(f"{url}/console/settings")
        window = page.locator("#setting-close_after_hours")
        expect(window.locator(".source")).to_contain_text(text["file"])
        window.locator("input[name=close_after_hours]").fill("bientôt")
        window.locator("button[name=save]").click()
        expect(page.locator("#setting-close_after_hours .field-error")).to_contain_text(text["error"])
        page.locator("#setting-close_after_hours input[name=close_after_hours]").fill("24")
        page.locator("#setting-close_after_hours button[name=save]").click()
        expect(page.locator("#setting-close_after_hours .source")).to_contain_text(text["console"])
        words = page.locator("#setting-banned_words")
        words.locator("textarea").fill("arnaque\nescroc")
        words.locator("button[name=save]").click()
        expect(page.locator("#setting-banned_words .source")).to_contain_text(text["console"])
        assert runtime.effective_settings.review.banned_words == ["arnaque", "escroc"]
        page.locator("#setting-close_after_hours button[name=reset]").click()
        expect(page.locator("#setting-close_after_hours .source")).to_contain_text(text["file"])
        assert runtime.policy.close_after_hours == runtime.settings.closing.close_after_hours
        assert audit_actions(runtime) == ["account_create", "account_disable", "account_enable", "account_reset",
                                          "account_role", "setting_change", "setting_change", "setting_reset"]
    finally:
        context.close()
    # A moderator gets the 403 page.
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        log_in(page, url, "alice@example.ch")
        response = page.goto(f"{url}/console/accounts")
        assert response.status == 403
        expect(page.locator("main")).to_contain_text(text["forbidden"])
    finally:
        context.close()


def test_no_serious_accessibility_violations_on_the_admin_pages(live, browser):
    from axe_playwright_python.sync_playwright import Axe

    from tests.console.test_browser import _serious
    from tests.factories import make_article, make_comment

    runtime, url = live
    article = make_article(runtime, "a-1", title="Votations")
    make_comment(runtime, article, status="approved", body="Un avis à mettre en avant.")
    context = browser.new_context(locale="fr-CH")
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        log_in(page, url, "root@example.ch")
        axe, found = Axe(), {}
        for name, path in {"accounts": "/console/accounts", "settings": "/console/settings",
                           "approved": "/console/queue?tab=approved", "thread": f"/console/articles/{article}"}.items():
            page.goto(url + path)
            found[name] = _serious(axe.run(page))
        page.goto(url + "/console/settings")  # a form showing its error
        page.locator("#setting-close_after_hours input[name=close_after_hours]").fill("bientôt")
        page.locator("#setting-close_after_hours button[name=save]").click()
        page.locator("#setting-close_after_hours .field-error").wait_for()
        found["settings with an error"] = _serious(axe.run(page))
        assert all(not problems for problems in found.values()), found
    finally:
        context.close()
