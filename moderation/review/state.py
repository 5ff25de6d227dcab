"""The one module that changes a comment's review state.

Every change goes through here: intake's automatic rejection, moderators' decisions (single,
bulk, console, undo), reader reports, scores and the automatic decisions that follow them,
and erasure. Besides the change itself, each function keeps consistent, in one place:

* the derived columns the review queue's partial indexes are built on::

      open_reports    = reports on the comment not cleared by a decision
      awaiting_review = not erased and (pending, or approved with open reports)
      sort_toxicity   = toxicity, or -1 while unscored (keyset paging needs no NULLs)
      sort_house      = the house model's score (issue 23), or -1 when it gave none

* ``version``: 1 when stored, plus one for every change (decision, report, score, erasure),
  so a moderator's decision can require the version they saw (``expected_version``);
* the audit entry and the outbox event of the change.

Nothing else assigns these columns; tests/review/test_state_machine.py checks after random
sequences of operations that every derived column equals its definition.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation.audit import service as audit
from moderation.audit.models import AuditEntry
from moderation.caching import service as caching
from moderation.comments.models import APPROVED, PENDING, REJECTED, Comment
from moderation.errors import Conflict
from moderation.events import service as events
from moderation.review import bans
from moderation.review.models import Report

ACTIONS = {"approve": APPROVED, "reject": REJECTED}
UNSCORED = -1.0
ERASED_NAME = ""


def awaiting_review(status: str, open_reports: int, erased: bool) -> bool:
    """Whether a moderator must look at the comment: the definition the queue is built on."""
    if erased:
        return False
    return status == PENDING or (status == APPROVED and open_reports > 0)


def sort_toxicity(toxicity: float | None) -> float:
    return UNSCORED if toxicity is None else toxicity


# --- intake ----------------------------------------------------------------------------

def initial_state(auto_rejected: bool, now: datetime) -> dict[str, Any]:
    """The state columns of a comment being stored (intake inserts them with the comment)."""
    status = REJECTED if auto_rejected else PENDING
    return {"status": status, "awaiting_review": awaiting_review(status, 0, False), "open_reports": 0,
            "sort_toxicity": UNSCORED, "sort_house": UNSCORED, "version": 1,
            "decided_at": now if auto_rejected else None, "decided_by": audit.AUTO if auto_rejected else None}


def record_intake_rejection(session: Session, *, comment_id: int, article_id: str, author_id: str, reason: str,
                            now: datetime) -> None:
    """The audit entry and event of a comment rejected on arrival (a banned word)."""
    audit.record(session, now, audit.AUTO, "reject", article_id=article_id, comment_id=comment_id,
                 author_id=author_id, reason=reason, previous_status=PENDING, new_status=REJECTED)
    events.publish(session, events.COMMENT_REJECTED, now, article_id=article_id, comment_id=comment_id,
                   previous_status=PENDING, status=REJECTED)


# --- decisions -------------------------------------------------------------------------

def check_expected(comment: Comment, expected_status: str | None, expected_version: int | None,
                   last_action: Mapping[str, Any] | None = None) -> None:
    """Refuse (409 conflict) a decision taken on another state than the comment's current one.

    ``expected_version`` is what the moderator saw; ``expected_status`` alone is kept for
    clients written before versions (it cannot see a report that arrived meanwhile).
    """
    if comment.erased_at is not None:
        raise Conflict("The comment was erased.", details=_conflict_details(comment, last_action))
    if expected_version is not None and comment.version != expected_version:
        raise Conflict(f"The comment changed (version {comment.version}, not {expected_version}); reload it.",
                       details=_conflict_details(comment, last_action))
    if expected_status is not None and comment.status != expected_status:
        raise Conflict(f"The comment is {comment.status}, not {expected_status}.",
                       details=_conflict_details(comment, last_action))


def _conflict_details(comment: Comment, last_action: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"comment_id": comment.id, "current_status": comment.status, "current_version": comment.version,
            "decided_by": comment.decided_by,
            "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
            "last_action": dict(last_action) if last_action else None}


def decide(session: Session, comment: Comment, action: str, actor: str, reason: str | None, now: datetime,
           *, details: dict | None = None, audit_action: str | None = None) -> str:
    """Approve or reject; clears open reports; returns the previous status.

    The caller holds the row (FOR UPDATE) and has checked what the decider saw.
    ``audit_action`` names the entry when it is not the action itself (an undo).
    """
    previous = comment.status
    comment.status = ACTIONS[action]
    comment.decided_at, comment.decided_by = now, actor
    if comment.open_reports:
        session.execute(update(Report).where(Report.comment_id == comment.id, Report.cleared_at.is_(None))
                        .values(cleared_at=now).execution_options(synchronize_session=False))
    comment.open_reports = 0
    comment.awaiting_review = awaiting_review(comment.status, 0, comment.erased_at is not None)
    _unfeature_if_hidden(comment)
    comment.version += 1
    audit.record(session, now, actor, audit_action or action, article_id=comment.article_id, comment_id=comment.id,
                 author_id=comment.author_id, reason=reason, previous_status=previous,
                 new_status=comment.status, details=details)
    _announce_decision(session, comment, previous, now)
    _thread_follows(session, comment, previous, now)
    return previous


def _thread_follows(session: Session, comment: Comment, previous: str, now: datetime) -> None:
    """A comment entering or leaving the public thread changes what readers see."""
    delta = caching.approved_delta(previous, comment.status)
    if delta:
        caching.threads_changed(session, {comment.article_id: delta}, now,
                                reason="comment_published" if delta > 0 else "comment_unpublished")


def _announce_decision(session: Session, comment: Comment, previous: str, now: datetime) -> None:
    ids = {"comment_id": comment.id, "previous_status": previous, "status": comment.status}
    if comment.status == APPROVED:
        events.publish(session, events.COMMENT_APPROVED, now, article_id=comment.article_id, **ids)
    elif comment.status == REJECTED:
        events.publish(session, events.COMMENT_REJECTED, now, article_id=comment.article_id, **ids)
        if previous == APPROVED:
            events.publish(session, events.COMMENT_UNPUBLISHED, now, article_id=comment.article_id, **ids)


def undo(session: Session, comment: Comment, decision: Any, actor: str, now: datetime) -> None:
    """Reverse ``decision`` (the comment's latest audit entry, an approval or rejection).

    The comment returns to the status it had; the reports that decision cleared are open
    again; decided_by/decided_at become those of the decision before it, if any. Recorded as
    a new change (action "undo", reason "undo of #<entry>"). The caller holds the row and has
    checked who may undo, and when.
    """
    undone_status, restored = comment.status, decision.previous_status
    reopened = session.execute(update(Report).where(Report.comment_id == comment.id, Report.cleared_at == decision.at)
                               .values(cleared_at=None).execution_options(synchronize_session=False)).rowcount or 0
    earlier = session.scalar(select(AuditEntry).where(AuditEntry.comment_id == comment.id,
                                                      AuditEntry.id < decision.id,
                                                      AuditEntry.action.in_(list(ACTIONS)))
                             .order_by(AuditEntry.id.desc()).limit(1))
    comment.status = restored
    comment.open_reports += reopened
    comment.awaiting_review = awaiting_review(restored, comment.open_reports, comment.erased_at is not None)
    _unfeature_if_hidden(comment)
    if restored == PENDING or earlier is None:
        comment.decided_at, comment.decided_by = None, None
    else:
        comment.decided_at, comment.decided_by = earlier.at, earlier.actor
    comment.version += 1
    audit.record(session, now, actor, "undo", article_id=comment.article_id, comment_id=comment.id,
                 author_id=comment.author_id, reason=f"undo of #{decision.id}", previous_status=undone_status,
                 new_status=restored, details={"undone": decision.id, "reports_reopened": reopened})
    ids = {"comment_id": comment.id, "previous_status": undone_status, "status": restored}
    if restored == APPROVED:
        events.publish(session, events.COMMENT_APPROVED, now, article_id=comment.article_id, **ids)
    elif undone_status == APPROVED:
        events.publish(session, events.COMMENT_UNPUBLISHED, now, article_id=comment.article_id, **ids)
    _thread_follows(session, comment, undone_status, now)


# --- featured comments -------------------------------------------------------------------

def _unfeature_if_hidden(comment: Comment) -> None:
    """A comment that leaves the public thread is no longer featured: approving it again
    later does not bring back a pick made about what readers could see then."""
    if comment.status != APPROVED or comment.erased_at is not None:
        comment.featured_at = None


def set_featured(session: Session, comment: Comment, featured: bool, actor: str, now: datetime) -> bool:
    """Feature (or unfeature) an approved comment; returns whether anything changed.

    Only an approved, not erased comment may be featured (Conflict otherwise); unfeaturing
    is always allowed. Readers see the flag, so the thread's version goes up (reason
    ``comment_featured`` / ``comment_unfeatured``) and the site hears ``comment.featured`` or
    ``comment.unfeatured``. Featuring an already featured comment changes nothing. The
    caller holds the row.
    """
    if featured and (comment.status != APPROVED or comment.erased_at is not None):
        raise Conflict("Only an approved comment can be featured.",
                       details={"comment_id": comment.id, "current_status": comment.status,
                                "current_version": comment.version})
    if (comment.featured_at is not None) == featured:
        return False
    comment.featured_at = now if featured else None
    comment.version += 1
    action = "feature" if featured else "unfeature"
    audit.record(session, now, actor, action, article_id=comment.article_id, comment_id=comment.id,
                 author_id=comment.author_id, reason=None, previous_status=comment.status,
                 new_status=comment.status, details=None)
    events.publish(session, events.COMMENT_FEATURED if featured else events.COMMENT_UNFEATURED, now,
                   article_id=comment.article_id, comment_id=comment.id)
    caching.threads_changed(session, {comment.article_id: 0}, now,
                            reason="comment_featured" if featured else "comment_unfeatured")
    return True


# --- reports ---------------------------------------------------------------------------

def add_report(session: Session, comment: Comment, reporter_id: str, reason: str, note: str | None,
               now: datetime) -> Report:
    """A reader's report: open until the next decision; an approved comment returns to the queue.

    Raises Conflict when this reader already reported the comment. The caller holds the row.
    """
    report = Report(comment_id=comment.id, reporter_id=reporter_id, reason=reason, note=note, created_at=now)
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        raise Conflict("This reader has already reported this comment.",
                       details={"comment_id": comment.id, "reporter_id": reporter_id}) from None
    comment.open_reports += 1
    comment.awaiting_review = awaiting_review(comment.status, comment.open_reports, comment.erased_at is not None)
    comment.version += 1
    events.publish(session, events.COMMENT_REPORTED, now, article_id=comment.article_id, comment_id=comment.id,
                   reason=reason)
    return report


# --- scores ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreResult:
    """What the model said of one comment: every class score, and the detected language."""

    comment_id: int
    scores: dict[str, float]
    language: str | None
    # Whether the model that scored it was trained on that language.
    language_covered: bool


@dataclass(frozen=True)
class Thresholds:
    """``[scoring] auto_reject_above`` / ``auto_approve_below``: empty tables decide nothing."""

    reject_above: Mapping[str, float]
    approve_below: Mapping[str, float]

    def __bool__(self) -> bool:
        return bool(self.reject_above or self.approve_below)


_SET_SCORED = (
    update(Comment.__table__)
    .where(Comment.__table__.c.id == bindparam("comment_id"))
    .values(toxicity=bindparam("toxicity"), sort_toxicity=bindparam("sort_toxicity"),
            sort_house=bindparam("sort_house"),
            language=bindparam("language"), scored_at=bindparam("scored_at"), claimed_by=None,
            claim_expires_at=None, version=Comment.__table__.c.version + 1)
)


def record_scores(session: Session, results: list[ScoreResult], thresholds: Thresholds, now: datetime) -> None:
    """Store the derived score columns of scored comments, then apply the automatic thresholds.

    One executemany for the batch, so that the write lock intake needs is held for a moment.
    The caller holds the rows and has written their CommentScore rows.
    """
    if not results:
        return
    session.execute(_SET_SCORED, [
        {"comment_id": r.comment_id, "toxicity": r.scores.get("toxicity"),
         "sort_toxicity": sort_toxicity(r.scores.get("toxicity")), "sort_house": sort_toxicity(r.scores.get("house")),
         "language": r.language, "scored_at": now}
        for r in results])
    if not thresholds:
        return
    by_id = {r.comment_id: r for r in results}
    comments = list(session.scalars(select(Comment).where(Comment.id.in_(list(by_id))).order_by(Comment.id)
                                    .execution_options(populate_existing=True)))
    banned = bans.banned_among(session, {c.author_id for c in comments})
    for comment in comments:
        result = by_id[comment.id]
        decision = automatic_decision(comment, result, thresholds, author_banned=comment.author_id in banned)
        if decision is not None:
            action, reason = decision
            decide(session, comment, action, audit.AUTO, reason, now, details={"scores": result.scores})


def automatic_decision(comment: Comment, result: ScoreResult, thresholds: Thresholds, *,
                       author_banned: bool) -> tuple[str, str] | None:
    """What the newsroom's thresholds decide for a freshly scored comment, if anything.

    A threshold may name ``house``, the house model's score (issue 23), like any class: opt-in,
    and a comment the house model did not score is not decided by it.

    Only a comment nobody decided yet is touched. Rejecting never publishes anything, so any
    listed score at or above its threshold rejects. Approving publishes without a person, so
    it also requires that nothing a person must see is there: no open report, an author who
    is not banned, no suspect word, and a language the model was trained on.
    """
    if comment.status != PENDING or comment.erased_at is not None:
        return None
    scores = result.scores
    over = {label: scores[label] for label, threshold in thresholds.reject_above.items()
            if scores.get(label) is not None and scores[label] >= threshold}
    if over:
        return "reject", ", ".join(f"{label} {value:.3f} >= {thresholds.reject_above[label]}"
                                   for label, value in over.items())
    below = thresholds.approve_below
    if not below or comment.open_reports or author_banned or comment.flagged_words or not result.language_covered:
        return None
    if all(scores.get(label) is not None and scores[label] < threshold for label, threshold in below.items()):
        return "approve", ", ".join(f"{label} {scores[label]:.3f} < {threshold}" for label, threshold in below.items())
    return None


# --- erasure ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ErasedComments:
    comment_ids: list[int]
    article_ids: list[str]
    reports_on_comments: int
    idempotency_keys: int
    reader_addresses: int


def erase_comments(session: Session, author_id: str, tombstone: str, now: datetime) -> ErasedComments:
    """Remove the author's words, and everything that repeats, traces or names them, from their comments.

    Bodies, names, suspect words found, the body digest, idempotency keys and reader
    addresses go; reports on the comments go too (their notes quote them); the author id
    becomes ``tombstone``. Ids, statuses and scores stay, so every decision remains
    traceable. Erased comments leave the thread and the queue.

    Every statement selects by the author, never by a list of ids: an author may have more
    comments than a statement may carry parameters (65,535 on PostgreSQL).
    """
    mine = Comment.author_id == author_id
    # The comments' rows first, in id order (as every other multi-comment change takes them):
    # a report being filed holds its comment's row, so the erasure waits for it to commit and
    # then deletes it too; a report filed later finds the comment erased.
    lock_where(session, mine)
    live = mine & Comment.erased_at.is_(None)
    idempotency_keys = session.scalar(select(func.count()).select_from(Comment)
                                      .where(live, Comment.idempotency_key.is_not(None))) or 0
    reader_addresses = session.scalar(select(func.count()).select_from(Comment)
                                      .where(live, Comment.reader_address.is_not(None))) or 0
    reports = session.execute(delete(Report).where(Report.comment_id.in_(select(Comment.id).where(mine)))
                              .execution_options(synchronize_session=False)).rowcount
    rows = session.execute(
        update(Comment).where(live)
        .values(author_name=ERASED_NAME, body="", flagged_words=None, body_digest=None, idempotency_key=None,
                idempotency_owner=None, request_digest=None, reader_address=None,
                erased_at=now, featured_at=None,
                open_reports=0, awaiting_review=False, version=Comment.version + 1)
        .returning(Comment.id, Comment.article_id, Comment.status)
        .execution_options(synchronize_session=False)).all()
    unpublished: dict[str, int] = {}
    for row in rows:
        if row.status == APPROVED:
            unpublished[row.article_id] = unpublished.get(row.article_id, 0) - 1
    if unpublished:
        caching.threads_changed(session, unpublished, now, reason="comment_erased")
    # Every comment of the author takes the tombstone: those erased now, and those erased
    # before tombstones existed.
    session.execute(update(Comment).where(mine).values(author_id=tombstone)
                    .execution_options(synchronize_session=False))
    return ErasedComments(comment_ids=sorted(row.id for row in rows),
                          article_ids=sorted({row.article_id for row in rows}),
                          reports_on_comments=reports, idempotency_keys=idempotency_keys,
                          reader_addresses=reader_addresses)


def anonymise_reports_by(session: Session, reporter_id: str, now: datetime) -> int:
    """The reports a reader filed lose who filed them and their note, and keep their weight.

    The reported comments stay in the queue as they were: erasing a reader must not clear
    the reports that brought a comment back to a moderator. The reporter becomes NULL,
    "someone whose identity was erased": nothing a client sends can collide with it.
    """
    return session.execute(update(Report).where(Report.reporter_id == reporter_id)
                           .values(reporter_id=None, note=None)
                           .execution_options(synchronize_session=False)).rowcount


def lock_in_order(session: Session, comment_ids: Iterable[int]) -> None:
    """Take the row locks of several comments in one fixed order (ascending id).

    Two bulk decisions over the same comments listed in opposite orders then queue behind
    each other instead of deadlocking. (SQLite's single writer needs no row locks.)
    """
    ids = sorted({i for i in comment_ids if 0 < i < 2**63})
    if ids:
        lock_where(session, Comment.id.in_(ids))


def lock_where(session: Session, condition: Any) -> None:
    """Take the row locks of the comments ``condition`` selects, in ascending id (see
    ``lock_in_order``); a predicate, so that any number of comments can be locked."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Comment.id).where(condition).order_by(Comment.id).with_for_update())
