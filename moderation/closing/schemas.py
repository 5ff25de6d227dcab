from marshmallow import validate

from moderation.schemas import CleanText, Hours, StrictSchema


class LockIn(StrictSchema):
    reason = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class UnlockIn(StrictSchema):
    # The new window, counted from now; omitted or null: the site window.
    close_after_hours = Hours(load_default=None, allow_none=True)
