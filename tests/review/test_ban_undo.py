"""Undoing a ban (issue 22, safe hands): within the undo window the ban is lifted and every
comment the ban rejected is back as it was, through review/state.py (audit, events, thread
version); comments someone acted on since are left alone."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.articles.models import Article
from moderation.audit.models import AuditEntry
from moderation.comments.models import APPROVED, PENDING, REJECTED, Comment
from moderation.errors import Conflict
from moderation.events.models import DomainEvent
from moderation.review import bans
from moderation.review import service as review
from tests.factories import make_article, make_comment

WINDOW = timedelta(seconds=30)


def _ban(runtime, author_id="troll", actor="user:alice@example.ch"):
    with runtime.db.transaction() as session:
        return review.ban_rejecting(session, author_id, actor, "insultes", runtime.now(), reject_waiting=True)


def _statuses(runtime, ids):
    with runtime.db.transaction(write=False) as session:
        comments = session.scalars(select(Comment).where(Comment.id.in_(ids)))
        return {c.id: (c.status, c.awaiting_review) for c in comments}


def test_undo_of_a_ban_lifts_it_and_restores_every_comment_it_rejected(runtime, clock):
    article = make_article(runtime, "a-1")
    waiting = [make_comment(runtime, article, author_id="troll").id for _ in range(3)]
    reported = make_comment(runtime, article, author_id="troll", status=APPROVED)
    with runtime.db.transaction() as session:
        review.report_comment(session, reported.id, "reader-1", "abuse", None, runtime.now())
    other = make_comment(runtime, article, author_id="someone-else").id
    with runtime.db.transaction(write=False) as session:
        version_before = session.get(Article, article).thread_version
    results = _ban(runtime)
    assert sorted(r.comment_id for r in results if r.ok) == sorted(waiting + [reported.id])
    clock.advance(timedelta(seconds=10))
    with runtime.db.transaction() as session:
        entry = review.last_undoable_ban(session, "user:alice@example.ch", runtime.now(), WINDOW)
        assert entry is not None and entry.action == "ban"
        undone = review.undo_ban(session, entry.id, "user:alice@example.ch", runtime.now(), WINDOW)
    assert sorted(undone.restored) == sorted(waiting + [reported.id]) and undone.kept == []
    statuses = _statuses(runtime, waiting + [reported.id, other])
    assert all(statuses[i] == (PENDING, True) for i in waiting)
    assert statuses[reported.id] == (APPROVED, True)  # approved and reported again, as before
    assert statuses[other] == (PENDING, True)
    with runtime.db.transaction(write=False) as session:
        assert bans.find_ban(session, "troll") is None
        actions = [(e.action, e.reason) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.author_id == "troll", AuditEntry.at == runtime.now())
            .order_by(AuditEntry.id))]
        assert actions[0] == ("unban", f"undo of #{entry.id}")
        assert [a for a, _ in actions[1:]] == ["undo"] * 4
        # The reported comment was public: the ban unpublished it, the undo publishes it again.
        types = [e.type for e in session.scalars(select(DomainEvent).where(DomainEvent.at == runtime.now()))]
        assert "comment.approved" in types
        assert session.get(Article, article).thread_version > version_before + 1


def test_a_comment_changed_since_the_ban_is_kept_as_it_is(runtime, clock):
    article = make_article(runtime, "a-1")
    first, second = (make_comment(runtime, article, author_id="troll").id for _ in range(2))
    _ban(runtime)
    clock.advance(timedelta(seconds=1))
    with runtime.db.transaction() as session:
        ban_id = review.ban_entry(session, "troll").id
        review.decide(session, second, "approve", "user:bob@example.ch", None, runtime.now(),
                      expected_status=REJECTED)
    with runtime.db.transaction() as session:
        undone = review.undo_ban(session, ban_id, "user:alice@example.ch", runtime.now(), WINDOW)
    assert undone.restored == [first] and undone.kept == [second]
    assert _statuses(runtime, [first, second]) == {first: (PENDING, True), second: (APPROVED, False)}


@pytest.mark.parametrize("actor, later, reason", [
    ("user:bob@example.ch", timedelta(seconds=1), "decided_by"),
    ("user:alice@example.ch", timedelta(seconds=31), "undo_seconds"),
])
def test_only_the_banner_within_the_window_may_undo(runtime, clock, actor, later, reason):
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article, author_id="troll").id
    _ban(runtime)
    clock.advance(later)
    with runtime.db.transaction(write=False) as session:
        ban_id = review.ban_entry(session, "troll").id
    with pytest.raises(Conflict) as refused, runtime.db.transaction() as session:
        review.undo_ban(session, ban_id, actor, runtime.now(), WINDOW)
    assert reason in refused.value.details
    assert _statuses(runtime, [comment]) == {comment: (REJECTED, False)}
    with runtime.db.transaction(write=False) as session:
        assert bans.find_ban(session, "troll") is not None
        assert review.last_undoable_ban(session, "user:alice@example.ch", runtime.now(), WINDOW) is None \
            or reason == "decided_by"


def test_the_latest_rejection_of_a_ban_points_to_the_ban(runtime):
    article = make_article(runtime, "a-1")
    make_comment(runtime, article, author_id="troll")
    _ban(runtime)
    with runtime.db.transaction(write=False) as session:
        entry = review.last_undoable_ban(session, "user:alice@example.ch", runtime.now(), WINDOW)
        assert entry is not None and entry.action == "ban" and entry.author_id == "troll"
        # A plain decision is not a ban: single undo handles it.
        assert review.last_undoable(session, "user:alice@example.ch", runtime.now(), WINDOW) is not None
