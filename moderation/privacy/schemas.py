"""The subject-access export's document, as the OpenAPI reference describes it."""
from marshmallow import Schema, fields

from moderation.schemas import UtcDateTime


class ExportedComment(Schema):
    id = fields.Integer(required=True)
    article_id = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    author_name = fields.String(required=True)
    body = fields.String(required=True)
    status = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(required=True, allow_none=True)
    language = fields.String(required=True, allow_none=True)
    reader_address = fields.String(required=True, allow_none=True)
    flagged_words = fields.List(fields.String(), required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True, allow_none=True)
    model = fields.String(required=True, allow_none=True)
    erased_at = UtcDateTime(required=True, allow_none=True)


class ExportedReport(Schema):
    id = fields.Integer(required=True)
    comment_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    cleared_at = UtcDateTime(required=True, allow_none=True)


class ExportedAuditEntry(Schema):
    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    action = fields.String(required=True)
    automatic = fields.Boolean(required=True, metadata={"description": "Decided by the classifier, not a person"})
    article_id = fields.String(required=True, allow_none=True)
    comment_id = fields.Integer(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    previous_status = fields.String(required=True, allow_none=True)
    new_status = fields.String(required=True, allow_none=True)


class ExportedBan(Schema):
    banned_at = UtcDateTime(required=True)
    reason = fields.String(required=True, allow_none=True)


class ExportedNote(Schema):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class ExportOut(Schema):
    format = fields.String(required=True, metadata={"description": "moderation-subject-access/1"})
    author_id = fields.String(required=True)
    exported_at = UtcDateTime(required=True)
    comments = fields.List(fields.Nested(ExportedComment), required=True)
    reports_filed = fields.List(fields.Nested(ExportedReport), required=True)
    audit_entries = fields.List(fields.Nested(ExportedAuditEntry), required=True)
    ban = fields.Nested(ExportedBan, required=True, allow_none=True)
    moderator_notes = fields.List(fields.Nested(ExportedNote), required=True,
                                  metadata={"description": "What moderators noted about the person (not who wrote it)"})
