"""Issue 22, a phone and the languages in a real browser (Debian's chromium): every page fits
390 px without sideways scrolling, in English, French and German; key hints are hidden on touch
screens; decisions are announced to screen readers; cards are named by author and text; axe-core
finds no violation on any page, in the three languages, at 1280 and 390 px; the queue in German
shows no English string of the catalogue."""
from __future__ import annotations

import pytest

from moderation.accounts import service as accounts
from moderation.review.service import report_comment
from tests.console.conftest import PASSWORD
from tests.console.live import log_in as _log_in_english
from tests.console.test_browser import WAIT, live, scored_comments  # noqa: F401 (live: a fixture)
from tests.console.test_languages import english_in, english_strings
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "fr": "fr-CH", "de": "de-CH"}
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def _context(browser, language, viewport, touch=False):  # noqa: F811
    context = browser.new_context(locale=LOCALES[language], viewport=viewport, has_touch=touch,
                                  extra_http_headers={"Accept-Language": LOCALES[language]})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    return context, page


def _log_in(page, base_url, email):
    """Logs in by the form's field names: the labels are in the page's language."""
    page.goto(f"{base_url}/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/console/queue")


def _desk(live):  # noqa: F811
    """A thread with scored comments, a reply, reports, a decision and an admin account."""
    runtime = live.runtime
    with runtime.db.transaction() as session:
        accounts.create_account(session, "root@example.ch", "Root", "admin", runtime.now(), password=PASSWORD)
    article = make_article(runtime, "votation-1", title="Votation fédérale: résultats commune par commune")
    parent = make_comment(runtime, article, status="approved", author_id="bob", author_name="Bob Müller")
    ids = scored_comments(runtime, article, ["Idiot, nul et stupide.", "Merci pour cet article très complet.",
                                             "Unmotdeuxcentcaractèressansespace" * 6], author_id="bob")
    make_comment(runtime, article, parent_id=parent.id, body="Une réponse")
    with runtime.db.transaction() as session:
        report_comment(session, ids[0], "reader-1", "abuse", "insulte", runtime.now())
    make_comment(runtime, article, author_id="anna", author_name="Anna", status="rejected")
    return article, ids


def _pages(article):
    return {"queue": "/console/queue", "reported": "/console/queue?tab=reported",
            "rejected": "/console/queue?tab=rejected", "articles": "/console/articles",
            "article": f"/console/articles/{article}", "author": "/console/author?id=bob", "log": "/console/log",
            "settings": "/console/settings", "password": "/console/account/password",
            "error": "/console/no-such-page"}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_every_page_fits_a_phone_without_sideways_scrolling(live, browser, language):  # noqa: F811 (live)
    article, ids = _desk(live)
    context, page = _context(browser, language, PHONE, touch=True)
    try:
        widths = {}
        page.goto(f"{live.url}/console/login")
        widths["login"] = page.evaluate("document.scrollingElement.scrollWidth")
        _log_in(page, live.url, "root@example.ch")
        for name, path in _pages(article).items():
            page.goto(live.url + path)
            widths[name] = page.evaluate("document.scrollingElement.scrollWidth")
        page.goto(live.url + "/console/queue")
        page.locator(f"#card-{ids[0]} details.reject-panel summary").click()
        page.locator(f"#card-{ids[0]} details.ban-panel summary").click()
        widths["queue with panels open"] = page.evaluate("document.scrollingElement.scrollWidth")
        assert {name: width for name, width in widths.items() if width > 390} == {}
        # Touch screen: no key hints on the buttons, no shortcuts button.
        assert page.locator(f"#card-{ids[0]} .approve-button kbd").evaluate("k => getComputedStyle(k).display") \
            == "none"
        assert page.locator(".help-button").evaluate("b => getComputedStyle(b).display") == "none"
        # The log breaks between words, never a word letter by letter; its rows are stacked.
        page.goto(live.url + "/console/log")
        cell = page.locator("table.log tbody tr").first.locator("td").nth(3)
        assert cell.evaluate("c => getComputedStyle(c).wordBreak") == "normal"
        assert cell.evaluate("c => getComputedStyle(c).display") == "block"
    finally:
        context.close()


def test_key_hints_stay_on_a_desktop_and_decisions_are_announced(live, browser):  # noqa: F811 (live)
    from playwright.sync_api import expect

    article, ids = _desk(live)
    context, page = _context(browser, "en", DESK)
    try:
        _log_in_english(page, live.url, "alice@example.ch", PASSWORD)
        first = page.locator("#cards .card").first
        expect(first.locator(".approve-button kbd")).to_be_visible()
        # Cards are named by author and the start of the comment.
        assert first.get_attribute("aria-label").startswith("Lectrice: Idiot, nul et stupide.")
        page.keyboard.press("j")
        page.keyboard.press("a")
        expect(page.locator("#announce")).to_have_text("Approved.", use_inner_text=True)
        page.keyboard.press("u")
        expect(page.locator("#announce")).to_contain_text("Undone")
    finally:
        context.close()


def test_the_queue_in_german_has_no_english(live, browser):  # noqa: F811 (live)
    from playwright.sync_api import expect

    article, ids = _desk(live)
    context, page = _context(browser, "de", DESK)
    try:
        _log_in(page, live.url, "alice@example.ch")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.locator("#cards .card").first.locator(".approve-button")).to_contain_text("Freigeben")
        page.keyboard.press("j")
        page.keyboard.press("r")
        text = page.evaluate("document.body.innerText") + " " + " ".join(page.locator(
            "[title], [aria-label], [placeholder]").evaluate_all(
            "els => els.map(e => [e.title, e.getAttribute('aria-label'), e.placeholder].filter(Boolean).join(' '))"))
        assert english_in(text, english_strings("de")) == []
        page.keyboard.press("Digit1")
        page.keyboard.press("Enter")
        expect(page.locator("#announce")).to_have_text("Abgelehnt.", use_inner_text=True)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_axe_finds_no_violation_on_any_page_at_both_widths(live, browser, language):  # noqa: F811 (live)
    from axe_playwright_python.sync_playwright import Axe

    article, ids = _desk(live)
    axe = Axe()
    found = {}
    for label, viewport in (("1280", DESK), ("390", PHONE)):
        context, page = _context(browser, language, viewport)
        try:
            page.goto(f"{live.url}/console/login")
            found[f"login {label}"] = _violations(axe.run(page))
            _log_in(page, live.url, "root@example.ch")
            for name, path in _pages(article).items():
                page.goto(live.url + path)
                found[f"{name} {label}"] = _violations(axe.run(page))
            page.goto(live.url + "/console/queue")
            page.keyboard.press("j")
            page.keyboard.press("r")
            found[f"queue with the reject panel {label}"] = _violations(axe.run(page))
            page.keyboard.press("?")
            found[f"shortcuts {label}"] = _violations(axe.run(page))
        finally:
            context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}


def _violations(results) -> list:
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
