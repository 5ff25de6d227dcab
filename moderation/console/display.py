"""Template helpers: times in the site's zone, time left before closing, highlighted words,
score bars and people's names. Everything that reaches the page is escaped here or by Jinja."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import flask_babel
from babel import Locale
from babel.dates import format_datetime, format_time, format_timedelta
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import g
from markupsafe import Markup, escape

from moderation.review.service import TOMBSTONE_PREFIX
from moderation.review.words import WordList


def translations():
    """This request's catalogue, looked up once: Flask-Babel's own gettext looks it up on every
    call, which was most of a queue page's render time (hundreds of strings per page)."""
    found = g.get("console_translations")
    if found is None:
        found = g.console_translations = flask_babel.get_translations()
    return found


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def install_gettext(app) -> None:
    """Jinja's i18n callables (newstyle: Jinja formats and escapes), on the cached catalogue."""
    app.jinja_env.install_gettext_callables(lambda s: translations().ugettext(s),
                                            lambda s, p, n: translations().ungettext(s, p, n), newstyle=True)


# Detoxify's seven classes, in the order the console draws them.
SCORE_CLASSES = ("toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit")


def score_label(name: str) -> str:
    labels = g.get("console_score_labels")
    if labels is None:
        labels = g.console_score_labels = _score_labels()
    return labels.get(name, name.replace("_", " "))


def _score_labels() -> dict[str, str]:
    return {
        "toxicity": gettext("toxicity"), "severe_toxicity": gettext("severe toxicity"),
        "obscene": gettext("obscene"), "identity_attack": gettext("identity attack"),
        "insult": gettext("insult"), "threat": gettext("threat"), "sexual_explicit": gettext("sexually explicit"),
        "house": gettext("house model"),
    }


def score_rows(scores: dict[str, float | None] | None) -> list[tuple[str, str, float]]:
    """(key, label, value) for the seven classes (and any other the model gave), in a fixed
    order; a class the model does not produce (null) has no row."""
    given = {k: v for k, v in (scores or {}).items() if v is not None}
    keys = [k for k in SCORE_CLASSES if k in given] + sorted(k for k in given if k not in SCORE_CLASSES)
    return [(key, score_label(key), float(given[key])) for key in keys]


def highest(scores: dict[str, float | None] | None) -> tuple[str, float] | None:
    """The transformer's highest class (the house model's score has its own row)."""
    given = {k: v for k, v in (scores or {}).items() if v is not None and k != "house"}
    if not given:
        return None
    key = max(given, key=lambda k: (given[k], k))
    return score_label(key), float(given[key])


# --- codes shown to a person: one label each, translated -----------------------------------------
# The stored codes (a report's reason, a log entry's action, a comment's status) stay English in
# the database and the API; the console shows these labels instead.


def _l(message: str) -> str:
    """Marks a label for pybabel extract (-k _l); translated when shown (gettext below)."""
    return message


REASON_LABELS = {
    "offensive": _l("offensive"), "abusive": _l("abusive"), "abuse": _l("abuse"), "spam": _l("spam"),
    "off_topic": _l("off-topic"), "personal_data": _l("personal data"), "other": _l("other"),
    "banned word": _l("banned word"),
    "banned author": _l("author banned"),  # review.service.BAN_REJECTION
    "deadline passed": _l("deadline passed"), "manual": _l("by hand"),
}
ACTION_LABELS = {
    "approve": _l("approve"), "reject": _l("reject"), "undo": _l("undo"), "ban": _l("ban"), "unban": _l("unban"),
    "erase": _l("erase"), "export": _l("export"), "lock": _l("lock"), "unlock": _l("reopen"),
    "window": _l("window"), "retry_scoring": _l("score again"), "webhook_create": _l("webhook created"),
    "webhook_update": _l("webhook changed"), "webhook_disable": _l("webhook disabled"),
    "webhook_enable": _l("webhook enabled"), "webhook_rotate": _l("webhook secret renewed"),
    "webhook_redeliver": _l("webhook redelivered"),
    "feature": _l("feature"), "unfeature": _l("unfeature"), "note": _l("note on author"),
    "account_create": _l("account created"), "account_disable": _l("account disabled"),
    "account_enable": _l("account enabled"), "account_reset": _l("password reset"),
    "account_role": _l("role changed"), "setting_change": _l("setting changed"),
    "setting_reset": _l("setting reset to the file's value"),
    "house_model_trained": _l("house model trained"), "house_model_promoted": _l("house model promoted"),
    "house_model_rolled_back": _l("house model rolled back"),
}
_UNDO_OF = re.compile(r"undo of #(\d+)")
# The actions the log's filter offers.
LOG_ACTIONS = ("approve", "reject", "undo", "ban", "unban", "erase", "lock", "unlock", "window", "feature",
               "unfeature", "note", "account_create", "account_disable", "account_enable", "account_reset",
               "account_role", "setting_change", "setting_reset", "house_model_trained", "house_model_promoted",
               "house_model_rolled_back")
