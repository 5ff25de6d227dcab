"""Issue 10, point 4: a reopened thread stays open, whatever a sweep running at the same time does.

The sweep SELECTs due threads, then UPDATEs them. A moderator's unlock (or a PUT moving
publication later) committed between the two must win: the UPDATE re-checks the deadline.
"""
import itertools
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from moderation.articles import service as articles
from moderation.articles.models import Article
from moderation.closing import jobs
from moderation.closing import service as closing
from moderation.comments import service as comments
from tests.factories import make_article

GENEROUS = 30.0  # seconds: a deadline for a busy machine, never a fixed sleep


class PausedSweep:
    """Runs a sweep in a thread that stops just before its UPDATE until released."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.at_update = threading.Event()
        self.release = threading.Event()
        self.locked: list[str] | None = None
        self.thread = threading.Thread(target=self._run, name="paused-sweep")

    def _pause(self, conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread() is self.thread and statement.lstrip().upper().startswith("UPDATE ARTICLES"):
            self.at_update.set()
            assert self.release.wait(GENEROUS)

    def _run(self):
        self.locked = jobs.sweep(self.runtime)

    def __enter__(self):
        event.listen(self.runtime.db.engine, "before_cursor_execute", self._pause)
        self.thread.start()
        assert self.at_update.wait(GENEROUS), "the sweep never reached its UPDATE"
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(GENEROUS)
        event.remove(self.runtime.db.engine, "before_cursor_execute", self._pause)


@pytest.fixture
def pg_runtime(committed_runtime):
    if committed_runtime.db.is_sqlite:
        pytest.skip("SQLite's sweep holds the write lock from SELECT to UPDATE: nothing can interleave")
    return committed_runtime


def is_locked(runtime, article_id):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(Article.locked_at).where(Article.id == article_id)) is not None


_posts = itertools.count()


def can_post(runtime, article_id):
    """Posting succeeds (CommentsClosed would propagate and fail the test)."""
    with runtime.db.transaction() as session:
        comments.post_comment(session, article_id,
                              comments.NewComment("reader", "R", f"Encore ouvert ? ({next(_posts)})"),
                              runtime.intake_rules, runtime.now())
    return True


def test_unlock_committed_between_the_sweeps_select_and_update(pg_runtime):
    runtime = pg_runtime
    article = make_article(runtime, "overdue", published_at=runtime.now() - timedelta(hours=80))
    with PausedSweep(runtime) as sweep:
        with runtime.db.transaction() as session:
            reopened = closing.unlock_thread(session, article, "alice", None, runtime.policy, runtime.now())
            assert runtime.policy.is_open(reopened, runtime.now())
    assert sweep.locked == []
    assert not is_locked(runtime, article)
    assert can_post(runtime, article)


def test_unlock_holding_the_row_while_the_sweeps_update_waits(pg_runtime):
    """The UPDATE blocks on the unlock's row lock; when the unlock commits, PostgreSQL
    re-evaluates the UPDATE's WHERE on the new row, and the deadline in it must refuse."""
    runtime = pg_runtime
    article = make_article(runtime, "overdue", published_at=runtime.now() - timedelta(hours=80))
    sweep = PausedSweep(runtime)
    with sweep:
        with runtime.db.transaction() as session:
            closing.unlock_thread(session, article, "alice", None, runtime.policy, runtime.now())
            session.flush()
            sweep.release.set()  # the UPDATE now runs and waits for this transaction's row lock
            deadline = time.monotonic() + GENEROUS
            with runtime.db.engine.connect() as observer:
                while not observer.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE 'UPDATE articles%'")).scalar():
                    assert time.monotonic() < deadline, "the sweep's UPDATE never waited for the row"
                    time.sleep(0.01)
    assert sweep.locked == []
    assert not is_locked(runtime, article)
    assert can_post(runtime, article)


def test_a_put_moving_publication_later_between_select_and_update(pg_runtime):
    runtime = pg_runtime
    article = make_article(runtime, "moved", published_at=runtime.now() - timedelta(hours=80))
    with PausedSweep(runtime) as sweep:
        with runtime.db.transaction() as session:
            articles.upsert_article(session, article, {"title": "Moved", "published_at": runtime.now()},
                                    runtime.now())
    assert sweep.locked == []
    assert can_post(runtime, article)


def test_a_thread_really_due_is_still_locked_by_the_paused_sweep(pg_runtime):
    runtime = pg_runtime
    article = make_article(runtime, "due", published_at=runtime.now() - timedelta(hours=80))
    with PausedSweep(runtime) as sweep:
        pass
    assert sweep.locked == [article]


def test_no_reopened_thread_is_relocked_while_sweeps_run_every_few_milliseconds(committed_runtime):
    """Stress: 150 overdue threads reopened one by one while sweeps run back to back."""
    runtime = committed_runtime
    ids = [make_article(runtime, f"overdue-{i}", published_at=runtime.now() - timedelta(hours=80))
           for i in range(150)]
    stop = threading.Event()
    sweeps = []

    def sweeper():
        while not stop.is_set():
            sweeps.append(jobs.sweep(runtime))
            time.sleep(0.002)

    thread = threading.Thread(target=sweeper)
    thread.start()
    try:
        for article_id in ids:
            with runtime.db.transaction() as session:
                closing.unlock_thread(session, article_id, "alice", None, runtime.policy, runtime.now())
            # Reopened until now + 72 h: posting works at once and stays possible.
            assert can_post(runtime, article_id)
    finally:
        stop.set()
        thread.join(GENEROUS)
    assert len(sweeps) > 1
    with runtime.db.transaction(write=False) as session:
        still_locked = session.scalars(select(Article.id).where(Article.locked_at.is_not(None))).all()
    assert still_locked == []
    for article_id in ids:
        assert can_post(runtime, article_id)
