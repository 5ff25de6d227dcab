"""Flask glue shared by the views: the runtime, transactions, authentication, the blueprint
class with our argument parser, and the error envelope registered once for the whole app."""
from __future__ import annotations

import functools
import logging
import re
from typing import Any, Callable, Iterable

from flask import Flask, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import fields as ma_fields
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_list_header

from moderation.auth.service import Principal
from moderation.errors import (
    ApiError,
    Forbidden,
    InternalError,
    InvalidJson,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    ValidationError,
)
from moderation.logs import redacted
from moderation.runtime import Runtime
from moderation.schemas import ErrorSchema, normalise_address

log = logging.getLogger(__name__)


def runtime() -> Runtime:
    return current_app.extensions["moderation"]


def transaction(write: bool = True):
    return runtime().db.transaction(write=write)


TOO_DEEP = "The JSON body is nested too deeply."


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested deeper than the parser's recursion limit read as
    malformed (a ValueError: ``get_json`` answers 400, ``get_json(silent=True)`` None)
    instead of a RecursionError that would end as a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(TOO_DEEP) from None


class _Parser(FlaskParser):
    """Malformed JSON is a 400 invalid_json, not webargs' generic 400."""

    DEFAULT_VALIDATION_STATUS = 422

    def _handle_invalid_json_error(self, error: Any, req: Any, *args: Any, **kwargs: Any):
        raise InvalidJson(details={"reason": str(error)[:200]})

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:  # about 1 KB of "[" is malformed input like any other
            return self._handle_invalid_json_error(ValueError(TOO_DEEP), req)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise ValidationError(details=_flatten_locations(error.normalized_messages()))

    def load_json(self, req: Any, schema: Any) -> Any:
        """JSON values must have the JSON type the document states: "9" is not a number and 0
        is not a boolean (marshmallow alone would take both)."""
        data = super().load_json(req, schema)
        if isinstance(data, dict):
            problems = _json_type_problems(schema, data)
            if problems:
                raise ValidationError(details=problems)
        return data

    def load_querystring(self, req: Any, schema: Any) -> Any:
        """A parameter documented as one value, given several times, is refused (not silently
        read as its first value)."""
        repeated = {name: ["Give this parameter once."] for name, values in req.args.lists()
                    if len(values) > 1 and name in schema.fields
                    and not isinstance(schema.fields[name], (ma_fields.List, ma_fields.Tuple))}
        if repeated:
            raise ValidationError(details=repeated)
        return super().load_querystring(req, schema)


def _json_type_problems(schema: Any, data: dict) -> dict:
    problems: dict = {}
    for field in schema.fields.values():
        key = field.data_key or field.name
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if isinstance(field, ma_fields.Boolean) and not isinstance(value, bool):
            problems[key] = ["Must be true or false."]
        elif isinstance(field, ma_fields.Number) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems[key] = ["Must be a number."]
        elif isinstance(field, ma_fields.Nested) and isinstance(value, dict):
            nested = _json_type_problems(field.schema, value)
            if nested:
                problems[key] = nested
    return problems


def _flatten_locations(messages: dict) -> dict:
    """webargs nests messages by location ({"json": {...}}); clients want fields."""
    flat: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint with our argument parser, and the rate limits of its routes
    (``rate_limits``: a list of moderation.ratelimit.RateLimit, applied by the app factory)."""

    ARGUMENTS_PARSER = _Parser()

    def __init__(self, *args: Any, rate_limits: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rate_limits = list(rate_limits)


# --- request helpers ------------------------------------------------------------------

def json_body() -> dict:
    """The request's JSON object, or {} (malformed bodies get their 4xx from the parser)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def reader_address(payload: dict | None = None) -> str | None:
    """The reader's IP address: the comment's ``reader_address``, else X-Forwarded-For.

    The frontend relays every reader's comment from its own server, so the connection's
    address is the frontend's and is never used. ``payload`` is the validated body (its
    address already canonical); without it the raw body is read (the rate limiter's keys run
    before validation), and an invalid address counts as none.

    X-Forwarded-For is read exactly as werkzeug's ``ProxyFix(x_for=N)`` reads it, with
    N = ``[ratelimit] trusted_proxies``: the header's values (all X-Forwarded-For headers
    joined, as the WSGI server passes them) are split on commas, and the N-th from the right
    is the reader's, the one the outermost trusted proxy saw; with fewer than N values, or
    N = 0, there is none. With N = 1 and ``X-Forwarded-For: 10.0.0.1, 203.0.113.9`` the
    reader is 203.0.113.9 (10.0.0.1 is only what the reader's client claimed).
    """
    if payload is not None:
        given = payload.get("reader_address")
        if given is not None:
            return given
    else:
        given = json_body().get("reader_address")
        if isinstance(given, str):
            return _address_or_none(given)
    return forwarded_address(runtime().settings.ratelimit.trusted_proxies)


def forwarded_address(hops: int) -> str | None:
    """The address the outermost of ``hops`` trusted proxies saw: X-Forwarded-For read exactly
    as werkzeug's ProxyFix(x_for=hops) reads it (see reader_address); None when there is none."""
    value = _forwarded("HTTP_X_FORWARDED_FOR", hops)
    return _address_or_none(value) if value is not None else None


# A forwarded host as ProxyFix would take it, minus what no proxy sends: userinfo, paths, spaces.
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")