STATUS_LABELS = {"pending": _l("pending"), "approved": _l("approved"), "rejected": _l("rejected")}
SCORER_STATES = {"ready": _l("ready"), "loading": _l("loading"), "unavailable": _l("unavailable"),
                 "degraded": _l("degraded"), "starting": _l("starting"), "standby": _l("standby")}


def _label(table: dict[str, str], code: str | None) -> str:
    """A code's translated label; a code this console does not know is shown as it is."""
    if not code:
        return ""
    label = table.get(code)
    return gettext(label) if label is not None else code


def reason_label(code: str | None) -> str:
    """A rejection's or a report's reason. The log keeps "code: note" (and "banned word: x"),
    so what follows the code is kept as typed."""
    if not code:
        return ""
    if code in REASON_LABELS:
        return _label(REASON_LABELS, code)
    undone = _UNDO_OF.fullmatch(code)
    if undone:
        return gettext("undo of #%(id)s", id=undone.group(1))
    head, sep, note = code.partition(": ")
    return _label(REASON_LABELS, head) + sep + note if head in REASON_LABELS else code


def author_ref(author_id: str | None) -> str:
    """An author id as the log shows it: an erased author's tombstone says "erased"."""
    if author_id and author_id.startswith(TOMBSTONE_PREFIX):
        return gettext("erased")
    return author_id or ""


def action_label(code: str | None) -> str:
    return _label(ACTION_LABELS, code)


def status_label(code: str | None) -> str:
    return _label(STATUS_LABELS, code)


def scorer_state_label(code: str | None) -> str:
    return _label(SCORER_STATES, code)


# --- dates, times and numbers: Babel, Swiss conventions, the site's time zone ----------------------

def locale() -> Locale:
    """The console's language with Swiss conventions (fr_CH, de_CH, it_CH, en_CH): day.month
    dates, 24-hour times, the Swiss apostrophe for thousands; looked up once per request."""
    found = g.get("console_locale")
    if found is None:
        language = str(flask_babel.get_locale() or "en").split("_")[0]
        try:
            found = Locale.parse(f"{language}_CH")
        except (ValueError, LookupError):
            found = Locale.parse(language)
        g.console_locale = found
    return found


def _zone():
    return flask_babel.get_timezone()


def when(moment: datetime | None) -> str:
    """A short date and time in the console's time zone (Flask-Babel's default timezone)."""
    if moment is None:
        return ""
    return format_datetime(moment, "short", tzinfo=_zone(), locale=locale())


def ago(moment: datetime | None, now: datetime) -> str:
    """How long ago (or in how long) on the app's clock: "il y a 5 min", "vor 5 Min.", "5 min fa"."""
    if moment is None:
        return ""
    return format_timedelta(moment - now, add_direction=True, format="short", threshold=1.0, locale=locale())


def quote(text: str) -> str:
    """Quoted the locale's way: « texte » (narrow no-break spaces) in French, «Text» in Swiss
    German and Italian, “text” in English."""
    language = locale().language
    if language == "fr":
        return f"\u00ab\u202f{text}\u202f\u00bb"
    if language in ("de", "it"):
        return f"\u00ab{text}\u00bb"
    return f"\u201c{text}\u201d"


def number(value: float | int, digits: int | None = None) -> str:
    """A number with the locale's separators (0,83 in French, 0.83 in Swiss German, 12’345).
    Python formats and the locale's CLDR symbols replace its separators: a card draws a dozen
    numbers, and Babel's format_decimal costs about 70 µs a call (this, about 2 µs)."""
    decimal, group = _symbols()
    if digits is not None:
        text = f"{value:,.{digits}f}"
    else:  # 72.0 hours is "72"; 0.85 stays "0.85" (Python's shortest repr)
        text = f"{int(value) if isinstance(value, float) and value.is_integer() else value:,}"
    return text.translate({ord(","): group, ord("."): decimal})


