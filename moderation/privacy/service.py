"""The subject-access export (GDPR art. 15, Swiss FADP art. 25): everything stored about an
author, as one JSON document, produced piece by piece so that an author with any number of
comments costs bounded memory.

Each part is read in keyset pages (``PAGE`` rows) inside the caller's read transaction.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.audit import service as audit
from moderation.audit.models import AuditEntry
from moderation.clock import utc_iso
from moderation.comments.models import Comment
from moderation.review import bans
from moderation.review.models import AuthorNote, Report
from moderation.scoring.models import CommentScore

PAGE = 500
FORMAT = "moderation-subject-access/1"


def _time(value: datetime | None) -> str | None:
    return utc_iso(value) if value is not None else None


def _comment(row: Any) -> dict[str, Any]:
    comment, score = row
    return {"id": comment.id, "article_id": comment.article_id, "parent_id": comment.parent_id,
            "author_name": comment.author_name, "body": comment.body, "status": comment.status,
            "created_at": _time(comment.created_at), "decided_at": _time(comment.decided_at),
            "language": comment.language, "reader_address": comment.reader_address,
            "flagged_words": json.loads(comment.flagged_words) if comment.flagged_words else [],
            "scores": score.scores if score is not None else None,
            "model": score.model if score is not None else None,
            "erased_at": _time(comment.erased_at)}


def _report(report: Report) -> dict[str, Any]:
    return {"id": report.id, "comment_id": report.comment_id, "reason": report.reason, "note": report.note,
            "created_at": _time(report.created_at), "cleared_at": _time(report.cleared_at)}


def _note(note: AuthorNote) -> dict[str, Any]:
    # What moderators wrote about the person is their data too; who wrote it is the newsroom's.
    return {"id": note.id, "body": note.body, "created_at": _time(note.created_at)}


def _entry(entry: AuditEntry) -> dict[str, Any]:
    # Whether a person or the classifier decided is the reader's to know (GDPR art. 22);
    # which moderator it was is the newsroom's.
    return {"id": entry.id, "at": _time(entry.at), "action": entry.action, "automatic": entry.actor == audit.AUTO,
            "article_id": entry.article_id, "comment_id": entry.comment_id, "reason": entry.reason,
            "previous_status": entry.previous_status, "new_status": entry.new_status}


def _pages(session: Session, query: Any, id_column: Any, render: Callable[[Any], dict[str, Any]],
           rows: bool = False) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        page = session.execute(query.where(id_column > after).order_by(id_column).limit(PAGE))
        items = page.all() if rows else page.scalars().all()
        for item in items:
            yield render(item)
        if len(items) < PAGE:
            return
        after = (items[-1][0] if rows else items[-1]).id


def export_author(session: Session, author_id: str, now: datetime) -> Iterator[str]:
    """The export's JSON text, in pieces: the author's comments (with their status, scores
    and what intake kept), the reports they filed, their ban and the audit entries about
    them, and the notes moderators left about them. ``json.loads("".join(...))`` is the document."""
    yield "{" + f'"format": {json.dumps(FORMAT)}, "author_id": {json.dumps(author_id, ensure_ascii=False)}, ' \
                f'"exported_at": {json.dumps(utc_iso(now))}'
    parts = (
        ("comments", select(Comment, CommentScore).outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
         .where(Comment.author_id == author_id), Comment.id, _comment, True),
        ("reports_filed", select(Report).where(Report.reporter_id == author_id), Report.id, _report, False),
        ("moderator_notes", select(AuthorNote).where(AuthorNote.author_id == author_id), AuthorNote.id, _note, False),
        ("audit_entries", select(AuditEntry).where(AuditEntry.author_id == author_id), AuditEntry.id, _entry, False),
    )
    for name, query, id_column, render, rows in parts:
        yield f', "{name}": ['
        first = True
        for item in _pages(session, query, id_column, render, rows):
            yield ("" if first else ", ") + json.dumps(item, ensure_ascii=False)
            first = False
        yield "]"
    ban = bans.find_ban(session, author_id)
    banned = None if ban is None else {"banned_at": _time(ban.banned_at), "reason": ban.reason}
    yield f', "ban": {json.dumps(banned, ensure_ascii=False)}' + "}\n"


def record_export(session: Session, author_id: str, actor: str, now: datetime) -> None:
    """Who exported whose data, and when, is on record like every other action."""
    audit.record(session, now, actor, "export", author_id=author_id)
