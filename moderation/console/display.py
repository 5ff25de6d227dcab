"""Template helpers: times in the site's zone, time left before closing, highlighted words,
score bars and people's names. Everything that reaches the page is escaped here or by Jinja."""
from __future__ import annotations

from datetime import datetime, timedelta

import flask_babel
from flask import g
from flask_babel import format_datetime, format_time
from markupsafe import Markup, escape

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
    }


def score_rows(scores: dict[str, float | None] | None) -> list[tuple[str, str, float]]:
    """(key, label, value) for the seven classes (and any other the model gave), in a fixed
    order; a class the model does not produce (null) has no row."""
    given = {k: v for k, v in (scores or {}).items() if v is not None}
    keys = [k for k in SCORE_CLASSES if k in given] + sorted(k for k in given if k not in SCORE_CLASSES)
    return [(key, score_label(key), float(given[key])) for key in keys]


def highest(scores: dict[str, float | None] | None) -> tuple[str, float] | None:
    given = {k: v for k, v in (scores or {}).items() if v is not None}
    if not given:
        return None
    key = max(given, key=lambda k: (given[k], k))
    return score_label(key), float(given[key])


def when(moment: datetime | None) -> str:
    """A short date and time in the console's time zone (Flask-Babel's default timezone)."""
    if moment is None:
        return ""
    return format_datetime(moment, "short")


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
        return gettext("paused until %(time)s", time=format_time(resumes_at, "HH:mm"))
    return gettext("paused until %(time)s", time=when(resumes_at))


def pauses_at(moment: datetime, now: datetime) -> str:
    """When an open thread's next quiet hours begin, on the console's clock."""
    if moment - now < timedelta(days=1):
        return gettext("pauses at %(time)s", time=format_time(moment, "HH:mm"))
    return gettext("pauses at %(time)s", time=when(moment))


def time_left(closes_at: datetime, is_open: bool, now: datetime) -> str:
    if not is_open or closes_at <= now:
        return gettext("closed")
    return gettext("closes in %(left)s", left=duration((closes_at - now).total_seconds()))


def highlight(body: str, banned: WordList, suspect: WordList) -> Markup:
    """The body as text, with banned and suspect words wrapped in <mark>."""
    marks = [(start, end, "banned") for start, end in banned.spans(body)]
    taken = [(s, e) for s, e, _ in marks]
    marks += [(start, end, "suspect") for start, end in suspect.spans(body)
              if not any(s < end and start < e for s, e in taken)]
    marks.sort()
    out, position = [], 0
    for start, end, kind in marks:
        if start < position:
            continue
        title = gettext("banned word") if kind == "banned" else gettext("suspect word")
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
    return f"{value:,}+" if capped else f"{value:,}"


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


def decision_reason(reason: str | None, labels: dict[str, str]) -> str:
    """A decision's reason as people read it: the reason's label and the note after it (the
    log stores "code: note"), "author banned" for a ban's rejections, else the text as given."""
    if not reason:
        return ""
    if reason == "banned author":  # review.service.BAN_REJECTION
        return gettext("author banned")
    code, _, note = reason.partition(": ")
    if code in labels:
        return f"{labels[code]}: {note}" if note else labels[code]
    return reason