def _symbols() -> tuple[str, str]:
    found = g.get("console_number_symbols")
    if found is None:
        found = g.console_number_symbols = (get_decimal_symbol(locale()), get_group_symbol(locale()))
    return found


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return gettext("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return gettext("%(h)s h %(m)s min", h=hours, m=minutes)
    return gettext("%(m)s min", m=max(minutes, 1) if seconds > 0 else 0)


def paused_until(resumes_at: datetime | None, now: datetime) -> str:
    """A thread paused by quiet hours: until when, on the console's clock (the date too when
    that is a day or more away)."""
    if resumes_at is None:
        return gettext("paused until it closes")
    if resumes_at - now < timedelta(days=1):
        return gettext("paused until %(time)s", time=format_time(resumes_at, "HH:mm", tzinfo=_zone(),
                                                                  locale=locale()))
    return gettext("paused until %(time)s", time=when(resumes_at))


def pauses_at(moment: datetime, now: datetime) -> str:
    """When an open thread's next quiet hours begin, on the console's clock."""
    if moment - now < timedelta(days=1):
        return gettext("pauses at %(time)s", time=format_time(moment, "HH:mm", tzinfo=_zone(), locale=locale()))
    return gettext("pauses at %(time)s", time=when(moment))


def time_left(closes_at: datetime, is_open: bool, now: datetime) -> str:
    if not is_open or closes_at <= now:
        return gettext("closed")
    return gettext("closes in %(left)s", left=duration((closes_at - now).total_seconds()))


URGENT = timedelta(hours=2)
SOON = timedelta(hours=12)


def urgency(closes_at: datetime, is_open: bool, now: datetime) -> str | None:
    """How soon the thread closes: "urgent" under 2 h, "soon" under 12 h (the card says it in
    words too, not by colour only)."""
    if not is_open or closes_at <= now:
        return None
    left = closes_at - now
    return "urgent" if left < URGENT else "soon" if left < SOON else None


def highlight(body: str, banned: WordList, suspect: WordList, house_why: list[dict] | None = None) -> Markup:
    """The body as text, with banned and suspect words wrapped in <mark>, and the words that
    pushed the house model's score up (issue 23) where no such word is."""
    marks = [(start, end, "banned") for start, end in banned.spans(body)]
    taken = [(s, e) for s, e, _ in marks]
    marks += [(start, end, "suspect") for start, end in suspect.spans(body)
              if not any(s < end and start < e for s, e in taken)]
    taken = [(s, e) for s, e, _ in marks]
    for reason in house_why or ():
        marks += [(start, end, "house") for start, end in reason["spans"]
                  if 0 <= start < end <= len(body) and not any(s < end and start < e for s, e in taken)]
    marks.sort()
    out, position = [], 0
    titles = {"banned": gettext("banned word"), "suspect": gettext("suspect word"),
              "house": gettext("pushed the house model's score up")}
    for start, end, kind in marks:
        if start < position:
            continue
        title = titles[kind]
        out.append(escape(body[position:start]))
        out.append(Markup('<mark class="{}" title="{}">{}</mark>').format(kind, title, body[start:end]))
        position = end
    out.append(escape(body[position:]))
    return Markup("").join(out)


def actor_name(actor: str | None, names: dict[str, str]) -> str:
    if not actor:
        return ""
    if actor == "auto":
        return gettext("automatic")
    return names.get(actor, actor.removeprefix("user:"))


def count_label(count: tuple[int, bool]) -> str:
    value, capped = count
    return number(value) + ("+" if capped else "")


def n_new(count: int) -> str:
    return ngettext("%(num)s new comment", "%(num)s new comments", count)


def setting_value(value) -> str:
    """A configuration value as the settings page shows it (lists and tables on one line)."""
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v:g}" for k, v in value.items()) or gettext("off")
    if isinstance(value, list):
        return ", ".join(value) or gettext("none")
    if isinstance(value, float):
        return f"{value:g} h"
    return str(value)


def decision_reason(reason: str | None, labels: dict[str, str] | None = None) -> str:
    """A decision's reason as people read it (the card's "decided" line): reason_label, the one
    mapping of reason codes; ``labels`` is kept for the templates that pass it."""
    return reason_label(reason)
