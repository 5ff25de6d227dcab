"""The closing job as a plain function: the scheduler, the CLI and tests all call it."""
from __future__ import annotations

from datetime import datetime

from moderation.closing import service
from moderation.closing.service import lock_due_threads, next_deadline
from moderation.runtime import Runtime


def sweep(runtime: Runtime, now: datetime | None = None) -> list[str]:
    """Lock every thread due at ``now`` (default: the runtime's clock) in one transaction."""
    with runtime.db.transaction() as session:
        return lock_due_threads(session, runtime.policy, now or runtime.now())


def upcoming_deadline(runtime: Runtime) -> datetime | None:
    with runtime.db.transaction(write=False) as session:
        return next_deadline(session, runtime.policy)


def announce_quiet_hours(runtime: Runtime, now: datetime | None = None) -> str | None:
    """thread.paused or thread.resumed if a quiet-hours boundary passed unannounced."""
    with runtime.db.transaction() as session:
        return service.announce_quiet_hours(session, runtime.policy, now or runtime.now())
