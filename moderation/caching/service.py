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
from datetime import datetime
from typing import Any, Mapping

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
