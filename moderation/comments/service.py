"""Reader comments: intake from the site's frontend and the public thread."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Integer, and_, bindparam, case, cast, insert, null, or_, select, text, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation import signals
from moderation.articles.models import Article
from moderation.articles.service import ensure_article_id
from moderation.caching import service as caching
from moderation.clock import utc_iso
from moderation.closing.policy import ClosingPolicy
from moderation.comments.models import APPROVED, Comment
from moderation.db import UTCDateTime
from moderation.errors import (
    AuthorBanned,
    CommentsClosed,
    CommentsPaused,
    Duplicate,
    IdempotencyKeyReused,
    InvalidParent,
    NotFound,
    validation_error,
)
from moderation.review import bans, state
from moderation.review.models import BannedAuthor
from moderation.review.words import WordList


@dataclass(frozen=True)
class NewComment:
    author_id: str
    author_name: str
    body: str
    parent_id: int | None = None
    idempotency_key: str | None = None
    reader_address: str | None = None


@dataclass(frozen=True)
class IntakeRules:
    """What intake checks besides the deadline; built once per process from config."""

    policy: ClosingPolicy
    banned_words: WordList
    suspect_words: WordList
    max_comment_length: int = 5000
    duplicate_window: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class Accepted:
    """What intake answers: the stored comment's id and state."""

    id: int
    status: str
    article_id: str
    parent_id: int | None
    created_at: datetime


# Intake's checks in one round trip: the thread's deadline fields, whether the author is
# banned, and an identical comment by the same author on the same article since :since.
_INTAKE_CHECKS = (
    select(
        Article.window_opened_at, Article.fixed_closes_at, Article.locked_at, Article.quiet_hours,
        select(BannedAuthor.author_id).where(BannedAuthor.author_id.in_([bindparam("author_id"),
                                                                         bindparam("author_ban_key")]))
        .exists().label("author_banned"),
        select(Comment.id).where(Comment.author_id == bindparam("author_id"), Comment.article_id == Article.id,
                                 Comment.created_at >= bindparam("since", type_=UTCDateTime),
                                 Comment.body_digest == bindparam("digest"))
        .limit(1).scalar_subquery().label("duplicate_of"),
    )
    .where(Article.id == bindparam("article_id"))
)
# PostgreSQL: hold the article row (FOR SHARE) until commit, so that a lock being written
# waits for this insert or this insert sees the lock. SQLite's BEGIN IMMEDIATE does the same.
_INTAKE_CHECKS_LOCKED = _INTAKE_CHECKS.with_for_update(read=True, of=Article)
# Built once: values are bound per request, the compiled statement is reused.
_INSERT = insert(Comment.__table__).returning(Comment.__table__.c.id)


