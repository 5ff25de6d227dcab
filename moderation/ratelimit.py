"""Rate limits (Flask-Limiter), declared by each blueprint next to its routes.

A blueprint lists its limits (``Blueprint(..., rate_limits=[RateLimit(...)])``): which
``[ratelimit]`` setting, keyed by what, for which methods. ``install_rate_limits`` applies
them to every registered blueprint and refuses to start if a route that changes state (POST,
PUT, PATCH, DELETE) has none, so a new blueprint cannot ship without limits.

The frontend relays every reader's comment from its own server, so the connection address
is the frontend's and is never a key: intake is limited per author and per reader address
(web.reader_address), everything else per API key. Counters are kept in memory by default,
in Redis when several processes or instances run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from flask import Flask, g, request
from flask_limiter import Limiter

from moderation.runtime import Runtime
from moderation.web import json_body, reader_address

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RateLimit:
    """One limit of a blueprint: the ``[ratelimit]`` setting holding the rate, and the key.

    A key function returning "" exempts the request (e.g. a comment without an address).
    ``methods`` None: every method.
    """

    setting: str
    key: Callable[[], str]
    scope: str
    methods: tuple[str, ...] | None = None


def _once(compute):
    """Each key is computed once per request: Flask-Limiter asks for it several times."""
    name = f"ratelimit_{compute.__name__}"

    def cached() -> str:
        if name not in g:
            setattr(g, name, compute())
        return getattr(g, name)

    cached.__name__ = compute.__name__
    return cached


@_once
def per_api_key() -> str:
    """A short digest of the presented key: counters never mix callers, never hold keys."""
    header = request.headers.get("Authorization", "")
    return hashlib.sha256(header.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@_once
def per_author() -> str:
    author = json_body().get("author")
    author_id = author.get("id") if isinstance(author, dict) else None
    return f"{per_api_key()}:author:{author_id}" if isinstance(author_id, str) else ""


@_once
def per_reader_address() -> str:
    address = reader_address()
    return f"{per_api_key()}:address:{address}" if address else ""


@_once
def per_reporter() -> str:
    reporter = json_body().get("reporter_id")
    return f"{per_api_key()}:reporter:{reporter}" if isinstance(reporter, str) else ""


def install_rate_limits(app: Flask, runtime: Runtime) -> Limiter | None:
    """Apply every registered blueprint's declared limits; refuse unlimited state changes."""
    _check_every_state_change_is_limited(app)
    settings = runtime.settings.ratelimit
    if not settings.enabled:
        return None
    limiter = Limiter(key_func=per_api_key, app=app, storage_uri=settings.storage_uri, headers_enabled=True,
                      strategy="fixed-window", swallow_errors=True, key_prefix="moderation")
    for blueprint in app.blueprints.values():
        for limit in getattr(blueprint, "rate_limits", ()):
            key = limit.key
            limiter.limit(getattr(settings, limit.setting), key_func=key, scope=limit.scope,
                          methods=list(limit.methods) if limit.methods else None,
                          exempt_when=lambda key=key: not key())(blueprint)
    limiter.request_filter(_unlimited_requests(app))
    app.extensions["moderation.limiter"] = limiter
    return limiter


def _unlimited_requests(app: Flask) -> Callable[[], bool]:
    """A request filter: True (exempt) for a request that no declared limit covers.

    Limits are only ever declared per blueprint and method, so a set lookup answers what
    Flask-Limiter would find by resolving and filtering every limit of the app on each
    request (the public thread read, the hottest route, has none). The same limits apply to
    every other request, in memory or in Redis.
    """
    limited: dict[str, frozenset[str] | None] = {}
    for name, blueprint in app.blueprints.items():
        declared = getattr(blueprint, "rate_limits", ())
        if not declared:
            continue
        methods: set[str] = set()
        for limit in declared:
            if limit.methods is None:
                methods = None
                break
            methods |= set(limit.methods)
        limited[name] = None if methods is None else frozenset(methods)

    def unlimited() -> bool:
        if request.blueprint not in limited:
            return True
        methods = limited[request.blueprint]
        return methods is not None and request.method not in methods

    return unlimited


def _check_every_state_change_is_limited(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        blueprint_name = rule.endpoint.rpartition(".")[0]
        changing = (rule.methods or set()) & STATE_CHANGING
        if not blueprint_name or not changing:
            continue
        limits = getattr(app.blueprints.get(blueprint_name), "rate_limits", ())
        covered = set()
        for limit in limits:
            covered |= set(limit.methods) if limit.methods else STATE_CHANGING
        missing = changing - covered
        if missing:
            raise RuntimeError(f"{rule.rule} ({', '.join(sorted(missing))}) has no rate limit: declare one "
                               f"in the rate_limits of blueprint {blueprint_name!r}")
