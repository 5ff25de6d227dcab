"""Perspective's request bodies (commentanalyzer v1alpha1), field names as Perspective spells them.

Fields we do not use (context, sessionId, communityId on analyze) are accepted and ignored,
as are fields we do not know, so that any Perspective client works.
"""
from marshmallow import EXCLUDE, Schema, fields, validate


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class TextEntry(_Lenient):
    text = fields.String(load_default=None)
    type = fields.String(load_default=None)


class AttributeParameters(_Lenient):
    scoreType = fields.String(load_default=None)
    scoreThreshold = fields.Float(load_default=None, validate=validate.Range(min=0, max=1))


class AnalyzeCommentRequest(_Lenient):
    comment = fields.Nested(TextEntry, load_default=None)
    requestedAttributes = fields.Dict(keys=fields.String(), values=fields.Nested(AttributeParameters, allow_none=True),
                                      load_default=None)
    languages = fields.List(fields.String(), load_default=None)
    doNotStore = fields.Boolean(load_default=False)
    clientToken = fields.String(load_default=None)
    sessionId = fields.String(load_default=None)
    communityId = fields.String(load_default=None)
    spanAnnotations = fields.Boolean(load_default=False)
    dropUnsupportedAttributes = fields.Boolean(load_default=False)


class Score(_Lenient):
    value = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    type = fields.String(load_default=None)


class SpanScore(_Lenient):
    # UTF-16 code units of comment.text, end exclusive; Perspective requires both.
    begin = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    score = fields.Nested(Score, required=True)


class AttributeScore(_Lenient):
    # One of the two at least (checked by the service, which names the attribute).
    summaryScore = fields.Nested(Score, load_default=None)
    spanScores = fields.List(fields.Nested(SpanScore), load_default=None)


class SuggestCommentScoreRequest(_Lenient):
    comment = fields.Nested(TextEntry, load_default=None)
    attributeScores = fields.Dict(keys=fields.String(), values=fields.Nested(AttributeScore), load_default=None)
    languages = fields.List(fields.String(), load_default=None)
    clientToken = fields.String(load_default=None, validate=validate.Length(max=256))
    communityId = fields.String(load_default=None, validate=validate.Length(max=256))