def post_comment(session: Session, article_id: str, new: NewComment, rules: IntakeRules, now: datetime, *,
                 idempotency_owner: int | None = None) -> Accepted | Comment:
    """Store a reader's comment for moderation, or refuse it.

    The thread's state (closing/policy.py: closed, or paused in quiet hours, from ``now``) is
    checked in the transaction of the insert, with the article row held, so a lock being
    written cannot let a comment slip in. An Idempotency-Key is scoped to the API key that
    sent it (``idempotency_owner``): a retry of the same request returns the original
    comment, even once the thread has closed or paused, and creates nothing; the same key with
    another request is refused (422 idempotency_key_reused) and stores nothing.
    This is the hot path of a news site's comment burst: one statement checks everything,
    one statement inserts, no ORM flush.
    """
    ensure_article_id(article_id)
    request_digest = None
    if new.idempotency_key is not None:
        request_digest = _request_digest(article_id, new)
        existing = _by_idempotency_key(session, idempotency_owner, new.idempotency_key)
        if existing is not None:
            return _same_request(existing, request_digest, new.idempotency_key)
    if len(new.body) > rules.max_comment_length:
        raise validation_error("body", f"Longer than {rules.max_comment_length} characters.")

    digest = hashlib.sha256(new.body.encode()).hexdigest()
    is_postgres = session.get_bind().dialect.name == "postgresql"
    if is_postgres and rules.duplicate_window:
        # Serialise this author's posts on this article, so two identical ones sent at the
        # same instant cannot both pass the duplicate check (SQLite's write lock does this).
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"{new.author_id}\x1f{article_id}"})
        if new.idempotency_key is not None:
            # A retry of this very request may have committed while this one waited for the
            # lock: it is the original, not a duplicate (read committed sees it now).
            existing = _by_idempotency_key(session, idempotency_owner, new.idempotency_key)
            if existing is not None:
                return _same_request(existing, request_digest, new.idempotency_key)
    # Core statements go through the connection: the ORM's execution layer (compile state,
    # autoflush, identity map) adds a fifth of a post's Python time and nothing here uses it.
    connection = session.connection()
    checks = connection.execute(_INTAKE_CHECKS_LOCKED if is_postgres else _INTAKE_CHECKS,
                             {"article_id": article_id, "author_id": new.author_id, "digest": digest,
                              "author_ban_key": bans.keyed_id(session, new.author_id) or new.author_id,
                              "since": now - rules.duplicate_window}).first()
    if checks is None:
        raise NotFound(f"No article {article_id!r}.", details={"article_id": article_id})
    thread = rules.policy.thread_state(checks, now)
    if not thread.open:
        raise CommentsClosed(details={"closes_at": utc_iso(thread.closes_at), "locked_at": utc_iso(checks.locked_at)})
    if thread.paused:
        raise CommentsPaused(details={"resumes_at": utc_iso(thread.resumes_at), "closes_at": utc_iso(thread.closes_at)})
    if checks.author_banned:
        raise AuthorBanned()
    if new.parent_id is not None:
        parent = find_comment(session, new.parent_id)
        if parent is None or parent.article_id != article_id or parent.status != APPROVED or parent.erased_at:
            # The request is well-formed; the parent's state is what forbids the reply: a 409.
            raise InvalidParent(details={"parent_id": new.parent_id})
    if rules.duplicate_window and checks.duplicate_of is not None:
        raise Duplicate(details={"comment_id": checks.duplicate_of})

    suspects = rules.suspect_words.find_all(new.body)
    banned = rules.banned_words.first(new.body)
    values = dict(article_id=article_id, parent_id=new.parent_id, author_id=new.author_id,
                  author_name=new.author_name, body=new.body, created_at=now,
                  idempotency_key=new.idempotency_key,
                  idempotency_owner=idempotency_owner if new.idempotency_key is not None else None,
                  request_digest=request_digest, body_digest=digest, reader_address=new.reader_address,
                  flagged_words=json.dumps(suspects, ensure_ascii=False) if suspects else None,
                  **state.initial_state(auto_rejected=banned is not None, now=now))
    if new.idempotency_key is None:
        comment_id = connection.execute(_INSERT, values).scalar_one()
    else:
        try:
            with session.begin_nested():
                comment_id = connection.execute(_INSERT, values).scalar_one()
        except IntegrityError:
            # The same key committed by a concurrent request in the meantime.
            existing = _by_idempotency_key(session, idempotency_owner, new.idempotency_key)
            if existing is None:
                raise
            return _same_request(existing, request_digest, new.idempotency_key)

    if banned is not None:
        state.record_intake_rejection(session, comment_id=comment_id, article_id=article_id,
                                      author_id=new.author_id, reason=f"banned word: {banned}", now=now)
    signals.notify_after_commit(session, signals.comment_stored)
    return Accepted(id=comment_id, status=values["status"], article_id=article_id, parent_id=new.parent_id,
                    created_at=now)


def _request_digest(article_id: str, new: NewComment) -> str:
    """What makes two requests "the same" for an Idempotency-Key: everything they ask to store."""
    fields = [article_id, new.author_id, new.author_name, new.body, new.parent_id, new.reader_address]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _by_idempotency_key(session: Session, owner: int | None, key: str) -> Comment | None:
    owned = Comment.idempotency_owner.is_(None) if owner is None else Comment.idempotency_owner == owner
    return session.scalar(select(Comment).where(owned, Comment.idempotency_key == key))


def _same_request(existing: Comment, request_digest: str, key: str) -> Comment:
    if existing.request_digest != request_digest:
        raise IdempotencyKeyReused(details={"idempotency_key": key, "comment_id": existing.id})
    return existing


def find_comment(session: Session, comment_id: int, *, for_update: bool = False) -> Comment | None:
    """The comment, or None; an id outside the 64-bit range cannot exist and never reaches the database."""
    if not 0 < comment_id < 2**63:
        return None
    query = select(Comment).where(Comment.id == comment_id)
    return session.scalar(query.with_for_update() if for_update else query)


def get_comment(session: Session, comment_id: int, *, for_update: bool = False) -> Comment:
    comment = find_comment(session, comment_id, for_update=for_update)
    if comment is None:
        raise NotFound(f"No comment {comment_id}.", details={"comment_id": comment_id})
    return comment


@dataclass(frozen=True)
class PublicPage:
    comments: list  # rows of id, parent_id, author_name, body, created_at, featured_at
    count: int
    next_cursor: tuple[datetime, int] | None
    version: int  # the article's thread_version when the page was read


def page_etag(article_id: str, version: int, *selection) -> str:
    """The validator of a public thread page: the thread's version and what selects the page."""
    return caching.etag("thread", article_id, version, *selection)


# Featured first: 0 for a featured comment, 1 for the others, then the chosen order.
def _featured_rank(c):
    return case((c.featured_at.is_not(None), 0), else_=1)


