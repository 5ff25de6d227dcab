"""The console's forms (WTForms). CSRF is checked once for every console POST by CSRFProtect
(see web.py), so the forms themselves only validate fields."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from moderation.closing.policy import MAX_WINDOW_HOURS
from moderation.config import REJECT_REASONS
from moderation.review.words import matchable
from moderation.text import InvalidText, clean_text


def positive_id(raw: str | None) -> int | None:
    """A comment or log entry id from a form or a query string, or None if it is not one.

    ASCII digits only (``str.isdigit`` also takes "²", which ``int`` refuses) and within the
    64-bit ids the database holds (a longer number would overflow PostgreSQL's bigint).
    """
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value < 2**63 else None


def storable(raw: str | None, max_length: int = 128) -> str | None:
    """A free-text filter as typed, or None when it is empty or holds what no stored value can
    (a NUL, an unpaired surrogate: PostgreSQL refuses them in a query too)."""
    value = (raw or "").strip()[:max_length]
    try:
        return value if value and clean_text(value) == value else None
    except InvalidText:
        return None


def _clean(form, field) -> None:
    if field.data:
        try:
            field.data = clean_text(field.data).strip()
        except InvalidText:
            raise ValidationError(_l("Contains characters that cannot be stored.")) from None


def _printable(form, field) -> None:
    """No control character (a NUL would reach PostgreSQL, which refuses it in a query)."""
    if field.data and any(ord(c) < 32 or ord(c) == 127 for c in field.data):
        raise ValidationError(_l("Contains characters that cannot be stored.")) from None


class Form(FlaskForm):
    class Meta:
        csrf = False  # checked by CSRFProtect for the whole console blueprint


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=200), _printable])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password (12 characters or more)"),
                                 validators=[DataRequired(), Length(min=12, max=1024)])
    repeat_password = PasswordField(_l("New password again"), validators=[DataRequired()])

    def validate_repeat_password(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords differ."))


class LanguageForm(Form):
    language = SelectField(_l("Language"), choices=[("", _l("As my browser")), ("en", "English"),
                                                    ("fr", "Français"), ("de", "Deutsch"),
                                                    ("it", "Italiano")], validate_choice=True)


class DecisionForm(Form):
    action = SelectField(choices=[("approve", "approve"), ("reject", "reject")], validators=[InputRequired()])
    reason = RadioField(_l("Reason"), choices=[(r, r) for r in REJECT_REASONS], validators=[Optional()])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500), _clean])
    # The version the moderator saw: a decision on a card that changed meanwhile is a conflict.
    expected_version = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])

    def audit_reason(self) -> str | None:
        """What the log records: the reason's code, and the note after it."""
        parts = [p for p in (self.reason.data if self.action.data == "reject" else None, self.note.data) if p]
        return ": ".join(parts) or None


class FeatureForm(Form):
    """Feature ("1") or unfeature ("0") an approved comment; ``mode`` is how its card was shown."""

    featured = SelectField(choices=[("1", "1"), ("0", "0")], validators=[InputRequired()])
    mode = SelectField(choices=[("waiting", "waiting"), ("decided", "decided")], validators=[Optional()],
                       validate_choice=False)


class BulkForm(Form):
    action = SelectField(choices=[("approve", "approve"), ("reject", "reject")], validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=[("", "")] + [(r, r) for r in REJECT_REASONS],
                         validators=[Optional()])

    def decisions(self, form_data) -> list[dict]:
        """One decision per ticked card, each with the version its card showed."""
        items = []
        for raw in form_data.getlist("comment_id")[:100]:
            comment_id, expected = positive_id(raw), positive_id(form_data.get(f"expected_{raw}"))
            if comment_id is None or expected is None or expected >= 2**31:
                continue
            items.append({"comment_id": comment_id, "action": self.action.data,
                          "reason": (self.reason.data or None) if self.action.data == "reject" else None,
                          "expected_version": expected})
        return items


class BanForm(Form):
    author_id = StringField(validators=[DataRequired(), Length(max=128)])
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500), _clean])
    reject_waiting = BooleanField(_l("Also reject all their waiting comments"))


class AuthorForm(Form):
    author_id = StringField(validators=[DataRequired(), Length(max=128)])
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500), _clean])


class NoteForm(Form):
    author_id = StringField(validators=[InputRequired(), Length(max=128)])
    body = StringField(_l("Note"), validators=[DataRequired(), Length(min=1, max=1000), _clean])


