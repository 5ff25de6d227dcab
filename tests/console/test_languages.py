"""Issue 22, languages: every console page and htmx fragment, rendered in French, German and
Italian, shows no English string of the console's catalogue (visible text, and the attributes a
person reads or hears: title, aria-label, placeholder, alt, and the texts console.js shows),
and dates, numbers and relative times follow the language's Swiss conventions."""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from moderation.review.service import report_comment
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.console.conftest import Console, csrf_from, login, make_account
from tests.factories import make_article, make_comment

CATALOGUES = Path(__file__).resolve().parents[2] / "moderation" / "console" / "translations"
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-error", "data-selected", "label"}
ACCEPT = {"fr": "fr-CH,fr;q=0.9", "de": "de-CH,de;q=0.9", "it": "it-CH,it;q=0.9"}


class _Visible(HTMLParser):
    """The text a person sees or hears: text outside script and style, and READ_ATTRIBUTES."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " \n ".join(parser.parts)


def english_strings(language: str) -> set[str]:
    """The English fragments of every msgid (split at its placeholders), except a msgid that
    the language writes the same way ("Articles" in French, "Moderation" in German) and any
    fragment that is also a word of that language's own catalogue (a proper noun, "spam")."""
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = [message for message in read_po(handle) if message.id]
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        own = {message.id: message.string for message in read_po(handle, locale=language) if message.id}
    own_text = " ".join(s for value in own.values() for s in (value if isinstance(value, tuple) else (value,)))
    found = set()
    for message in template:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = own[message.id] if isinstance(own[message.id], tuple) else (own[message.id],)
        for english in ids:
            if english in translated:
                continue
            for fragment in re.split(r"%\(\w+\)s|\{n\}", english):
                fragment = fragment.strip(" .:,;()·—→…\"")
                if len(re.sub(r"[^A-Za-z]", "", fragment)) < 2:
                    continue
                if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", own_text):
                    continue
                found.add(fragment)
    return found


def english_in(text: str, strings: set[str]) -> list[str]:
    return sorted(s for s in strings if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text))


@pytest.fixture
def newsroom(runtime, clock):
    """A small day's desk: scored comments, a reply, reports, a ban, every kind of log entry."""
    article = make_article(runtime, "votation-1", title="Votation fédérale: le résultat")
    make_article(runtime, "closing-1", title="Fermeture prochaine", close_after_hours=2)
    ids = [make_comment(runtime, article, author_id="paul", author_name="Paul Rochat",
                        body=body).id for body in ("Merci, très clair.", "C'est nul, idiot.", "Bravo Lausanne")]
    score_pending(runtime, FakeScorer(), None, "test-worker")
    parent = make_comment(runtime, article, author_id="lea", author_name="Léa", body="Premier avis", status="approved")
    reply = make_comment(runtime, article, author_id="zoe", author_name="Zoé", body="Je réponds", parent_id=parent.id)
    with runtime.db.transaction() as session:
        for reason in ("abuse", "off_topic", "spam"):
            report_comment(session, ids[1], f"reader-{reason}", reason, "à revoir", runtime.now())
    make_comment(runtime, article, author_id="anna", author_name="Anna", status="approved")
    make_comment(runtime, article, author_id="anna", author_name="Anna", status="rejected")
    clock.advance(timedelta(minutes=7))
    return {"article": article, "ids": ids, "reply": reply.id}


def _console(app, runtime, email, role, language):
    make_account(runtime, email, role, email.split("@")[0].title())
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT[language]
    assert login(client, email).status_code == 302
    return Console(client, None)


