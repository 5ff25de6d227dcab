"""Rate limits (Flask-Limiter): intake per author and per reader address, moderation per key.

The frontend relays every reader's comment from its own server, so the connection address
is the frontend's and must never be the key: the reader's address comes from the comment's
``reader_address`` field or from X-Forwarded-For behind ``[ratelimit] trusted_proxies``.
Counters are kept in memory by default, in Redis when several processes or instances run.
"""
from __future__ import annotations

import hashlib
import ipaddress

from flask import Flask, g, request
from flask_limiter import Limiter

from moderation.runtime import Runtime
from moderation.web import runtime


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
def _caller() -> str:
    """A short digest of the presented key: counters never mix callers, never hold keys."""
    header = request.headers.get("Authorization", "")
    return hashlib.sha256(header.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _json() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@_once
def _author_key() -> str:
    author = _json().get("author")
    author_id = author.get("id") if isinstance(author, dict) else None
    return f"{_caller()}:author:{author_id}" if isinstance(author_id, str) else ""


def reader_address(payload: dict | None = None) -> str | None:
    """The reader's address: from the body, else from trusted proxies' X-Forwarded-For."""
    body = payload if payload is not None else _json()
    given = body.get("reader_address")
    if isinstance(given, str):
        try:
            return str(ipaddress.ip_address(given))
        except ValueError:
            return None
    hops = runtime().settings.ratelimit.trusted_proxies
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            try:
                return str(ipaddress.ip_address(forwarded[-hops]))
            except ValueError:
                return None
    return None


@_once
def _address_key() -> str:
    address = reader_address()
    return f"{_caller()}:address:{address}" if address else ""


def install_rate_limits(app: Flask, runtime: Runtime) -> Limiter | None:
    settings = runtime.settings.ratelimit
    if not settings.enabled:
        return None
    from moderation.comments.views import blp as comments
    from moderation.review.views import blp as review

    limiter = Limiter(key_func=_caller, app=app, storage_uri=settings.storage_uri, headers_enabled=True,
                      strategy="fixed-window", swallow_errors=True, key_prefix="moderation")
    # Requests without an author or an address (malformed ones get their 4xx) skip those limits.
    limiter.limit(settings.intake_per_author, key_func=_author_key, methods=["POST"], scope="intake-author",
                  exempt_when=lambda: not _author_key())(comments)
    limiter.limit(settings.intake_per_address, key_func=_address_key, methods=["POST"], scope="intake-address",
                  exempt_when=lambda: not _address_key())(comments)
    limiter.limit(settings.moderation_per_key, key_func=_caller, scope="moderation")(review)
    app.extensions["moderation.limiter"] = limiter
    return limiter
