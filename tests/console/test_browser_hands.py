"""Issue 22 in the browser (Debian's chromium), in English and French, on SQLite and PostgreSQL:
safe hands (confirmations whose default is Cancel, undo of a ban, what a decided card says)
and fast hands (`r` Enter with the last reason, a reject panel that moves nothing, `R`, 1-5).

Text differs per language, so the checks read data attributes, roles and the API; waits are
Playwright's expectations with generous deadlines, never sleeps."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from tests.console.conftest import PASSWORD
from tests.console.live import watched_page
from tests.console.test_browser import WAIT, card, live, scored_comments  # noqa: F401 (the live fixture)
from tests.factories import make_article

pytestmark = pytest.mark.browser
LOCALES = ["en-GB", "fr-CH"]


@pytest.fixture(params=LOCALES)
def page(browser, request):
    # A native confirm() would be dismissed and reported: the console only uses its <dialog>.
    with watched_page(browser, request.param, WAIT) as (page, problems):
        page.test_locale = request.param
        yield page
    bad = [text for _kind, text in problems
           if "Content Security Policy" in text or "dialog opened" in text or "ReferenceError" in text]
    assert not bad, bad


def log_in(page, base_url):
    """By field names, not labels: the page is in the browser's language."""
    page.goto(f"{base_url}/console/login")
    page.locator("input[name=email]").fill("alice@example.ch")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/console/queue")
    # The console speaks the browser's language (French for fr-CH).
    assert page.locator("html").get_attribute("lang") == page.test_locale[:2]


def banned(site, author_id="troll") -> bool:
    response = site.api("POST", "/articles/a-1/comments", key=site.frontend_key,
                        json={"author": {"id": author_id, "name": "Troll"}, "body": "Encore moi, un test."})
    assert response.status_code in (201, 202, 403), response.text
    return response.status_code == 403


def test_b_enter_cancels_the_ban_only_its_button_bans_and_u_undoes_it_whole(live, page):  # noqa: F811
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    troll = scored_comments(live.runtime, article, ["Idiot nul.", "Crétin nul."], author_id="troll")
    log_in(page, live.url)
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-cancel]")).to_be_focused()
    page.keyboard.press("Enter")  # the default: Cancel
    expect(dialog).to_be_hidden()
    assert all(live.log(i) == [] for i in troll)
    # Escape cancels too; only the confirm button bans.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert all(live.log(i) == [] for i in troll)
    page.keyboard.press("Enter")
    dialog.locator("[data-confirm-ok]").click()
    for comment_id in troll:
        expect(card(page, comment_id)).to_have_attribute("data-mode", "decided")
        # The decided card says what, by whom, with which reason (the ban's).
        line = card(page, comment_id).locator(".decided-line")
        expect(line).to_have_attribute("data-decision", "rejected")
        expect(line).to_have_attribute("data-decided-by", "user:alice@example.ch")
        expect(line).to_have_attribute("data-reason", "banned author")
    assert banned(live)
    # u: the ban is lifted and every comment it rejected is back, waiting.
    page.keyboard.press("u")
    for comment_id in troll:
        expect(card(page, comment_id)).to_have_attribute("data-mode", "waiting")
        assert [e["action"] for e in live.log(comment_id)] == ["undo", "reject"]
    assert not banned(live)
    assert set(troll) <= set(live.queue_ids())


def test_r_enter_rejects_with_the_last_reason_the_default_first(live, page):  # noqa: F811
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    ids = scored_comments(live.runtime, article, ["Nul nul nul nul.", "Nul nul nul.", "Nul nul.", "Nul."])
    log_in(page, live.url)
    on_screen = [int(i) for i in page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.dataset.id)")]
    assert sorted(on_screen) == sorted(ids)
    first, second, third, _ = on_screen
    page.keyboard.press("j")
    # The reject panel opens without moving "Ban author" (or anything else) under the pointer.
    before = card(page, first).locator("details.ban-panel > summary").bounding_box()
    approve = card(page, first).locator("button.approve-button").bounding_box()
    page.keyboard.press("r")
    expect(card(page, first).locator("details.reject-panel form")).to_be_visible()
    assert card(page, first).locator("details.ban-panel > summary").bounding_box() == before
    assert card(page, first).locator("button.approve-button").bounding_box() == approve
    page.keyboard.press("Enter")  # the site's default the first time: offensive
    expect(card(page, first)).to_have_attribute("data-mode", "decided")
    expect(card(page, first).locator(".decided-line")).to_have_attribute("data-reason", "offensive")
    assert [(e["action"], e["reason"]) for e in live.log(first)] == [("reject", "offensive")]
    expect(card(page, second)).to_be_focused()
    page.keyboard.press("r")
    page.keyboard.press("3")  # spam
    page.keyboard.press("Enter")
    expect(card(page, second)).to_have_attribute("data-mode", "decided")
    expect(card(page, third)).to_be_focused()
    page.keyboard.press("r")
    page.keyboard.press("Enter")  # the last reason: spam
    expect(card(page, third)).to_have_attribute("data-mode", "decided")
    assert [(e["action"], e["reason"]) for e in live.log(third)] == [("reject", "spam")]
    # Remembered server-side: a fresh page offers spam too.
    page.reload()
    expect(page.locator("#cards")).to_have_attribute("data-last-reason", "spam")