def _thread_statement(newest_first: bool, after: bool, featured_first: bool):
    """The page of a public thread, its count and its version, in one statement (one snapshot).

    The article's row (count, version) and the page are two branches of a UNION ALL: the page
    keeps its index order (ix_comments_thread) and its LIMIT, which a LEFT JOIN from the
    article would lose on PostgreSQL (a join's output is ordered by its outer side), and both
    come from the snapshot of one statement, so the version names exactly this page. Built
    once per shape; requests bind values only. With ``featured_first`` the page is ordered
    by (rank, created_at, id), rank 0 for a featured comment, and ``after`` carries the rank.
    """
    c = Comment.__table__.c
    rank = _featured_rank(c)
    conditions = [c.article_id == bindparam("article_id"), c.status == APPROVED, c.erased_at.is_(None)]
    if after:
        created_at, comment_id = bindparam("after_created_at", type_=UTCDateTime), bindparam("after_id")
        before_or_after = (c.created_at < created_at) if newest_first else (c.created_at > created_at)
        beyond_id = (c.id < comment_id) if newest_first else (c.id > comment_id)
        position = or_(before_or_after, and_(c.created_at == created_at, beyond_id))
        if featured_first:
            after_rank = bindparam("after_rank", type_=Integer)
            position = or_(rank > after_rank, and_(rank == after_rank, position))
        conditions.append(position)
    order = [c.created_at.desc(), c.id.desc()] if newest_first else [c.created_at, c.id]
    if featured_first:
        order = [rank, *order]
    page = (select(c.id, c.parent_id, c.author_name, c.body, c.created_at, c.featured_at,
                   # Typed: PostgreSQL would make an untyped NULL of a subquery text.
                   cast(null(), Integer).label("approved_count"), cast(null(), BigInteger).label("thread_version"))
            .where(*conditions).order_by(*order).limit(bindparam("limit")).subquery("page"))
    a = Article.__table__.c
    head = select(cast(null(), c.id.type).label("id"), cast(null(), c.parent_id.type).label("parent_id"),
                  cast(null(), c.author_name.type).label("author_name"), cast(null(), c.body.type).label("body"),
                  cast(null(), c.created_at.type).label("created_at"),
                  cast(null(), c.featured_at.type).label("featured_at"),
                  a.approved_count, a.thread_version).where(a.id == bindparam("article_id"))
    return union_all(head, select(page))


_THREAD_STATEMENTS = {(newest_first, after, featured_first): _thread_statement(newest_first, after, featured_first)
                      for newest_first in (False, True) for after in (False, True) for featured_first in (False, True)}

_THREAD_VERSION = select(Article.__table__.c.thread_version).where(Article.__table__.c.id == bindparam("article_id"))


def public_version(session: Session, article_id: str) -> int:
    """The thread version a public read is validated and cached by (404: no such article)."""
    ensure_article_id(article_id)
    # Through the connection: py-spy on a serving worker found the ORM's Session.scalar in 13 %
    # of its samples under a read load, for a statement that needs none of the ORM.
    version = session.connection().execute(_THREAD_VERSION, {"article_id": article_id}).scalar()
    if version is None:
        raise NotFound(f"No article {article_id!r}.", details={"article_id": article_id})
    return version


def list_public(session: Session, article_id: str, *, newest_first: bool, limit: int,
                after: tuple | None, featured_first: bool = False) -> PublicPage:
    """Approved comments of a thread, keyset-paginated on (created_at, id), with the public
    count and the thread version: one statement (see _thread_statement).

    With ``featured_first`` the featured comments come first (each group in the chosen
    order), paginated on (rank, created_at, id) where rank is 0 for featured; ``after`` is
    then (rank, created_at, id), else (created_at, id). Rows carry only what the public sees
    (no author ids, no scores); they are read as plain rows through the connection, not ORM
    objects, because every reader of a busy article asks for them. The count is maintained by
    caching.threads_changed, not counted here.
    """
    ensure_article_id(article_id)
    params = {"article_id": article_id, "limit": limit + 1}
    if after is not None:
        if featured_first:
            params["after_rank"], params["after_created_at"], params["after_id"] = after
        else:
            params["after_created_at"], params["after_id"] = after
    statement = _THREAD_STATEMENTS[newest_first, after is not None, featured_first]
    rows = session.connection().execute(statement, params).all()
    head = next((row for row in rows if row.id is None), None)
    if head is None:
        raise NotFound(f"No article {article_id!r}.", details={"article_id": article_id})
    # A UNION ALL promises no order between its rows: the page is put back in its own (two
    # stable sorts: time and id in the chosen direction, then featured before the others).
    comments = sorted((row for row in rows if row.id is not None), key=lambda row: (row.created_at, row.id),
                      reverse=newest_first)
    if featured_first:
        comments.sort(key=lambda row: 0 if row.featured_at is not None else 1)
    page, more = comments[:limit], len(comments) > limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = (last.created_at, last.id)
        if featured_first:
            next_cursor = (0 if last.featured_at is not None else 1, *next_cursor)
    return PublicPage(comments=page, count=head.approved_count, next_cursor=next_cursor, version=head.thread_version)
