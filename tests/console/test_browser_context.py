"""Issue 22, points 4 (no dead ends) and 5 (context on the card) in headless Chromium, on
SQLite and PostgreSQL, in English and French where text matters."""
from __future__ import annotations

import re

import pytest

from moderation.review import service as review
from tests.console.conftest import PASSWORD
from tests.console.live import serve, watched_page
from tests.console.test_browser import WAIT, Live, _live, card, scored_comments
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser


def sign_in(page, base_url, email="alice@example.ch", next_path=""):
    """Log in whatever the page's language (by the fields' ids, not their labels)."""
    page.goto(f"{base_url}/console/login{next_path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def _serve(committed_runtime, monkeypatch, **settings):
    with serve(_live(committed_runtime, monkeypatch, **settings)) as url:
        yield Live(committed_runtime, url)


@pytest.fixture
def live(committed_runtime, monkeypatch):
    yield from _serve(committed_runtime, monkeypatch, poll_seconds=600.0)


@pytest.fixture
def live_polling(committed_runtime, monkeypatch):
    yield from _serve(committed_runtime, monkeypatch, poll_seconds=2.0)


@pytest.fixture
def live_paged(committed_runtime, monkeypatch):
    yield from _serve(committed_runtime, monkeypatch, poll_seconds=600.0, page_size=3)


@pytest.fixture
def page(browser):
    """An English page that fails the test on a CSP violation, a script error or a dialog."""
    with watched_page(browser, "en-GB", WAIT) as (page, problems):
        yield page
    errors = [text for kind, text in problems if kind != "console" or "Content Security Policy" in text]
    assert not errors, errors


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.dataset.id")


def test_j_after_the_last_card_opens_the_next_page_focused_on_its_first_card(live_paged, page):
    from playwright.sync_api import expect

    live = live_paged
    article = make_article(live.runtime, "a-1")
    scored_comments(live.runtime, article, [f"Commentaire numéro {n}." for n in range(5)])
    sign_in(page, live.url)
    page.wait_for_url(re.compile(r".*/console/queue$"))
    first_page = [c for c in page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.dataset.id)")]
    assert len(first_page) == 3
    for _ in range(3):
        page.keyboard.press("j")
    assert focused_id(page) == first_page[-1]
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r".*cursor=.*"))
    second_page = page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.dataset.id)")
    assert len(second_page) == 2 and not set(second_page) & set(first_page)
    expect(card(page, second_page[0])).to_be_focused()
    # On the last page, j past the last card stays there.
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(card(page, second_page[1])).to_be_focused()


def test_the_focused_card_is_always_fully_below_the_sticky_header(live, page):
    article = make_article(live.runtime, "a-1")
    scored_comments(live.runtime, article, [("Un long commentaire. " * 12) + str(n) for n in range(8)])
    page.set_viewport_size({"width": 1000, "height": 560})
    sign_in(page, live.url)
    page.wait_for_url(re.compile(r".*/console/queue$"))
    ids = page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.dataset.id)")

    def check():
        box = page.evaluate("""() => {
            const card = document.activeElement.getBoundingClientRect();
            const header = document.querySelector('header.top').getBoundingClientRect();
            return {top: card.top, bottom: card.bottom, header: header.bottom, height: window.innerHeight};
        }""")
        assert box["top"] >= box["header"] - 0.5, box
        assert box["bottom"] <= box["height"] + 0.5, box

    for index in range(len(ids)):
        page.keyboard.press("j")
        assert focused_id(page) == ids[index]
        check()
    for index in reversed(range(len(ids) - 1)):
        page.keyboard.press("k")
        assert focused_id(page) == ids[index]
        check()


def test_tab_counts_follow_the_poll_with_the_filters_applied(live_polling, page):
    from playwright.sync_api import expect

    live = live_polling
    article = make_article(live.runtime, "a-1")
    mine = scored_comments(live.runtime, article, ["Premier nul.", "Second nul."], author_id="troll")
    scored_comments(live.runtime, article, ["Autre auteur."], author_id="other")
    sign_in(page, live.url, next_path="?next=/console/queue?author%3Dtroll")
    page.wait_for_url(re.compile(r".*/console/queue\?author=troll$"))
    waiting = page.locator('.tabs .count[data-tab="waiting"]')
    expect(waiting).to_have_text("2")
    posted = live.api("POST", f"/articles/{article}/comments", key=live.frontend_key,
                      json={"author": {"id": "troll", "name": "Troll"}, "body": "Encore moi."})
    assert posted.status_code in (201, 202), posted.text
    live.api("POST", f"/articles/{article}/comments", key=live.frontend_key,
             json={"author": {"id": "someone", "name": "Someone"}, "body": "Pas filtré."})
    expect(waiting).to_have_text("3", timeout=15_000)  # the other author's is not counted
    live.api("POST", f"/moderation/comments/{mine[0]}/decision", json={"action": "reject"})
    expect(waiting).to_have_text("2", timeout=15_000)
    expect(page.locator('.tabs .count[data-tab="rejected"]')).to_have_text("1", timeout=15_000)


