from marshmallow import Schema, fields, validate

from moderation.comments.models import STATUSES
from moderation.comments.schemas import FullComment
from moderation.review.models import REPORT_REASONS
from moderation.schemas import (
    ARTICLE_ID,
    LOG_CURSORS,
    NO_NUL,
    QUEUE_CURSORS,
    CleanText,
    PageArgs,
    StrictSchema,
    UtcDateTime,
    author_id_field,
)
from moderation.scoring.schemas import ScoringStateOut

ACTION = validate.OneOf(["approve", "reject"])


class QueueArgs(PageArgs):
    order = fields.String(load_default="oldest", validate=validate.OneOf(["oldest", "newest", "toxicity", "house"]),
                          metadata={"description": "house: the house model's score, most likely rejected first. "
                                                   "Ignored when a cursor is given: the cursor continues its order"})
    cursor = QUEUE_CURSORS.field()
    article_id = fields.String(load_default=None, validate=ARTICLE_ID)
    language = fields.String(load_default=None, validate=[validate.Length(min=2, max=8), NO_NUL])
    min_toxicity = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=1))
    max_toxicity = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=1))
    reported = fields.Boolean(load_default=None)


class QueueComment(FullComment):
    decided_by = fields.String(allow_none=True)


class QueueArticle(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    closes_at = UtcDateTime(required=True)
    open = fields.Boolean(required=True)
    locked_at = UtcDateTime(allow_none=True)


class ReportOut(Schema):
    id = fields.Integer(required=True)
    comment_id = fields.Integer(required=True)
    reporter_id = fields.String(required=True, allow_none=True,
                                metadata={"description": "null once the reader who filed it was erased"})
    reason = fields.String(required=True)
    note = fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)


class AuthorHistory(Schema):
    approved = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class QueueItemOut(Schema):
    comment = fields.Nested(QueueComment, required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), allow_none=True, required=True,
                         metadata={"description": "Every class; null where the comment's model does not produce it"})
    # Whether the scorer is still on it, or gave up ("failed": an admin may retry).
    scoring = fields.Nested(ScoringStateOut, required=True)
    language = fields.Function(lambda item: item.comment.language, allow_none=True, metadata={"type": "string"})
    model = fields.String(allow_none=True, metadata={"description": "The model that scored it ([scoring.models])"})
    house_model = fields.String(allow_none=True, metadata={
        "description": "The house model whose score is scores.house (e.g. house-v3); null: none was current"})
    language_covered = fields.Boolean(allow_none=True, metadata={
        "description": "false: no configured model covers the comment's language (never auto-approved)"})
    flagged_words = fields.List(fields.String(), required=True)
    article = fields.Nested(QueueArticle, required=True)
    author_history = fields.Nested(AuthorHistory, required=True)
    reports = fields.List(fields.Nested(ReportOut), required=True)


class QueuePageOut(Schema):
    items = fields.List(fields.Nested(QueueItemOut), required=True)
    total = fields.Integer(required=True, metadata={
        "description": "Comments waiting that match the filters; exact up to 10,000 (see total_capped)"})
    total_capped = fields.Boolean(required=True, metadata={"description": "More than 10,000 wait: total is 10,000"})
    next_cursor = fields.String(allow_none=True)


class DecisionIn(StrictSchema):
    action = fields.String(required=True, validate=ACTION)
    reason = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    expected_version = fields.Integer(load_default=None, allow_none=True, strict=True,
                                      validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "The comment's version the moderator saw (queue item or comment read). Any change "
                       "since (another decision, a new report, a score, an erasure) answers 409 conflict."})
    expected_status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "The status the moderator saw; the older, weaker check (it cannot see a report that "
                       "arrived meanwhile). When neither expected_version nor expected_status is sent, "
                       "\"pending\" is expected."})


class DecisionOut(Schema):
    comment = fields.Nested(QueueComment, required=True)
    previous_status = fields.String(required=True)


class BulkDecisionItem(DecisionIn):
    comment_id = fields.Integer(required=True, strict=True)


class BulkDecisionsIn(StrictSchema):
    decisions = fields.List(fields.Nested(BulkDecisionItem), required=True,
                            validate=validate.Length(min=1, max=100))


class BulkResultOut(Schema):
    comment_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    status = fields.String(allow_none=True)
    previous_status = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    error = fields.Dict(allow_none=True)


class BulkDecisionsOut(Schema):
    results = fields.List(fields.Nested(BulkResultOut), required=True)


class LogArgs(PageArgs):
    cursor = LOG_CURSORS.field()
    article_id = fields.String(load_default=None, validate=ARTICLE_ID)
    comment_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**63 - 1))
    actor = fields.String(load_default=None, validate=[validate.Length(min=1, max=128), NO_NUL])
    action = fields.String(load_default=None, validate=[validate.Length(min=1, max=32), NO_NUL])


class AuditEntryOut(Schema):
    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    article_id = fields.String(allow_none=True)
    comment_id = fields.Integer(allow_none=True)
    author_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    previous_status = fields.String(allow_none=True)
    new_status = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)


class LogPageOut(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut), required=True)
    next_cursor = fields.String(allow_none=True)


class ReportIn(StrictSchema):
    reporter_id = CleanText(required=True, blank=False, single_line=True, validate=validate.Length(max=128))
    reason = fields.String(required=True, validate=validate.OneOf(REPORT_REASONS))
    note = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ReasonIn(StrictSchema):
    reason = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class AuthorRef(StrictSchema):
    # In the body, not the path: an author id may hold any character ("/", "%", spaces, non-ASCII).
    author_id = author_id_field()


class AuthorReasonRef(AuthorRef):
    reason = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class AuthorStateOut(Schema):
    author_id = fields.String(required=True)
    banned = fields.Boolean(required=True)
    banned_at = UtcDateTime(allow_none=True)
    banned_by = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class ErasedCounts(Schema):
    comments = fields.Integer(required=True, metadata={"description": "Comments whose body, name, digest, "
                                                                      "idempotency key and address were removed"})
    reports_on_comments = fields.Integer(required=True, metadata={"description": "Reports on those comments, deleted"})
    reports_filed = fields.Integer(required=True, metadata={
        "description": "Reports the author filed as a reader, kept without reporter id or note"})
    idempotency_keys = fields.Integer(required=True)
    reader_addresses = fields.Integer(required=True)
    audit_reasons = fields.Integer(required=True, metadata={"description": "Free-text audit reasons blanked"})
    ban_reasons = fields.Integer(required=True)
    author_notes = fields.Integer(required=True, metadata={"description": "Moderators' notes on the author deleted"})


class ErasureOut(Schema):
    author_id = fields.String(required=True)
    erased_comments = fields.Integer(required=True, metadata={"description": "Same as erased.comments"})
    erased = fields.Nested(ErasedCounts, required=True)
