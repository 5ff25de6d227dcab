"""The console in headless Chromium (Debian's package) driven by Playwright, against the real
app served over HTTP, on SQLite and PostgreSQL. Decisions are checked through the JSON API.

These tests fail instead of skipping when MODERATION_REQUIRE_BROWSER=1 (CI) and no browser
is available. Waits are Playwright's expectations with generous deadlines, never sleeps.
"""
from __future__ import annotations

import re

import pytest
import requests

from moderation.accounts import service as accounts
from moderation.app import create_app
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.console.conftest import PASSWORD
from tests.console.live import log_in, serve, watched_page
from tests.factories import make_article, make_comment, make_key

pytestmark = pytest.mark.browser
WAIT = 15_000  # ms: generous, for a busy machine


class Live:
    def __init__(self, runtime, base_url):
        self.runtime, self.url = runtime, base_url
        self.moderator_key = make_key(runtime, "moderator", "api-moderator")
        self.frontend_key = make_key(runtime, "frontend", "site")

    def api(self, method, path, key=None, **kwargs):
        response = requests.request(method, f"{self.url}/api/v1{path}", timeout=30,
                                    headers={"Authorization": f"Bearer {key or self.moderator_key}"}, **kwargs)
        return response

    def log(self, comment_id):
        response = self.api("GET", f"/moderation/log?comment_id={comment_id}")
        assert response.status_code == 200, response.text
        return response.json()["entries"]

    def queue_ids(self):
        return [item["comment"]["id"] for item in self.api("GET", "/moderation/queue?limit=100").json()["items"]]


def _live(committed_runtime, monkeypatch, **console_settings):
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    if console_settings:
        committed_runtime.settings = committed_runtime.settings.replace(console=console_settings)
    for email, name in (("alice@example.ch", "Alice"), ("bob@example.ch", "Bob")):
        with committed_runtime.db.transaction() as session:
            accounts.create_account(session, email, name, "moderator", committed_runtime.now(), password=PASSWORD)
    return create_app(runtime=committed_runtime)


@pytest.fixture
def live(committed_runtime, monkeypatch):
    app = _live(committed_runtime, monkeypatch, poll_seconds=600.0)
    with serve(app) as url:
        yield Live(committed_runtime, url)


@pytest.fixture
def live_polling(committed_runtime, monkeypatch):
    app = _live(committed_runtime, monkeypatch, poll_seconds=2.0)
    with serve(app) as url:
        yield Live(committed_runtime, url)


@pytest.fixture
def page(browser):
    with watched_page(browser, "en-GB", WAIT) as (page, problems):
        yield page
    csp = [text for _kind, text in problems
           if "Content Security Policy" in text or "dialog opened" in text or "ReferenceError" in text]
    assert not csp, csp


def scored_comments(runtime, article, bodies, author_id=None):
    ids = [make_comment(runtime, article, body=body, author_id=author_id).id for body in bodies]
    score_pending(runtime, FakeScorer(), None, "browser-test")  # fake scores: real weights cannot load here
    return ids


def card(page, comment_id):
    return page.locator(f"#card-{comment_id}")


