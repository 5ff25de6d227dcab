"""The scheduler wrapper with real APScheduler threads and real time (short waits only)."""
import time
from datetime import datetime, timedelta, timezone

from moderation.articles.models import Article
from moderation.clock import SystemClock
from moderation.closing.scheduler import DEADLINE_JOB, ClosingScheduler
from moderation.db import Database
from moderation.leader import Leadership
from moderation.runtime import Runtime
from tests.factories import make_article


def wait_for(condition, timeout=30.0):
    """Poll until ``condition()``; the deadline is generous so that a busy machine only slows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def lock_of(runtime, article_id):
    with runtime.db.transaction(write=False) as session:
        article = session.get(Article, article_id)
        return article.locked_at, article.lock_reason


def test_startup_locks_what_fell_due_while_down(committed_runtime, clock):
    runtime = committed_runtime
    make_article(runtime, "fell-due", published_at=clock.now() - timedelta(hours=80))
    make_article(runtime, "open", published_at=clock.now())
    from prometheus_client import REGISTRY

    locked_before = REGISTRY.get_sample_value("moderation_threads_locked_total") or 0
    scheduler = ClosingScheduler(runtime)
    scheduler.start()
    try:
        assert wait_for(lambda: lock_of(runtime, "fell-due")[0] is not None)
        assert wait_for(lambda: REGISTRY.get_sample_value("moderation_threads_locked_total") == locked_before + 1)
        assert lock_of(runtime, "fell-due")[1] == "auto"
        assert lock_of(runtime, "open")[0] is None
        assert scheduler.status()["leader"] is True
    finally:
        scheduler.shutdown()


def test_sub_second_window_is_locked_within_a_second_of_its_deadline(settings, engine, committed_runtime):
    """End to end on real time: a 0.5 s window, locked by the one-off deadline job."""
    window_hours = 0.5 / 3600
    runtime = Runtime(settings.replace(closing={"close_after_hours": window_hours, "sweep_interval_seconds": 3600}),
                      clock=SystemClock(), database=Database(settings.database, engine))
    scheduler = ClosingScheduler(runtime)
    scheduler.start()
    try:
        # Leadership is taken by the first sweep, on the scheduler's thread: only a leader plans.
        assert wait_for(lambda: scheduler.status()["leader"])
        # Published 2 s ahead, so that planning happens before the deadline however busy the machine.
        published = datetime.now(timezone.utc) + timedelta(seconds=2)
        make_article(runtime, "flash", published_at=published)
        # No call here: registering the article re-plans the deadline job after commit.
        assert scheduler.scheduler.get_job(DEADLINE_JOB) is not None
        deadline = published + timedelta(seconds=0.5)
        assert wait_for(lambda: lock_of(runtime, "flash")[0] is not None)
        locked_at, reason = lock_of(runtime, "flash")
        assert reason == "auto"
        assert deadline <= locked_at < deadline + timedelta(seconds=1)
    finally:
        scheduler.shutdown()


def test_only_one_leader_and_takeover(committed_runtime, engine, settings):
    first = Leadership(Database(settings.database, engine), settings=settings)
    second = Leadership(Database(settings.database, engine), settings=settings)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert first.try_acquire() is True  # still held
        first.release()  # the leader dies
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()
