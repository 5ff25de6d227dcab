from marshmallow import Schema, fields, validate

from moderation.schemas import URL_PATTERN, CleanText, Hours, StrictSchema, UtcDateTime

LANGUAGE_TAG = validate.Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                               error="Must be a language tag such as fr or fr-CH.")


class ArticleIn(StrictSchema):
    title = CleanText(required=True, blank=False, single_line=True, validate=validate.Length(max=500))
    url = fields.String(allow_none=True, validate=[validate.Length(max=2048), validate.Regexp(
        URL_PATTERN, error="Must be an http(s) URL without spaces or control characters.")])
    published_at = UtcDateTime(required=True, bounded=True)
    language = fields.String(allow_none=True, validate=[validate.Length(max=16), LANGUAGE_TAG])
    close_after_hours = Hours(allow_none=True, metadata={
        "description": "This article's window in hours (at most 8760, a year); null: the site's"})
    quiet_hours = fields.Boolean(metadata={
        "description": "false: the thread never pauses in the site's quiet hours (a live blog with a night desk), "
                       "and they never extend its window. Default true; omitted on an update: unchanged"})


class ThreadStatusOut(Schema):
    open = fields.Boolean(required=True, metadata={
        "description": "false once the thread is closed (its deadline passed, or it was locked)"})
    closes_at = UtcDateTime(required=True)
    paused = fields.Boolean(required=True, metadata={
        "description": "true while the open thread is paused by the site's quiet hours: posting is refused with "
                       "409 comments_paused until resumes_at"})
    resumes_at = UtcDateTime(required=True, allow_none=True, metadata={
        "description": "When a paused thread takes comments again; null when it is not paused, or when it "
                       "closes (closes_at) before the pause ends"})
    locked_at = UtcDateTime(allow_none=True)
    lock_reason = fields.String(allow_none=True)
    count = fields.Integer(required=True)


class ArticleOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(allow_none=True)
    published_at = UtcDateTime(required=True)
    language = fields.String(allow_none=True)
    close_after_hours = fields.Float(allow_none=True)
    quiet_hours = fields.Boolean(required=True)
    comments = fields.Nested(ThreadStatusOut, required=True)
