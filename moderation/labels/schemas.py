from marshmallow import Schema, fields, validate

from moderation.schemas import NO_NUL, StrictSchema, UtcDateTime


class ReportArgs(StrictSchema):
    since = UtcDateTime(load_default=None, bounded=True, metadata={"description": "Only labels from this time on"})
    language = fields.String(load_default=None, validate=[validate.Length(min=2, max=8), NO_NUL])


class RejectThresholdOut(Schema):
    threshold = fields.Float(required=True, metadata={"description": "Lowest auto_reject_above with precision >= 0.99"})
    precision = fields.Float(required=True)
    decided = fields.Integer(required=True, metadata={"description": "Labelled comments it would have rejected"})


class ApproveThresholdOut(Schema):
    threshold = fields.Float(required=True,
                             metadata={"description": "Highest auto_approve_below missing <= 1 % of rejections"})
    missed_rejections = fields.Integer(required=True)
    missed_share = fields.Float(required=True)
    decided = fields.Integer(required=True, metadata={"description": "Labelled comments it would have approved"})


class ClassReportOut(Schema):
    labels = fields.Integer(required=True)
    rejections = fields.Integer(required=True)
    roc_auc = fields.Float(allow_none=True, required=True)
    average_precision = fields.Float(allow_none=True, required=True)
    auto_reject_above = fields.Nested(RejectThresholdOut, allow_none=True, required=True)
    auto_approve_below = fields.Nested(ApproveThresholdOut, allow_none=True, required=True)
    note = fields.String()


class GroupReportOut(Schema):
    model = fields.String(required=True)
    language = fields.String(allow_none=True, required=True)
    labels = fields.Integer(required=True)
    rejections = fields.Integer(required=True)
    sources = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    classes = fields.Dict(keys=fields.String(), values=fields.Nested(ClassReportOut), required=True)


class ModelReportOut(Schema):
    since = UtcDateTime(allow_none=True, required=True)
    language = fields.String(allow_none=True, required=True)
    groups = fields.List(fields.Nested(GroupReportOut), required=True)
