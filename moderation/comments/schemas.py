from marshmallow import Schema, fields, validate

from moderation.comments.models import STATUSES
from moderation.schemas import (
    THREAD_CURSORS,
    CleanText,
    IpAddress,
    PageArgs,
    StrictSchema,
    UtcDateTime,
    author_id_field,
)


class AuthorIn(StrictSchema):
    id = author_id_field()
    name = CleanText(required=True, blank=False, single_line=True, no_bidi_controls=True,
                     validate=validate.Length(max=100))


class NewCommentIn(StrictSchema):
    author = fields.Nested(AuthorIn, required=True)
    # The length limit is configuration ([api] max_comment_length), checked by the service.
    body = CleanText(required=True, blank=False)
    parent_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**63 - 1))
    # The reader's IP address, relayed by the frontend (rate limits per address).
    reader_address = IpAddress(load_default=None, allow_none=True)


class IdempotencyHeader(Schema):
    class Meta:
        unknown = "exclude"  # every other request header

    idempotency_key = fields.String(data_key="Idempotency-Key", load_default=None,
                                    validate=[validate.Length(min=1, max=200),
                                              validate.Regexp(r"^[\x21-\x7e]+$", error="Printable ASCII only.")],
                                    metadata={"description": (
                                        "A key unique to this new comment (a UUID), scoped to your API key: a "
                                        "retry of the same request with it returns the original comment; the "
                                        "same key with another request is refused (422 idempotency_key_reused), "
                                        "as the IETF draft \"The Idempotency-Key HTTP Header Field\" says.")})


class CommentAccepted(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    article_id = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime(required=True)


class PublicAuthor(Schema):
    name = fields.String(required=True)


class PublicComment(Schema):
    """What the public sees of a comment: no author id, no scores (serialised in views.py)."""

    id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    author = fields.Nested(PublicAuthor, required=True)
    body = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    featured = fields.Boolean(required=True, metadata={
        "description": "A moderator featured this comment (a pick of the newsroom)"})


class ThreadArgs(PageArgs):
    cursor = THREAD_CURSORS.field()
    order = fields.String(load_default="oldest", validate=validate.OneOf(["oldest", "newest"]))
    featured = fields.String(load_default="inline", validate=validate.OneOf(["inline", "first"]), metadata={
        "description": "first: featured comments before the others (each group in the chosen order); "
                       "inline (default): featured comments in their place"})


class ThreadPage(Schema):
    comments = fields.List(fields.Nested(PublicComment), required=True)
    count = fields.Integer(required=True)
    next_cursor = fields.String(allow_none=True)


class FullComment(Schema):
    id = fields.Integer(required=True)
    article_id = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    author = fields.Function(lambda c: {"id": c.author_id, "name": c.author_name}, required=True)
    body = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(allow_none=True)
    version = fields.Integer(required=True, metadata={
        "description": "Bumped by every change (decision, report, score, erasure); send it back as "
                       "expected_version with a decision"})
