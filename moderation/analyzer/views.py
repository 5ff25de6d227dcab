"""Perspective's API paths: POST /v1alpha1/comments:analyze and /v1alpha1/comments:suggestscore.

A base URL ``https://host/v1alpha1`` works wherever a Perspective endpoint can be set (Coral's
admin settings). The key comes as ``?key=…`` (as Perspective's clients send it; redacted from
logs by analyzer/redact.py), ``X-Goog-Api-Key`` or ``Authorization: Bearer``; keys of role
``analyzer`` and ``admin`` may call. Errors on these routes, and only here, are in
Perspective's shape (analyzer/errors.py).

Google's own clients find these routes through the discovery document at
``/$discovery/rest?version=v1alpha1`` (analyzer/discovery.py): at the host root, as
Perspective's ``rootUrl``, so they call ``/v1alpha1/comments:analyze?key=…`` like Coral.
"""
from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from moderation.analyzer import batch as batch_format
from moderation.analyzer import discovery, dispatch, service
from moderation.analyzer.errors import PerspectiveError, key_blocked, key_invalid, key_missing
from moderation.analyzer.host import analyzer_for
from moderation.analyzer.redact import KEY_ENVIRON, RedactQueryKey
from moderation.auth.service import Principal
from moderation.logs import redacted
from moderation.ratelimit import RateLimit
from moderation.runtime import Runtime
from moderation.scoring.router import ModelRouter, build_router
from moderation.web import external_root_url, runtime

log = logging.getLogger(__name__)

def per_perspective_key() -> str:
    """The presented key, digested: from ?key= (already taken out of the query string), the
    X-Goog-Api-Key header or a bearer token."""
    presented = (request.environ.get(KEY_ENVIRON) or request.headers.get("X-Goog-Api-Key")
                 or request.headers.get("Authorization", ""))
    if not presented and request.endpoint == "perspective.batch":
        return ""  # Google's clients send batches keyless: each part counts against its own key
    return hashlib.sha256(presented.encode("utf-8", "surrogatepass")).hexdigest()[:16]


bp = Blueprint("perspective", __name__)
# Per API key, as Perspective's quota is; a 429 here is Perspective-shaped (RESOURCE_EXHAUSTED).
bp.rate_limits = [RateLimit("analyzer_per_key", per_perspective_key, scope="analyzer")]
ROLE = "analyzer"


def _authenticate() -> Principal:
    key = request.environ.get(KEY_ENVIRON) or request.headers.get("X-Goog-Api-Key")
    if not key:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else ""
    if not key:
        raise key_missing()
    rt = runtime()
    found = rt.keys.verify(rt.db.session, key) if len(key) <= 200 else None
    if found is None:
        raise key_invalid()
    if not found.may(ROLE):
        raise key_blocked(found.role, ROLE)
    return found


def _coverage() -> ModelRouter:
    coverage = current_app.extensions.get("moderation.coverage")
    if coverage is None:
        raise PerspectiveError(503, "No model is configured on this service ([scoring] backend = \"none\").")
    return coverage


def _body() -> dict:
    return service.parse_json(request.get_data(cache=False))


@bp.post("/v1alpha1/comments:analyze")
def analyze():
    """Perspective's AnalyzeComment, scored by our models."""
    _authenticate()
    rt = runtime()
    parsed = service.parse_analyze(_body())
    return jsonify(service.analyze(analyzer_for(rt), _coverage(), rt.settings, parsed, house=_house(rt)))


def _house(rt):
    """The current house model when [analyzer] house_for_uncovered is on (one indexed lookup;
    the model itself is cached per version in this process)."""
    if not rt.settings.analyzer.house_for_uncovered:
        return None
    from moderation.house import service as house

    with rt.db.transaction(write=False) as session:
        return house.current(session)


