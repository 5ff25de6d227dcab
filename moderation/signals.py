"""After-commit notifications from the domain to the background parts of a process.

A service that makes a change some background part must react to (a new comment for the
scorer, a moved deadline for the closing scheduler, new events for webhook delivery) calls
``notify_after_commit(session, signal)`` in the same function that makes the change, so no
view, job or CLI command can forget it. The signal is sent only once the transaction has
committed, with the transaction's ``Database`` as sender; each process's ``Runtime`` connects
its receivers for its own database. Nothing happens when nobody listens (the CLI, tests).
"""
from __future__ import annotations

from blinker import Namespace, Signal
from sqlalchemy.orm import Session

from moderation.db import after_commit

_signals = Namespace()

#: A comment was stored and waits for scoring.
comment_stored = _signals.signal("comment-stored")
#: A thread's deadline moved, or a thread was locked or reopened: re-plan the next deadline job.
deadlines_changed = _signals.signal("deadlines-changed")
#: An administrator changed a console setting (sitesettings): re-read the effective settings.
settings_changed = _signals.signal("settings-changed")
#: Events were written to the outbox.
events_published = _signals.signal("events-published")
#: Webhook deliveries were queued by hand (a test event, a redelivery, an endpoint enabled).
deliveries_queued = _signals.signal("deliveries-queued")


def notify_after_commit(session: Session, signal: Signal) -> None:
    """Send ``signal`` once this session's transaction has committed (never if it rolls back)."""
    database = session.info.get("database")
    if database is None:  # a session made outside Database.transaction: nobody can listen
        return
    after_commit(session, lambda: signal.send(database))
