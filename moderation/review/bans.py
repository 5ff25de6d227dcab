"""Who is banned, including people whose identity was erased.

A ban must outlive the erasure of the person it bans, without keeping their id: erasure
replaces the ban's id with a keyed hash of it (HMAC-SHA256 with a key made once per site by
migration 0008, in ``console_secrets``), so that the same id is still refused at intake and
nothing stored names the person. Every check of a ban goes through here.
"""
from __future__ import annotations

import hashlib
import hmac
import weakref
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.accounts.models import ConsoleSecret
from moderation.review.models import BannedAuthor

BAN_KEY_NAME = "ban-key"
KEYED_PREFIX = "hmac:"
# The key never changes once made: read once per engine (a database), not per intake.
_keys: "weakref.WeakKeyDictionary[object, bytes]" = weakref.WeakKeyDictionary()


def _key(session: Session, *, create: bool) -> bytes | None:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    key = _keys.get(engine)
    if key is None:
        value = session.scalar(select(ConsoleSecret.value).where(ConsoleSecret.name == BAN_KEY_NAME))
        if value is None:
            if not create:
                return None  # no key, so no ban was ever keyed: nothing to look for
            from moderation.accounts.service import site_secret

            # A database whose key was lost (0008 makes it): only an erasure makes a new one,
            # never intake, whose concurrent transactions would queue behind the insert.
            return site_secret(session, BAN_KEY_NAME).encode()  # not cached: may still roll back
        key = _keys[engine] = value.encode()
    return key


def keyed_id(session: Session, author_id: str, *, create: bool = False) -> str | None:
    """The form a ban takes once its author is erased (None while no ban was ever keyed;
    ``create``: make the site's key if it is missing, for the erasure that keys a ban)."""
    key = _key(session, create=create)
    if key is None:
        return None
    return KEYED_PREFIX + hmac.new(key, author_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def ban_ids(session: Session, author_id: str) -> list[str]:
    """Every id under which a ban of ``author_id`` may be stored."""
    keyed = keyed_id(session, author_id)
    return [author_id] if keyed is None else [author_id, keyed]


def find_ban(session: Session, author_id: str) -> BannedAuthor | None:
    return session.scalar(select(BannedAuthor).where(BannedAuthor.author_id.in_(ban_ids(session, author_id)))
                          .order_by(BannedAuthor.banned_at).limit(1))


def banned_among(session: Session, author_ids: Iterable[str]) -> set[str]:
    """Those of ``author_ids`` that are banned (directly or after their erasure)."""
    by_stored = {}
    for author_id in set(author_ids):
        for stored in ban_ids(session, author_id):
            by_stored[stored] = author_id
    if not by_stored:
        return set()
    found = session.scalars(select(BannedAuthor.author_id).where(BannedAuthor.author_id.in_(list(by_stored))))
    return {by_stored[stored] for stored in found}