@pytest.mark.parametrize("language", ["fr", "de", "it"])
def test_no_english_on_any_page_or_fragment(app, runtime, clock, newsroom, language):
    strings = english_strings(language)
    assert {"Approve", "Reject", "Queue", "reports"} <= strings  # the list is the catalogue's English
    moderator = _console(app, runtime, "mod@example.ch", "moderator", language)
    admin = _console(app, runtime, "boss@example.ch", "admin", language)
    article, ids = newsroom["article"], newsroom["ids"]
    shown: dict[str, str] = {}

    def page(name, response, *expected):
        assert response.status_code in expected, (name, response.status_code)
        if response.mimetype == "application/json":  # the poll: only its labels are shown
            data = response.get_json()
            shown[name] = " \n ".join([data["new_label"]] + [card["label"] or "" for card in data["cards"]])
        else:
            shown[name] = visible_text(response.get_data(as_text=True))

    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT[language]
    page("login", anonymous.get("/console/login"), 200)
    page("failed login", anonymous.post("/console/login", data={
        "email": "mod@example.ch", "password": "wrong password!", "csrf_token": csrf_from(anonymous.get(
            "/console/login"))}), 401)
    for tab in ("waiting", "reported", "unscored", "approved", "rejected"):
        page(f"queue {tab}", moderator.get(f"/console/queue?tab={tab}"), 200)
    page("empty queue", moderator.get("/console/queue?article=nothing-here"), 200)
    page("articles", moderator.get("/console/articles"), 200)
    page("articles by waiting", moderator.get("/console/articles?order=waiting"), 200)
    page("article", moderator.get(f"/console/articles/{article}"), 200)
    page("author", moderator.get("/console/author?id=paul"), 200)
    page("password", moderator.get("/console/account/password"), 200)
    page("password refused", moderator.post("/console/account/password", {
        "current_password": "not it at all", "new_password": "short", "repeat_password": "other"}), 422)
    page("settings", admin.get("/console/settings"), 200)
    page("settings refused", moderator.get("/console/settings"), 403)
    page("unknown address", moderator.get("/console/no-such-page"), 404)
    page("form address opened", moderator.get("/console/logout"), 405)
    page("unknown article", moderator.get("/console/articles/nope"), 404)
    page("no CSRF", moderator.client.post(f"/console/comments/{ids[0]}/decision", data={"action": "approve"}), 400)
    # The card in each mode, and the fragments around it.
    page("card approved", moderator.post(f"/console/comments/{ids[0]}/decision",
                                         {"action": "approve", "expected_version": "2"}, htmx=True), 200)
    page("card without reason", moderator.post(f"/console/comments/{ids[2]}/decision",
                                               {"action": "reject", "expected_version": "2"}, htmx=True), 422)
    page("card conflict", admin.post(f"/console/comments/{ids[0]}/decision",
                                     {"action": "reject", "reason": "spam", "expected_version": "2"}, htmx=True), 409)
    page("undo", moderator.post("/console/undo", {}, htmx=True), 200)
    page("nothing to undo", moderator.post("/console/undo", {}, htmx=True), 409)
    page("card rejected", moderator.post(f"/console/comments/{ids[2]}/decision", {
        "action": "reject", "reason": "off_topic", "note": "hors sujet", "expected_version": "2"}, htmx=True), 200)
    page("bulk", moderator.post("/console/decisions", {
        "action": "approve", "comment_id": [str(ids[0]), str(ids[2])],
        f"expected_{ids[0]}": "4", f"expected_{ids[2]}": "1"}, htmx=True), 200)
    page("bulk without selection", moderator.post("/console/decisions", {"action": "approve"}, htmx=True), 422)
    page("updates", moderator.get(f"/console/queue/updates?after=0&ids={','.join(map(str, ids))}"), 200)
    page("ban unconfirmed", moderator.post("/console/authors/ban", {"author_id": "zoe"}, htmx=True), 409)
    page("ban confirmation page", moderator.post("/console/authors/ban", {"author_id": "zoe"}), 200)
    page("ban", moderator.post("/console/authors/ban", {"author_id": "zoe", "reason": "spam", "confirmed": "1",
                                                        "reject_waiting": "y"}, htmx=True), 200)
    page("banned author", moderator.get("/console/author?id=zoe"), 200)
    moderator.post("/console/authors/unban", {"author_id": "zoe"})
    moderator.post(f"/console/articles/{article}/window", {"close_after_hours": "48"})
    page("lock confirmation page", moderator.post(f"/console/articles/{article}/lock", {"reason": "trop"}), 200)
    moderator.post(f"/console/articles/{article}/lock", {"reason": "trop de messages", "confirmed": "1"})
    page("locked article", moderator.get(f"/console/articles/{article}"), 200)
    moderator.post(f"/console/articles/{article}/unlock", {"close_after_hours": ""})
    admin.post("/console/authors/erase", {"author_id": "anna", "confirm": "anna", "confirmed": "1"})
    page("erased author", admin.get("/console/author?id=anna"), 200)
    page("log", moderator.get("/console/log"), 200)
    page("queue after work", moderator.get("/console/queue?tab=rejected"), 200)

    found = {name: english_in(text, strings) for name, text in shown.items()}
    assert {name: words for name, words in found.items() if words} == {}
    # The pages did show the language, not an empty shell.
    own = Translations.load(str(CATALOGUES), [language])
    assert own.ugettext("Approve") in shown["queue waiting"] and own.ugettext("Audit log") in shown["log"]


@pytest.mark.parametrize(("language", "ago", "number", "date"), [
    ("fr", "il y a 7\u00a0min", "0,", "."),
    ("de", "vor 7 Min.", "0.", "."),
    ("it", "7 min fa", "0.", "."),
    ("en", "7 min ago", "0.", "."),
])
def test_relative_times_numbers_and_dates_follow_the_language(app, runtime, newsroom, language, ago, number, date):
    moderator = make_account(runtime, f"{language}@example.ch", "moderator")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT.get(language, "en")
    login(client, moderator.email)
    html = client.get("/console/queue").get_data(as_text=True)
    assert ago in html  # relative to the app's (frozen) clock, 7 minutes after the comments
    assert re.search(r'<span class="value">' + re.escape(number) + r"\d\d</span>", html)
    log = client.get("/console/log").get_data(as_text=True)
    assert re.search(r">\d\d\.\d\d\.\d\d(\d\d)?,? \d\d:\d\d<", log), "a Swiss day.month.year date, 24 h"
