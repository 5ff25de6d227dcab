from datetime import timedelta

from flask.views import MethodView

from moderation.ratelimit import RateLimit, per_api_key
from moderation.schemas import ATTEMPT_CURSORS, DELIVERY_CURSORS, ErrorSchema
from moderation.web import Blueprint, principal, require, runtime, transaction
from moderation.webhooks import schemas, service

blp = Blueprint("webhooks", __name__, description="Webhook endpoints, their deliveries and attempts (admins)",
                rate_limits=[RateLimit("moderation_per_key", per_api_key, scope="admin")])


def _settings():
    return runtime().settings.webhooks


_CODECS = {"deliveries": DELIVERY_CURSORS, "attempts": ATTEMPT_CURSORS}


def _before(raw: str | None, prefix: str) -> int | None:
    if not raw:
        return None
    return _CODECS[prefix].decode(raw)[1][0]  # the schema checked the pattern


def _page(items: list, limit: int, prefix: str) -> dict:
    page, more = items[:limit], len(items) > limit
    return {"items": page, "next_cursor": _CODECS[prefix].encode(prefix, [page[-1].id]) if more else None}


@blp.route("")
class Endpoints(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.EndpointListOut())
    def get(self):
        """Every endpoint, without secrets."""
        with transaction(write=False) as session:
            return {"items": service.list_endpoints(session)}

    @require(blp, "admin")
    @blp.arguments(schemas.EndpointIn())
    @blp.response(201, schemas.EndpointWithSecretOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def post(self, args: dict):
        """Register an endpoint; the signing secret is in this answer only."""
        rt = runtime()
        with transaction() as session:
            endpoint, secret = service.create_endpoint(session, args["url"], args["events"], args["description"],
                                                       principal().name, rt.now(),
                                                       _settings().allow_private_addresses)
        return _WithSecret(endpoint, secret)


class _WithSecret:
    """An endpoint as saved, plus the secret that this one answer shows."""

    def __init__(self, endpoint, secret: str) -> None:
        self._endpoint, self.secret = endpoint, secret

    def __getattr__(self, name: str):
        return getattr(self._endpoint, name)


@blp.route("/<int:endpoint_id>")
class Endpoint(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.EndpointOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, endpoint_id: int):
        """One endpoint, without its secret."""
        with transaction(write=False) as session:
            return service.get_endpoint(session, endpoint_id)

    @require(blp, "admin")
    @blp.arguments(schemas.EndpointChange(), required=False)
    @blp.response(200, schemas.EndpointOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(422, schema=ErrorSchema)
    def patch(self, args: dict, endpoint_id: int):
        """Change the URL, events or description; ``active`` disables or enables it."""
        rt = runtime()
        with transaction() as session:
            endpoint = service.update_endpoint(session, endpoint_id, args, principal().name, rt.now(),
                                               _settings().allow_private_addresses)
        return endpoint


@blp.route("/<int:endpoint_id>/disable")
class Disable(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.DisableIn(), required=False)
    @blp.response(200, schemas.EndpointOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, args: dict, endpoint_id: int):
        """Stop deliveries; waiting ones resume when the endpoint is enabled again."""
        rt = runtime()
        with transaction() as session:
            return service.disable_endpoint(session, endpoint_id, principal().name, args["reason"], rt.now())


@blp.route("/<int:endpoint_id>/enable")
class Enable(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.EndpointOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, endpoint_id: int):
        """Deliver again, starting with the deliveries that waited."""
        rt = runtime()
        with transaction() as session:
            endpoint = service.enable_endpoint(session, endpoint_id, principal().name, rt.now())
        return endpoint


@blp.route("/<int:endpoint_id>/rotate-secret")
class RotateSecret(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.EndpointWithSecretOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, endpoint_id: int):
        """A new signing secret, in this answer only; the previous one also signs for a while."""
        rt = runtime()
        keep = timedelta(hours=_settings().previous_secret_hours)
        with transaction() as session:
            endpoint, secret = service.rotate_secret(session, endpoint_id, principal().name, rt.now(), keep)
        return _WithSecret(endpoint, secret)


@blp.route("/<int:endpoint_id>/test")
class Test(MethodView):
    @require(blp, "admin")
    @blp.response(202, schemas.DeliveryOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The endpoint is disabled")
    def post(self, endpoint_id: int):
        """Queue a signed ``webhook.test`` event for this endpoint."""
        rt = runtime()
        with transaction() as session:
            delivery = service.send_test(session, endpoint_id, principal().name, rt.now())
        return delivery


@blp.route("/<int:endpoint_id>/deliveries")
class Deliveries(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.DeliveriesArgs(), location="query")
    @blp.response(200, schemas.DeliveriesPageOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(422, schema=ErrorSchema)
    def get(self, args: dict, endpoint_id: int):
        """Deliveries to this endpoint, newest first, with their last attempt."""
        before = _before(args["cursor"], "deliveries")
        with transaction(write=False) as session:
            items = service.list_deliveries(session, endpoint_id, state=args["state"], limit=args["limit"] + 1,
                                            before_id=before)
        return _page(items, args["limit"], "deliveries")


@blp.route("/<int:endpoint_id>/attempts")
class Attempts(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.AttemptsArgs(), location="query")
    @blp.response(200, schemas.AttemptsPageOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(422, schema=ErrorSchema)
    def get(self, args: dict, endpoint_id: int):
        """The last attempts, newest first: time, HTTP status, latency and error."""
        before = _before(args["cursor"], "attempts")
        with transaction(write=False) as session:
            items = service.list_attempts(session, endpoint_id, limit=args["limit"] + 1, before_id=before)
        return _page(items, args["limit"], "attempts")


@blp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
class Redeliver(MethodView):
    @require(blp, "admin")
    @blp.response(202, schemas.DeliveryOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, endpoint_id: int, delivery_id: int):
        """Send this delivery again now, whatever its state, with a fresh retry window."""
        rt = runtime()
        with transaction() as session:
            delivery = service.redeliver(session, endpoint_id, delivery_id, principal().name, rt.now())
        return delivery


@blp.route("/<int:endpoint_id>/redeliver")
class RedeliverEvent(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.RedeliverEventIn())
    @blp.response(202, schemas.DeliveryOut())
    @blp.alt_response(404, schema=ErrorSchema, description="No such endpoint")
    @blp.alt_response(409, schema=ErrorSchema, description="No such event (unknown, or pruned)")
    def post(self, args: dict, endpoint_id: int):
        """Send one event (by its event_id) to this endpoint again, or for the first time."""
        rt = runtime()
        with transaction() as session:
            delivery = service.redeliver_event(session, endpoint_id, args["event_id"], principal().name, rt.now())
        return delivery
