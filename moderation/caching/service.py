"""Thread versions and validators.

Every change a reader could see in an article's public thread or status (a comment approved
or unpublished, an approved comment erased, the thread locked or reopened, the article's
public fields or window changed) calls ``threads_changed`` in the transaction that makes the
change: the article's ``thread_version`` goes up by one, its ``approved_count`` follows the
change (the public count, maintained here instead of counted on every read), and one
``thread.changed`` event tells the site which article to purge from its CDN.

A response's ETag is derived from that version (and what else selects the response), so a
revalidation (If-None-Match) is answered from one indexed lookup, without reading the thread.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any, Hashable, Mapping

from sqlalchemy import update
from sqlalchemy.orm import Session

from moderation.articles.models import Article
from moderation.comments.models import APPROVED
from moderation.events import service as events


def threads_changed(session: Session, changes: Mapping[str, int], now: datetime, *, reason: str) -> None:
    """Bump the version of each article in ``changes`` (article id -> change of its approved
    count) and announce it. Articles are updated in id order, as every multi-row change is."""
    for article_id in sorted(changes):
        session.execute(update(Article).where(Article.id == article_id)
                        .values(thread_version=Article.thread_version + 1,
                                approved_count=Article.approved_count + changes[article_id])
                        .execution_options(synchronize_session=False))
    events.publish_many(session, events.THREAD_CHANGED, now,
                        [(article_id, {"reason": reason}) for article_id in sorted(changes)])


def approved_delta(previous: str, current: str) -> int:
    """How a status change moves the public count of approved comments."""
    return (current == APPROVED) - (previous == APPROVED)


def etag(*parts: Any) -> str:
    """A strong validator: a digest of what selects the representation (never its bytes)."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f'"{digest}"'


class BodyCache:
    """Serialised public pages of this process, least recently used first out, bounded in bytes.

    Keys hold the article's thread version (with what selects the page), and every change a
    reader could see bumps that version in the transaction of the change: an entry is never
    stale, it only stops being asked for. So a read that finds its key serves the bytes a
    fresh query would have produced, without reading or serialising the thread; the version
    lookup it needs is the one the ETag needs anyway. Shared by the threads of one process.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return  # larger than the whole cache (or the cache is off): not kept
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= len(previous)
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._size