@pytest.mark.parametrize("locale, message, link", [
    ("en-GB", "You were signed out: nothing was done.", "Sign in again"),
    ("fr-CH", "Vous avez été déconnecté : rien n’a été fait.", "Vous reconnecter"),
])
def test_a_decision_after_being_signed_out_elsewhere_says_so_and_keeps_the_place(live, browser, locale,
                                                                                   message, link):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    first, second = scored_comments(live.runtime, article, ["Idiot nul nul.", "Un avis."])
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        sign_in(page, live.url, next_path="?next=/console/queue?order%3Doldest")
        page.wait_for_url(re.compile(r".*/console/queue\?order=oldest$"))
        page.keyboard.press("j")
        page.keyboard.press("j")
        expect(card(page, second)).to_be_focused()
        # Signed out elsewhere (an administrator's reset ends every session of the account).
        from sqlalchemy import delete

        from moderation.accounts.models import ConsoleSession
        with live.runtime.db.transaction() as session:
            session.execute(delete(ConsoleSession))
        page.keyboard.press("a")
        status = page.locator("#status .signed-out")
        expect(status).to_contain_text(message)
        expect(page.locator("#status")).not_to_contain_text("HTTP")
        assert live.log(second) == []
        status.get_by_role("link", name=link).click()
        page.locator("#password").fill(PASSWORD)
        page.locator("#email").fill("alice@example.ch")
        page.locator("form button[type=submit]").click()
        page.wait_for_url(re.compile(rf".*/console/queue\?order=oldest#card-{second}$"))
        expect(card(page, second)).to_be_focused()
        page.keyboard.press("a")
        expect(card(page, second)).to_have_attribute("data-mode", "decided")
        assert [e["action"] for e in live.log(second)] == ["approve"]
    finally:
        context.close()


@pytest.mark.parametrize("locale, title, back", [
    ("en-GB", "Error 404", "Back to the queue"),
    ("fr-CH", "Erreur 404", "Retour à la file"),
])
def test_an_unknown_console_address_is_a_page_in_the_consoles_language(live, browser, locale, title, back):
    from playwright.sync_api import expect

    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        sign_in(page, live.url)
        page.wait_for_url(re.compile(r".*/console/queue$"))
        response = page.goto(f"{live.url}/console/no-such-page")
        assert response.status == 404
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("header.top")).to_be_visible()  # the console's top bar, signed in
        page.get_by_role("link", name=back).click()
        page.wait_for_url(re.compile(r".*/console/queue$"))
        response = page.goto(f"{live.url}/console/decisions")  # a form's address opened as a page
        assert response.status == 405
        expect(page.locator("h1")).to_have_text(title.replace("404", "405"))
    finally:
        context.close()


def test_o_opens_the_thread_beside_the_queue_with_the_same_decision_buttons(live, page):
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1", title="Votations")
    first, second = scored_comments(live.runtime, article, ["Idiot nul nul.", "Un avis."])
    sign_in(page, live.url)
    page.wait_for_url(re.compile(r".*/console/queue$"))
    page.keyboard.press("j")
    with page.context.expect_page() as opened:
        page.keyboard.press("o")
    thread = opened.value
    thread.set_default_timeout(WAIT)
    thread.wait_for_load_state()
    assert "/console/articles/a-1" in thread.url
    assert page.url.endswith("/console/queue")  # the queue stays where it was
    expect(card(page, first)).to_have_class(re.compile("is-focused"))
    expect(card(thread, second).get_by_role("button", name=re.compile("Approve"))).to_be_visible()
    card(thread, second).get_by_role("button", name=re.compile("Approve")).click()
    expect(card(thread, second)).to_have_attribute("data-mode", "decided")
    assert [e["action"] for e in live.log(second)] == ["approve"]
    # As in the queue, focus moves to the comment still waiting; keys work: r 3 Enter rejects it.
    expect(card(thread, first)).to_be_focused()
    thread.keyboard.press("r")
    thread.keyboard.press("3")
    thread.keyboard.press("Enter")
    expect(card(thread, first)).to_have_attribute("data-mode", "decided")
    assert [(e["action"], e["reason"]) for e in live.log(first)] == [("reject", "spam")]
    # o again reuses the same window beside the queue.
    page.bring_to_front()
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(r".*/console/queue$"))
    assert len(page.context.pages) == 2