class EraseForm(Form):
    author_id = StringField(validators=[DataRequired(), Length(max=128)])
    confirm = StringField(_l("Type the author id to confirm"), validators=[DataRequired(), Length(max=128)])

    def validate_confirm(self, field) -> None:
        if field.data != self.author_id.data:
            raise ValidationError(_l("Type the author id exactly to confirm the erasure."))


class LockForm(Form):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500), _clean])


class WindowForm(Form):
    close_after_hours = FloatField(_l("Window in hours (empty: the site window)"),
                                   validators=[Optional(), NumberRange(min=0.01, max=MAX_WINDOW_HOURS)])


class UndoForm(Form):
    comment_id = StringField(validators=[Optional()])


# --- administrators: accounts and settings (issue 22, point 7) ----------------------------------
# Every message is the console's own (translated), never WTForms' or the service's English.

ROLES = (("moderator", _l("moderator")), ("admin", _l("administrator")))


class NewAccountForm(Form):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(message=_l("Enter an e-mail address.")),
        Length(max=120, message=_l("At most %(max)d characters.")), _printable])
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Enter the name shown in the console.")),
        Length(max=200, message=_l("At most %(max)d characters.")), _clean])
    role = SelectField(_l("Role"), choices=ROLES, validate_choice=False)

    def validate_role(self, field) -> None:
        if field.data not in dict(ROLES):
            raise ValidationError(_l("Pick a role."))


class AccountForm(Form):
    """An action on one account (disable, enable, reset, role); ``role`` only for a role change."""

    email = StringField(validators=[DataRequired(), Length(max=120), _printable])
    role = SelectField(_l("Role"), choices=ROLES, validate_choice=False)


MAX_WORDS = 1000
MAX_WORD_LENGTH = 100


class WordsForm(Form):
    words = TextAreaField(_l("One word or phrase a line"), validators=[Optional()])

    def validate_words(self, field) -> None:
        words = self.word_list()
        if len(words) > MAX_WORDS:
            raise ValidationError(_l("At most %(n)s words.", n=MAX_WORDS))
        for word in words:
            if len(word) > MAX_WORD_LENGTH:
                raise ValidationError(_l("“%(word)s” is longer than %(n)s characters.", word=word[:20] + "…",
                                         n=MAX_WORD_LENGTH))
            if any(ord(c) < 32 or ord(c) == 127 for c in word):
                raise ValidationError(_l("Contains characters that cannot be stored."))
            if not matchable(word):  # the settings would refuse it too; said here in the console's language
                raise ValidationError(_l("“%(word)s” is made only of invisible characters.",
                                         word=word.encode("unicode_escape").decode()[:20]))

    def word_list(self) -> list[str]:
        """One entry a line, blank lines and repeats left out, in the order given."""
        seen: dict[str, None] = {}
        for line in (self.words.data or "").splitlines():
            if line.strip():
                seen.setdefault(" ".join(line.split()), None)
        return list(seen)


_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ThresholdsForm(Form):
    thresholds = TextAreaField(_l("One class a line: class = threshold between 0 and 1 (empty: off)"),
                               validators=[Optional()])

    def validate_thresholds(self, field) -> None:
        self.table()

    def table(self) -> dict[str, float]:
        table: dict[str, float] = {}
        for line in (self.thresholds.data or "").splitlines():
            if not line.strip():
                continue
            label, _, raw = line.replace(":", "=").partition("=")
            label = label.strip()
            if not _LABEL.match(label):
                raise ValidationError(_l("“%(line)s”: write class = threshold, e.g. toxicity = 0.9.",
                                         line=line.strip()[:40]))
            try:
                value = float(raw.strip())
            except ValueError:
                value = -1.0
            if not 0 <= value <= 1:
                raise ValidationError(_l("“%(line)s”: the threshold must be a number between 0 and 1.",
                                         line=line.strip()[:40]))
            table[label] = value
        return table


class SiteWindowForm(Form):
    close_after_hours = StringField(_l("Site window in hours"), validators=[
        DataRequired(message=_l("Enter a number of hours."))])

    def validate_close_after_hours(self, field) -> None:
        if self.hours() is None:
            raise ValidationError(_l("The window must be a number of hours between 0.01 and %(max)s.",
                                     max=MAX_WINDOW_HOURS))

    def hours(self) -> float | None:
        try:
            value = float((self.close_after_hours.data or "").strip().replace(",", "."))
        except ValueError:
            return None
        return value if 0.01 <= value <= MAX_WINDOW_HOURS else None