def test_keyboard_decisions_undo_and_logout(live, page):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1", title="Votations")
    calm, mild, rude, ruder = scored_comments(live.runtime, article, [
        "Merci pour cet article.", "Un peu nul.", "C'est nul et stupide.", "Idiot, stupide, nul, crétin."])
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    # Most toxic first.
    ids = [int(i) for i in page.locator("#cards .card").evaluate_all("cards => cards.map(c => c.dataset.id)")]
    assert ids == [ruder, rude, mild, calm]
    # j j a: the first j focuses the first card, the second j the second card, a approves it.
    page.keyboard.press("j")
    expect(card(page, ruder)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(card(page, rude)).to_have_attribute("data-mode", "decided")
    expect(card(page, mild)).to_be_focused()
    assert [(e["action"], e["actor"]) for e in live.log(rude)] == [("approve", "user:alice@example.ch")]
    # r 3 Enter: rejects the focused card as spam.
    page.keyboard.press("r")
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    expect(card(page, mild)).to_have_attribute("data-mode", "decided")
    expect(card(page, calm)).to_be_focused()
    assert [(e["action"], e["reason"]) for e in live.log(mild)] == [("reject", "spam")]
    # u: undoes it; the card is back, waiting, and focused.
    page.keyboard.press("u")
    expect(card(page, mild)).to_have_attribute("data-mode", "waiting")
    expect(card(page, mild)).to_be_focused()
    assert [e["action"] for e in live.log(mild)] == ["undo", "reject"]
    assert mild in live.queue_ids() and rude not in live.queue_ids()
    # Keys typed into a text field never act.
    page.keyboard.press("r")
    page.get_by_label("Note (optional)").locator("visible=true").first.fill("")
    page.keyboard.type("aaa")
    page.keyboard.press("Escape")
    assert live.log(calm) == []
    # ? shows the shortcuts.
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    # Log out: the console is closed.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/console/login$"))
    page.goto(f"{live.url}/console/queue")
    expect(page).to_have_url(re.compile(r".*/console/login\?next=.*"))
    expect(page.get_by_label("Password")).to_be_visible()


def test_bulk_approve_three_selected_with_x(live, page):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    ids = scored_comments(live.runtime, article, ["Un.", "Deux nul.", "Trois nul nul.", "Quatre nul nul nul."])
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    on_screen = [int(i) for i in page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.dataset.id)")]
    for key in ("j", "x", "j", "x", "j", "x"):
        page.keyboard.press(key)
    expect(page.locator("#selected-count")).to_have_text("3 selected")
    page.keyboard.press("Shift+A")
    expect(page.locator("#status")).to_contain_text("3 of 3 decided.")
    for comment_id in on_screen[:3]:
        expect(card(page, comment_id)).to_have_attribute("data-mode", "decided")
    assert live.queue_ids() == [on_screen[3]]
    assert sorted(on_screen) == sorted(ids)


def test_b_bans_the_author(live, page):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    troll = scored_comments(live.runtime, article, ["Idiot nul.", "Crétin nul."], author_id="troll")
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("Enter")  # asks first (Cancel is the default): the ban needs its own button
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.get_by_role("button", name="Ban", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Author banned; 2 waiting comments rejected.")
    refused = live.api("POST", f"/articles/{article}/comments", key=live.frontend_key,
                       json={"author": {"id": "troll", "name": "Troll"}, "body": "Encore moi."})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "author_banned"
    for comment_id in troll:
        assert live.log(comment_id)[0]["action"] == "reject"


def test_two_moderators_on_one_card_the_second_gets_a_conflict(live, browser, page):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    [comment] = scored_comments(live.runtime, article, ["Un commentaire."])
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    bob_context = browser.new_context(locale="en-GB")
    bob = bob_context.new_page()
    bob.set_default_timeout(WAIT)
    log_in(bob, live.url, "bob@example.ch", PASSWORD)
    bob.keyboard.press("j")
    bob.keyboard.press("a")
    expect(card(bob, comment)).to_have_attribute("data-mode", "decided")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(card(page, comment)).to_contain_text("Conflict: already approved by Bob. Nothing was changed.")
    assert [e["actor"] for e in live.log(comment)] == ["user:bob@example.ch"]
    bob_context.close()


def test_new_comments_banner_and_cards_decided_elsewhere(live_polling, page):
    from playwright.sync_api import expect

    live = live_polling
    article = make_article(live.runtime, "a-1")
    first, second = scored_comments(live.runtime, article, ["Premier nul.", "Second."])
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    posted = live.api("POST", f"/articles/{article}/comments", key=live.frontend_key,
                      json={"author": {"id": "reader", "name": "Reader"}, "body": "Tout nouveau."})
    assert posted.status_code in (201, 202), posted.text
    expect(page.locator("#new-banner")).to_be_visible(timeout=15_000)
    expect(page.locator("#new-banner")).to_have_text("1 new comment")
    expect(page.locator("#cards .card")).to_have_count(2)  # not inserted into the list
    expect(card(page, posted.json()["id"])).to_have_count(0)
    # A decision made elsewhere marks the card and disables its buttons.
    live.api("POST", f"/moderation/comments/{second}/decision", json={"action": "reject"})
    expect(card(page, second)).to_contain_text("Rejected by api-moderator", timeout=15_000)
    expect(card(page, second).get_by_role("button", name=re.compile("Approve"))).to_be_disabled()
    page.locator("#new-banner a").click()
    expect(page.locator("#cards .card")).to_have_count(2)  # first and the new one
    expect(card(page, posted.json()["id"])).to_have_count(1)


def test_html_in_a_body_renders_as_text(live, page):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    [comment] = scored_comments(live.runtime, article, ["<img src=x onerror=alert(1)><script>alert(2)</script>"])
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    body = card(page, comment).locator(".body")
    expect(body).to_have_text("<img src=x onerror=alert(1)><script>alert(2)</script>")
    assert body.locator("img, script").count() == 0


def test_no_serious_accessibility_violations(live, page):
    from axe_playwright_python.sync_playwright import Axe

    article = make_article(live.runtime, "a-1", title="Votations")
    parent = make_comment(live.runtime, article, status="approved", author_id="bob", author_name="Bob")
    scored_comments(live.runtime, article, ["Idiot nul.", "Merci."], author_id="bob")
    make_comment(live.runtime, article, parent_id=parent.id, body="Une réponse")
    axe = Axe()
    page.goto(f"{live.url}/console/login")
    pages = {"login": None}
    found = {"login": _serious(axe.run(page))}
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    pages.update({"queue": "/console/queue", "article": f"/console/articles/{article}",
                  "author": "/console/author?id=bob", "articles": "/console/articles", "log": "/console/log"})
    for name, path in pages.items():
        if path:
            page.goto(live.url + path)
            found[name] = _serious(axe.run(page))
    page.goto(live.url + "/console/queue")
    page.keyboard.press("j")
    page.keyboard.press("r")  # an open reject panel too
    found["queue with a panel open"] = _serious(axe.run(page))
    assert all(not problems for problems in found.values()), found


def _serious(results) -> list:
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