@bp.post("/v1alpha1/comments:suggestscore")
def suggestscore():
    """Perspective's SuggestCommentScore: stored as a label for the model report."""
    principal = _authenticate()
    rt = runtime()
    parsed = service.parse_suggest(_body())
    suggestion = service.score_suggestion(analyzer_for(rt), _coverage(), rt.settings, parsed)
    with rt.db.transaction() as session:
        answer = service.store_suggestion(session, suggestion, principal.name, rt.now())
    return jsonify(answer)


@bp.post("/batch")
@bp.post("/batch/commentanalyzer/v1alpha1")
def batch():
    """Google's batch format (analyzer/batch.py): each part served as if alone, the parts'
    texts scored in one call to the analyzer (analyzer/dispatch.py)."""
    settings = runtime().settings
    # A batch carries up to max_batch_parts requests, each as large as one alone may be.
    request.max_content_length = settings.analyzer.max_batch_parts * settings.api.max_request_bytes
    parts = batch_format.parse(request.headers.get("Content-Type", ""), request.get_data(cache=False),
                               settings.analyzer.max_batch_parts)
    answers = dispatch.answer(current_app.wsgi_app, request.environ, parts, analyzer_for(runtime()),
                              settings.scoring.batch_size if settings.analyzer.batching else 1)
    content_type, body = batch_format.render(parts, answers)
    return Response(body, content_type=content_type)


@bp.get("/$discovery/rest")
def discovery_document():
    """The discovery document Google's clients build Perspective's methods from (analyzer/discovery.py)."""
    return _discovery(discovery.API, request.args.get("version", discovery.VERSION))


@bp.get("/discovery/v1/apis/<api>/<version>/rest")
def discovery_document_by_path(api: str, version: str):
    """The same document at the Discovery service's other URL form."""
    return _discovery(api, version)


def _discovery(api: str, version: str):
    if (api, version) != (discovery.API, discovery.VERSION):
        raise PerspectiveError(404, f"Discovery document not found for API service: {api} {version}")
    settings = runtime().settings
    root = (settings.analyzer.public_url.rstrip("/") + "/" if settings.analyzer.public_url
            else external_root_url(settings.ratelimit.trusted_proxies))
    return jsonify(discovery.document(root))


@bp.route("/v1alpha1/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str):
    raise PerspectiveError(404, "Method not found.")


def _render(error: PerspectiveError):
    response = jsonify(error.body())
    response.status_code = error.code
    return response


@bp.errorhandler(PerspectiveError)
def on_perspective_error(error: PerspectiveError):
    return _render(error)


@bp.errorhandler(HTTPException)
def on_http_error(error: HTTPException):
    if isinstance(error, RequestEntityTooLarge):
        limit = request.max_content_length
        return _render(PerspectiveError(400, f"Request payload size exceeds the limit: {limit} bytes."))
    return _render(PerspectiveError(error.code or 500, error.description or error.name))


@bp.errorhandler(OperationalError)
@bp.errorhandler(PoolTimeout)
def on_database_unavailable(error: Exception):
    log.warning("database unavailable: %s", type(error).__name__)
    return _render(PerspectiveError(503, "The service is temporarily unavailable; retry later."))


@bp.errorhandler(Exception)
def on_unexpected(error: Exception):
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return _render(PerspectiveError(503, "The service is temporarily unavailable; retry later."))
    # The path only: the query string (the key) never reaches the log; a database error's
    # message (which may quote the row) neither.
    safe = redacted(error)
    log.error("unhandled error on %s %s", request.method, request.path,
              exc_info=(type(safe), safe, safe.__traceback__))
    return _render(PerspectiveError(500, "Internal error encountered."))


def install_analyzer(app: Flask, runtime: Runtime) -> None:
    """Redact query-string keys on every route; serve the Perspective routes when enabled."""
    app.wsgi_app = RedactQueryKey(app.wsgi_app)  # type: ignore[method-assign]
    if runtime.settings.scoring.backend != "none":
        # Which languages and classes the models cover, known without loading them (the
        # console shows it too, with or without the analyzer).
        app.extensions["moderation.coverage"] = build_router(runtime.settings.scoring)
    if runtime.settings.analyzer.enabled:
        app.register_blueprint(bp)
