"""API keys: created by ops with the CLI, presented as ``Authorization: Bearer <key>``.

Keys are 256-bit random tokens, so a single SHA-256 is a sound way to store them (a slow
password hash protects guessable secrets; these are not guessable). Lookups go by the hash
and the final comparison is constant-time.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation.auth.models import ROLES, ApiKey
from moderation.errors import Conflict, NotFound, ValidationError

KEY_PREFIX = "mod_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name (the actor in the audit log) and its role."""

    name: str
    role: str
    # The API key's id: what Idempotency-Keys are scoped to.
    id: int | None = None

    def may(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(session: Session, name: str, role: str, now: datetime) -> str:
    """Store a new key's hash and return the key itself (shown once, never stored)."""
    if role not in ROLES:
        raise ValidationError(details={"role": [f"Must be one of {', '.join(ROLES)}."]})
    if not name or len(name) > 128:
        raise ValidationError(details={"name": ["Must be 1 to 128 characters."]})
    if name in ("auto", "system"):
        raise ValidationError(details={"name": ["Reserved for automatic actions."]})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, role=role, key_hash=hash_key(key), created_at=now))
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"A key named {name!r} exists already.") from None
    return key


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def revoke_key(session: Session, name: str, now: datetime) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise NotFound(f"No key named {name!r}.")
    if key.revoked_at is None:
        key.revoked_at = now
    return key


class KeyVerifier:
    """Resolves a presented key to a Principal, caching positive answers for a few seconds.

    The cache saves one query per request on the intake path; a revocation reaches other
    processes within ``ttl_seconds`` and this process at once (``forget``).
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def verify(self, session_factory, presented: str) -> Principal | None:
        digest = hash_key(presented)
        if self.ttl_seconds > 0:
            with self._lock:
                cached = self._cache.get(digest)
            if cached and cached[0] > time.monotonic():
                return cached[1]
        with session_factory() as session:
            key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
        if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, digest):
            return None
        principal = Principal(name=key.name, role=key.role, id=key.id)
        if self.ttl_seconds > 0:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[digest] = (time.monotonic() + self.ttl_seconds, principal)
        return principal

    def forget_all(self) -> None:
        with self._lock:
            self._cache.clear()
