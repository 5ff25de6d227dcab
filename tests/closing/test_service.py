import threading
from datetime import timedelta

from sqlalchemy import func, select

from moderation.articles.models import Article
from moderation.audit.models import AuditEntry
from moderation.closing import jobs
from moderation.closing.service import lock_due_threads, next_deadline
from moderation.db import Database
from moderation.runtime import Runtime
from tests.conftest import T0
from tests.factories import make_article


def locked_ids(runtime):
    with runtime.db.transaction(write=False) as session:
        return set(session.scalars(select(Article.id).where(Article.locked_at.is_not(None))))


def audit_count(runtime, action="lock"):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_job_locks_a_due_thread_once_with_one_audit_entry(runtime, clock):
    make_article(runtime, "due", published_at=T0)
    make_article(runtime, "not-due", published_at=T0 + timedelta(hours=1))
    clock.set(T0 + timedelta(hours=72) - timedelta(seconds=1))
    assert jobs.sweep(runtime) == []
    clock.set(T0 + timedelta(hours=72))
    assert jobs.sweep(runtime) == ["due"]
    assert jobs.sweep(runtime) == []
    assert locked_ids(runtime) == {"due"}
    assert audit_count(runtime) == 1
    with runtime.db.transaction(write=False) as session:
        article = session.get(Article, "due")
        assert article.lock_reason == "auto" and article.locked_at == T0 + timedelta(hours=72)


def test_fixed_and_site_windows_both_swept(runtime, clock):
    make_article(runtime, "short", published_at=T0, close_after_hours=1)
    make_article(runtime, "long", published_at=T0, close_after_hours=200)
    make_article(runtime, "site", published_at=T0)
    clock.set(T0 + timedelta(hours=80))
    assert set(jobs.sweep(runtime)) == {"short", "site"}
    with runtime.db.transaction(write=False) as session:
        assert next_deadline(session, runtime.policy) == T0 + timedelta(hours=200)


def test_next_deadline_is_the_earliest_open_one(runtime):
    make_article(runtime, "a", published_at=T0 + timedelta(hours=5))
    make_article(runtime, "b", published_at=T0, close_after_hours=3)
    with runtime.db.transaction(write=False) as session:
        assert next_deadline(session, runtime.policy) == T0 + timedelta(hours=3)


def test_config_change_72_to_48_closes_a_50_hour_old_thread_and_reopens_nothing(runtime, settings, clock, connection):
    make_article(runtime, "fifty-hours", published_at=T0)
    make_article(runtime, "fresh", published_at=T0 + timedelta(hours=49))
    make_article(runtime, "locked", published_at=T0 - timedelta(hours=100))
    jobs.sweep(runtime)
    assert locked_ids(runtime) == {"locked"}
    clock.set(T0 + timedelta(hours=50))
    assert jobs.sweep(runtime) == []  # still open under 72 h

    # Ops change the window (a restart with the new config), and make it longer than before
    # for the locked one: nothing locked comes back.
    shorter = Runtime(settings.replace(closing={"close_after_hours": 48}), clock=clock,
                      database=Database(settings.database, runtime.db.engine, connection=connection))
    assert set(jobs.sweep(shorter)) == {"fifty-hours"}
    longer = Runtime(settings.replace(closing={"close_after_hours": 1000}), clock=clock,
                     database=Database(settings.database, runtime.db.engine, connection=connection))
    assert jobs.sweep(longer) == []
    assert locked_ids(longer) == {"locked", "fifty-hours"}


def test_two_sweeps_racing_lock_each_thread_exactly_once(committed_runtime, clock):
    runtime = committed_runtime
    for i in range(300):
        make_article(runtime, f"race-{i}", published_at=T0 - timedelta(hours=100))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweeper():
        try:
            barrier.wait()
            with runtime.db.transaction() as session:
                results.append(lock_due_threads(session, runtime.policy, clock.now(), batch_size=50))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    all_locked = results[0] + results[1]
    assert len(all_locked) == 300 and len(set(all_locked)) == 300
    assert audit_count(runtime) == 300


def test_sweep_uses_the_partial_indexes(runtime, clock):
    """The sweep reads open threads through their partial indexes, never the whole table."""
    from sqlalchemy import text

    engine = runtime.db.engine
    cutoff = clock.now().replace(tzinfo=None).isoformat(sep=" ")
    with runtime.db.transaction(write=False) as session:
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in session.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM articles WHERE locked_at IS NULL AND fixed_closes_at IS NULL "
                f"AND window_opened_at <= '{cutoff}'")))
            assert "ix_articles_open_site_window" in plan
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in session.execute(text(
                "EXPLAIN SELECT id FROM articles WHERE locked_at IS NULL AND fixed_closes_at IS NOT NULL "
                "AND fixed_closes_at <= now()")))
            assert "ix_articles_open_fixed_deadline" in plan
