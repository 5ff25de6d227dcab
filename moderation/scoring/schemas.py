from marshmallow import Schema, fields, validate

from moderation.schemas import UtcDateTime


class ScoringStateOut(Schema):
    """A comment's scoring: scored, waiting in the backlog, or failed (the scorer gave up)."""

    state = fields.String(required=True, validate=validate.OneOf(["scored", "waiting", "failed"]))
    attempts = fields.Integer(required=True, metadata={"description": "Failed attempts since the last retry"})
    error = fields.String(allow_none=True, metadata={"description": "The last error's class (never its message)"})
    failed_at = UtcDateTime(allow_none=True)


class RetryOut(Schema):
    comment_id = fields.Integer(required=True)
    scoring = fields.Nested(ScoringStateOut, required=True)


class FailuresArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    after_id = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1))


class FailedComment(Schema):
    comment_id = fields.Integer(required=True)
    article_id = fields.String(required=True)
    scoring = fields.Nested(ScoringStateOut, required=True)


class FailuresOut(Schema):
    comments = fields.List(fields.Nested(FailedComment), required=True)
