"""Featuring comments in the console (issue 22, point 6): f on an approved card and the button
on the thread page, in English and French; the public thread then says featured. A server-side
test checks that a card that is not approved cannot be featured."""
from __future__ import annotations

import pytest
import requests

from tests.console.conftest import PASSWORD, Console, login, make_account
from tests.console.live import serve
from tests.console.test_browser import WAIT, _live, card
from tests.factories import make_article, make_comment


@pytest.fixture
def live(committed_runtime, monkeypatch):
    app = _live(committed_runtime, monkeypatch, poll_seconds=600.0)
    with serve(app) as url:
        yield committed_runtime, url


def open_page(browser, locale):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    return context, page


def log_in(page, url, email):
    """Signs in whatever the page's language (live.log_in finds the English labels)."""
    page.goto(f"{url}/console/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{url}/console/queue")


def public_featured(url, article):
    response = requests.get(f"{url}/api/v1/articles/{article}/comments?featured=first", timeout=30)
    assert response.status_code == 200
    return [(c["id"], c["featured"]) for c in response.json()["comments"]]


@pytest.mark.browser
@pytest.mark.parametrize("locale, feature, unfeature, badge", [
    ("en-GB", "Feature", "Unfeature", "featured"),
    ("fr-CH", "Mettre en avant", "Retirer la mise en avant", "mis en avant")])
def test_f_features_an_approved_card_and_the_thread_page_unfeatures_it(live, browser, locale, feature,
                                                                      unfeature, badge):
    from playwright.sync_api import expect

    runtime, url = live
    article = make_article(runtime, "a-1", title="Votations")
    first = make_comment(runtime, article, status="approved", body="Un premier avis.").id
    best = make_comment(runtime, article, status="approved", body="Le meilleur avis.").id
    context, page = open_page(browser, locale)
    try:
        log_in(page, url, "alice@example.ch")
        page.goto(f"{url}/console/queue?tab=approved")
        target = card(page, best)
        expect(target.locator(".feature-button")).to_contain_text(feature)
        target.click(position={"x": 5, "y": 5})  # focuses the card, as j would
        page.keyboard.press("f")
        expect(card(page, best).locator(".badge.featured")).to_contain_text(badge)
        expect(card(page, best).locator(".feature-button")).to_contain_text(unfeature)
        assert public_featured(url, article) == [(best, True), (first, False)]
        # The thread page: its button takes the pick back.
        page.goto(f"{url}/console/articles/{article}")
        row = page.locator(f"#c{best}")
        expect(row.locator(".badge.featured")).to_contain_text(badge)
        row.locator(".feature-button").click()
        expect(page.locator(f"#c{best} .feature-button")).to_contain_text(feature)
        expect(page.locator(f"#c{best} .badge.featured")).to_have_count(0)
        assert public_featured(url, article) == [(first, False), (best, False)]
    finally:
        context.close()


def test_a_pending_comment_cannot_be_featured_from_the_console(client, runtime):
    article = make_article(runtime, "a-1")
    waiting = make_comment(runtime, article)
    account = make_account(runtime, "alice@example.ch")
    assert login(client, "alice@example.ch").status_code == 302
    console = Console(client, account)
    response = console.post(f"/console/comments/{waiting.id}/featured", {"featured": "1", "mode": "waiting"},
                            htmx=True)
    assert response.status_code == 409
    assert "Only an approved comment can be featured." in response.get_data(as_text=True)