def test_shift_r_rejects_the_selection_with_the_last_reason(live, page):  # noqa: F811
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1")
    ids = scored_comments(live.runtime, article, ["Un nul.", "Deux nul nul.", "Trois."])
    log_in(page, live.url)
    on_screen = [int(i) for i in page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.dataset.id)")]
    for key in ("j", "x", "j", "x"):
        page.keyboard.press(key)
    page.keyboard.press("Shift+R")
    expect(page.locator("#bulk-reject")).to_be_focused()
    expect(page.locator("#bulk-reason")).to_have_value("offensive")
    page.keyboard.press("Enter")
    for comment_id in on_screen[:2]:
        expect(card(page, comment_id)).to_have_attribute("data-mode", "decided")
        assert [(e["action"], e["reason"]) for e in live.log(comment_id)] == [("reject", "offensive")]
    assert live.queue_ids() == [on_screen[2]] and sorted(on_screen) == sorted(ids)


def test_digits_switch_tabs_and_the_help_lists_them(live, page):  # noqa: F811
    from playwright.sync_api import expect

    make_article(live.runtime, "a-1")
    log_in(page, live.url)
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help kbd", has_text="5")).to_have_count(1)
    page.keyboard.press("Escape")
    for key, tab in (("2", "reported"), ("5", "rejected"), ("1", "waiting")):
        page.keyboard.press(key)
        page.wait_for_url(re.compile(rf".*tab={tab}.*"))
        expect(page.locator(f".tabs a[data-tab-key='{key}']")).to_have_attribute("aria-current", "page")


def test_lock_and_a_closing_window_ask_first_with_cancel_as_default(live, page):  # noqa: F811
    from playwright.sync_api import expect

    article = make_article(live.runtime, "a-1", published_at=live.runtime.now() - timedelta(hours=2))
    log_in(page, live.url)

    def is_open():
        return live.api("GET", f"/articles/{article}", key=live.frontend_key).json()["comments"]["open"]

    page.goto(f"{live.url}/console/articles/{article}")
    lock = page.locator(f"form[action$='/{article}/lock'] button[type=submit]")
    lock.click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-cancel]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert is_open()
    # A window whose deadline is already past: the server asks (a page), Cancel focused.
    window = page.locator(f"form[action$='/{article}/window']")
    window.locator("input[name=close_after_hours]").fill("1")
    window.locator("button[type=submit]").click()
    expect(page.locator("#confirm-cancel")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/console/articles/{article}$"))
    assert is_open()
    window.locator("input[name=close_after_hours]").fill("1")
    window.locator("button[type=submit]").click()
    page.locator(".confirm-page [data-confirm-ok]").click()
    page.wait_for_url(re.compile(rf".*/console/articles/{article}$"))
    assert not is_open()


def test_erase_asks_first_with_cancel_as_default(live, page):  # noqa: F811
    from playwright.sync_api import expect

    from moderation.accounts import service as accounts
    from moderation.comments.models import Comment

    with live.runtime.db.transaction() as session:
        accounts.create_account(session, "root@example.ch", "Root", "admin", live.runtime.now(), password=PASSWORD)
    article = make_article(live.runtime, "a-1")
    [comment] = scored_comments(live.runtime, article, ["Mon adresse est 3 rue des Alpes."], author_id="gone")
    page.goto(f"{live.url}/console/login")
    page.locator("input[name=email]").fill("root@example.ch")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live.url}/console/queue")
    page.goto(f"{live.url}/console/author?id=gone")
    page.locator("details.erase > summary").click()
    page.locator("#erase-confirm").fill("gone")
    page.keyboard.press("Enter")  # submits the form: the dialog asks, Cancel focused
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-cancel]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    def erased():
        with live.runtime.db.transaction(write=False) as session:
            return session.get(Comment, comment).erased_at is not None

    assert not erased()
    page.locator("details.erase button[type=submit]").click()
    dialog.locator("[data-confirm-ok]").click()
    # The page was at this address already: wait for the erasure itself, with a generous deadline.
    deadline = time.monotonic() + WAIT / 1000
    while not erased() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert erased()