def external_root_url(hops: int) -> str:
    """The scheme, host and root path this request came to, ending in "/". Behind ``hops``
    trusted proxies ([ratelimit] trusted_proxies), X-Forwarded-Proto, -Host and -Port are read
    as werkzeug's ProxyFix(x_proto=hops, x_host=hops, x_port=hops) reads them: the value the
    outermost trusted proxy set. A forwarded value that is no scheme, host or port is ignored."""
    scheme = request.scheme
    host = request.host if _HOST.match(request.host) else request.environ.get("SERVER_NAME", "localhost")
    if hops:
        proto = _forwarded("HTTP_X_FORWARDED_PROTO", hops)
        if proto in ("http", "https"):
            scheme = proto
        forwarded_host = _forwarded("HTTP_X_FORWARDED_HOST", hops)
        if forwarded_host and _HOST.match(forwarded_host):
            host = forwarded_host
        port = _forwarded("HTTP_X_FORWARDED_PORT", hops)
        if port and port.isdigit() and 0 < int(port) < 65536:
            host = f"{_HOST.match(host).group(1)}:{port}"
    return f"{scheme}://{host}{request.script_root}/"


def _forwarded(name: str, hops: int) -> str | None:
    """The value of an X-Forwarded-* header that the outermost of ``hops`` trusted proxies
    set, read as werkzeug's ProxyFix reads it (all such headers joined, split as a list,
    the ``hops``-th from the right); None when there is none."""
    values = parse_list_header(request.environ.get(name) or "")
    return values[-hops] if hops and len(values) >= hops else None


def _address_or_none(value: str) -> str | None:
    try:
        return normalise_address(value)
    except ValueError:
        return None


# --- authentication -------------------------------------------------------------------

BEARER = [{"bearerAuth": []}]


# --- cacheable public reads ---------------------------------------------------------------

def client_has_current(tag: str) -> bool:
    """Whether the request's If-None-Match names ``tag`` (or is "*"): strong comparison."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    return tag in (part.strip() for part in header.split(","))


def public_cache(response: Any, tag: str, article_id: str) -> Any:
    """The headers that let a CDN or browser cache a public read and revalidate it:
    the ETag, how long it may be served ([public] max_age, then stale while revalidating),
    and the surrogate key a site purges when ``thread.changed`` names the article."""
    settings = runtime().settings.public
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = (f"public, max-age={settings.max_age}, "
                                         f"stale-while-revalidate={settings.stale_while_revalidate}")
    response.headers["Surrogate-Key"] = f"article-{article_id}"
    response.headers["Vary"] = "Accept-Encoding"
    return response


def not_modified(tag: str, article_id: str) -> Any:
    """304: the client's copy is current (no body, the same caching headers)."""
    return public_cache(current_app.response_class(status=304), tag, article_id)


def principal() -> Principal:
    return g.principal


def require(blp: Blueprint, *roles: str) -> Callable:
    """Only keys with one of ``roles`` (or admin) may call the view; documented in OpenAPI."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.principal = authenticate(*roles)
            return view(*args, **kwargs)

        wrapper = blp.doc(security=BEARER)(wrapper)
        wrapper = blp.alt_response(401, schema=ErrorSchema, description="Missing or unknown API key")(wrapper)
        return blp.alt_response(403, schema=ErrorSchema, description="This key's role may not do this")(wrapper)

    return decorator


def authenticate(*roles: str) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Unauthorized()
    rt = runtime()
    found = rt.keys.verify(rt.db.session, token)
    if found is None:
        raise Unauthorized()
    if not found.may(*roles):
        raise Forbidden(details={"role": found.role, "required": list(roles)})
    return found


# --- the error envelope ---------------------------------------------------------------

_HTTP_ERRORS = {400: ApiError, 404: NotFound, 405: MethodNotAllowed, 413: PayloadTooLarge,
                415: UnsupportedMediaType}


def register_error_handlers(app: Flask) -> None:
    """Every error leaves the service in the same envelope, with a machine-readable code."""

    def render(error: ApiError):
        response = app.json.response(error.envelope())
        response.status_code = error.status
        for name, value in error.headers.items():
            response.headers[name] = value
        return response

    @app.errorhandler(ApiError)
    def on_api_error(error: ApiError):
        return render(error)

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException):
        # A face with pages of its own (the console) shows its routing errors as a page: a
        # person typed that address, no program did.
        for prefix, page in app.extensions.get("moderation.error_pages", []):
            if error.code in (404, 405) and (request.path == prefix or request.path.startswith(prefix + "/")):
                return page(error)
        if error.code == 422:
            messages = getattr(error, "data", {}).get("messages", {})
            return render(ValidationError(details=_flatten_locations(messages)))
        if error.code == 429:
            # Flask-Limiter adds Retry-After (headers_enabled) to whatever response we render.
            return render(RateLimited(details={"limit": str(error.description)}))
        cls = _HTTP_ERRORS.get(error.code or 500)
        if cls is None:
            api_error = ApiError(error.description)
            api_error.status = error.code or 500
            api_error.code = (error.name or "error").lower().replace(" ", "_")
            return render(api_error)
        # Keep what the HTTP error says about itself, e.g. a 405's Allow header (RFC 9110).
        headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        return render(cls(headers=headers))

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def on_database_unavailable(error: Exception):
        log.warning("database unavailable: %s", type(error).__name__)
        return render(Unavailable())

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return render(Unavailable())
        safe = redacted(error)  # a database error's message may quote the row: not logged
        if safe is not error:
            log.error("database error on %s %s", request.method, request.path,
                      exc_info=(type(safe), safe, safe.__traceback__))
            return render(InternalError())
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(InternalError())
