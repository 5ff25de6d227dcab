from marshmallow import Schema, fields, validate

from moderation.events.service import EVENT_TYPES
from moderation.schemas import (
    ATTEMPT_CURSORS,
    DELIVERY_CURSORS,
    NO_NUL,
    RECEIVER_URL_PATTERN,
    CleanText,
    PageArgs,
    StrictSchema,
    UtcDateTime,
)
from moderation.webhooks.models import DELIVERY_STATES

EVENTS_HELP = f"Event types to receive, among: {', '.join(EVENT_TYPES)}"
URL_HELP = "http(s) URL; loopback, private and link-local addresses are refused by default"


def _events(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), validate=validate.Length(min=1, max=50),
                       metadata={"description": EVENTS_HELP}, **kwargs)


def _url(**kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=2048), validate.Regexp(
        RECEIVER_URL_PATTERN, error="Must be an http(s) URL with a host, without user name, password or fragment.")],
        metadata={"description": URL_HELP}, **kwargs)


def _description(**kwargs) -> CleanText:
    return CleanText(allow_none=True, single_line=True, validate=validate.Length(max=200), **kwargs)


class EndpointIn(StrictSchema):
    url = _url(required=True)
    events = _events(required=True)
    description = _description(load_default=None)


class EndpointChange(StrictSchema):
    url = _url()
    events = _events()
    description = _description()
    active = fields.Boolean(metadata={"description": "false disables the endpoint; true enables it again"})


class EndpointOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(allow_none=True)
    events = fields.List(fields.String(), required=True, attribute="event_types")
    state = fields.String(required=True, metadata={"description": "active or disabled"})
    disabled_reason = fields.String(allow_none=True)
    disabled_at = UtcDateTime(allow_none=True)
    failing_since = UtcDateTime(allow_none=True, metadata={"description": "First failure since the last success"})
    previous_secret_expires_at = UtcDateTime(allow_none=True, metadata={
        "description": "After a rotation, deliveries are also signed with the previous secret until then"})
    created_by = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class EndpointWithSecretOut(EndpointOut):
    secret = fields.String(required=True, metadata={
        "description": "The Standard Webhooks signing secret (whsec_…); shown this once only"})


class EndpointListOut(Schema):
    items = fields.List(fields.Nested(EndpointOut), required=True)


class DisableIn(StrictSchema):
    reason = CleanText(load_default=None, allow_none=True, single_line=True, validate=validate.Length(max=300))


class DeliveryOut(Schema):
    id = fields.Integer(required=True)
    event_id = fields.String(required=True, metadata={"description": "Also the webhook-id header"})
    event_type = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "pending, delivered or failed (gave up)"})
    attempts = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    next_attempt_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    last_attempt_at = UtcDateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True)
    last_latency_ms = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    payload = fields.Dict(required=True)


class AttemptsArgs(PageArgs):
    cursor = ATTEMPT_CURSORS.field()


class DeliveriesArgs(PageArgs):
    cursor = DELIVERY_CURSORS.field()
    state = fields.String(load_default=None, validate=validate.OneOf(DELIVERY_STATES))


class DeliveriesPageOut(Schema):
    items = fields.List(fields.Nested(DeliveryOut), required=True)
    next_cursor = fields.String(allow_none=True)


class AttemptOut(Schema):
    id = fields.Integer(required=True)
    delivery_id = fields.Integer(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    attempted_at = UtcDateTime(required=True)
    number = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    status = fields.Integer(allow_none=True, metadata={"description": "The receiver's HTTP status, if it answered"})
    latency_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class AttemptsPageOut(Schema):
    items = fields.List(fields.Nested(AttemptOut), required=True)
    next_cursor = fields.String(allow_none=True)


class RedeliverEventIn(StrictSchema):
    event_id = fields.String(required=True, validate=[validate.Length(min=1, max=40), NO_NUL])