CONTEXT_TEXT = {
    "en-GB": {"more": "2 more waiting", "rejections": "Last rejections of this author:",
              "notes": "Notes on this author:", "urgent": "Urgent:", "down": "The scoring model is down.",
              "fallback": "unscored comments come last", "note_button": "Save the note"},
    "fr-CH": {"more": "2 autres en attente", "rejections": "Derniers refus de cet auteur :",
              "notes": "Notes sur cet auteur :", "urgent": "Urgent :", "down": "Le modèle d’évaluation est en panne.",
              "fallback": "les commentaires non évalués viennent en dernier", "note_button": "Enregistrer la note"},
}


class DownScorer:
    def status(self):
        return {"ok": False, "state": "unavailable", "model": "detoxify", "reason": "no weights"}


@pytest.mark.parametrize("locale", ["en-GB", "fr-CH"])
def test_the_card_shows_the_authors_context_urgency_and_a_model_down_banner(live, browser, locale):
    from datetime import timedelta

    from playwright.sync_api import expect

    text = CONTEXT_TEXT[locale]
    article = make_article(live.runtime, "a-1", published_at=live.runtime.now() - timedelta(hours=71))
    ids = scored_comments(live.runtime, article, ["Nul un.", "Nul deux.", "Nul trois."], author_id="troll")
    old = make_comment(live.runtime, article, author_id="troll", author_name="Troll", body="Vieux spam")
    with live.runtime.db.transaction() as session:
        review.decide(session, old.id, "reject", "user:bob@example.ch", "spam", live.runtime.now())
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        sign_in(page, live.url)
        page.wait_for_url(re.compile(r".*/console/queue$"))
        first = card(page, ids[0])
        expect(first).to_contain_text(text["more"])
        expect(first).to_contain_text(text["rejections"])
        expect(first).to_contain_text("Vieux spam")
        expect(first.locator(".deadline")).to_contain_text(text["urgent"])
        expect(first.locator(".deadline")).to_have_class(re.compile("urgency-urgent"))
        # A note written on one card shows on every card of the author.
        first.locator("details.note-panel summary").click()
        first.locator("form.note input[name=body]").fill("Averti par e-mail")
        first.get_by_role("button", name=text["note_button"]).click()
        page.wait_for_url(re.compile(r".*/console/queue$"))
        for comment_id in ids:
            expect(card(page, comment_id)).to_contain_text(text["notes"])
            expect(card(page, comment_id)).to_contain_text("Averti par e-mail")
        live.runtime.scoring = DownScorer()
        try:
            page.reload()
            expect(page.locator("#model-down")).to_contain_text(text["down"])
            expect(page.locator("#order-fallback")).to_contain_text(text["fallback"])
        finally:
            live.runtime.scoring = None
    finally:
        context.close()


def test_filters_by_author_and_text_closed_threads_and_the_log_by_name_in_french(live, browser):
    from datetime import timedelta

    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1", title="Votations")
    make_article(live.runtime, "old-1", title="Anciennes élections",
                 published_at=live.runtime.now() - timedelta(days=9))
    troll, other = scored_comments(live.runtime, article, ["Vous êtes nuls."], author_id="troll") + \
        scored_comments(live.runtime, article, ["100% d'accord."], author_id="reader")
    context = browser.new_context(locale="fr-CH")
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        sign_in(page, live.url)
        page.wait_for_url(re.compile(r".*/console/queue$"))
        page.get_by_label("Auteur", exact=True).fill("troll")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("#cards .card")).to_have_count(1)
        expect(card(page, troll)).to_be_visible()
        page.get_by_label("Auteur", exact=True).fill("")
        page.get_by_label("Texte", exact=True).fill("100%")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("#cards .card")).to_have_count(1)
        expect(card(page, other)).to_be_visible()
        page.keyboard.press("j")
        page.keyboard.press("a")
        expect(card(page, other)).to_have_attribute("data-mode", "decided")
        # Closed threads are listed, and found by their title.
        page.goto(f"{live.url}/console/articles")
        page.get_by_role("link", name="Fermés").click()
        expect(page.locator("h1")).to_have_text("Fils fermés")
        page.get_by_label("Titre ou identifiant").fill("ÉLECTIONS")
        page.get_by_role("button", name="Chercher").click()
        expect(page.get_by_role("link", name="Anciennes élections")).to_be_visible()
        # The log by a person's name.
        page.goto(f"{live.url}/console/log")
        page.get_by_label("Acteur", exact=True).fill("Alice")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("table")).to_contain_text(f"#{other}")
        expect(page.locator("table")).not_to_contain_text(f"#{troll}")
    finally:
        context.close()
