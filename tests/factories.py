"""Test data, made through the services so that it is shaped like real data."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from moderation.articles import service as articles
from moderation.auth import service as auth
from moderation.comments import service as comments
from moderation.comments.models import Comment
from moderation.review import state
from moderation.runtime import Runtime

_numbers = itertools.count(1)


def make_key(runtime: Runtime, role: str, name: str | None = None) -> str:
    with runtime.db.transaction() as session:
        return auth.create_key(session, name or f"{role}-{next(_numbers)}", role, runtime.now())


def headers(key: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **extra}


def make_article(runtime: Runtime, article_id: str | None = None, *, published_at: datetime | None = None,
                 close_after_hours: float | None = None, title: str = "Un article") -> str:
    article_id = article_id or f"article-{next(_numbers)}"
    fields = {"title": title, "published_at": published_at or runtime.now() - timedelta(hours=1)}
    if close_after_hours is not None:
        fields["close_after_hours"] = close_after_hours
    with runtime.db.transaction() as session:
        articles.upsert_article(session, article_id, fields, runtime.now())
    return article_id


def make_comment(runtime: Runtime, article_id: str, *, body: str | None = None,
                 author_id: str | None = None, author_name: str = "Lectrice", status: str | None = None,
                 parent_id: int | None = None) -> Comment:
    new = comments.NewComment(author_id=author_id or f"author-{next(_numbers)}", author_name=author_name,
                              body=body or f"Merci pour cet article (n°{next(_numbers)}).", parent_id=parent_id)
    with runtime.db.transaction() as session:
        accepted = comments.post_comment(session, article_id, new, runtime.intake_rules, runtime.now())
        comment = session.get(Comment, accepted.id)
        if status is not None and status != comment.status:
            # Through the one path for review state, as a moderator's decision would be.
            state.decide(session, comment, {"approved": "approve", "rejected": "reject"}[status], "factory", None,
                         runtime.now())
    return comment
