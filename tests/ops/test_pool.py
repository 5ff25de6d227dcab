"""Issue 11, point 5: a burst of twice as many concurrent requests as a process has request
threads, while its scorer and scheduler run, gets no 503 from pool exhaustion (PostgreSQL).

The database is made slow for real: a trigger makes every insert into comments wait longer
than [database] timeout_seconds, so every request of the burst holds its connection at once.
"""
import threading
import time

import pytest
from sqlalchemy import text

from moderation.app import create_app
from moderation.db import Database
from moderation.runtime import Runtime
from tests.factories import headers, make_article, make_key

# `moderation serve --threads` and deploy/gunicorn.conf.py both default to 8.
REQUEST_THREADS = 8


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def slow_inserts(engine, settings):
    delay = settings.database.timeout_seconds + 1.5
    with engine.begin() as connection:
        connection.execute(text(
            "CREATE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_sleep({delay}); RETURN NEW; END $$"))
        connection.execute(text("CREATE TRIGGER test_slow_insert BEFORE INSERT ON comments "
                                "FOR EACH ROW EXECUTE FUNCTION test_slow_insert()"))
    yield delay
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER IF EXISTS test_slow_insert ON comments"))
        connection.execute(text("DROP FUNCTION IF EXISTS test_slow_insert()"))


def test_burst_of_twice_the_threads_gets_no_503_while_background_parts_run(backend, settings, committed_runtime,
                                                                           request):
    if backend != "postgres":
        pytest.skip("connection pools are a PostgreSQL matter (SQLite has its writer queue)")
    # Default [database] settings; the scorer (fake model) and the scheduler run in this process.
    settings = settings.replace(scoring={"run_worker": True, "poll_interval_seconds": 0.2},
                                closing={"run_scheduler": True})
    runtime = Runtime(settings, clock=committed_runtime.clock, database=Database(settings.database))
    app = create_app(runtime=runtime, background=True)
    try:
        assert wait_for(lambda: runtime.scheduler.status()["leader"] and runtime.scoring.status()["ok"])
        key = make_key(runtime, "frontend")
        make_article(runtime, "burst")
        delay = request.getfixturevalue("slow_inserts")
        statuses: list[int] = []
        lock = threading.Lock()
        barrier = threading.Barrier(2 * REQUEST_THREADS)

        def post(number: int) -> None:
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/v1/articles/burst/comments", headers=headers(key),
                                   json={"author": {"id": f"reader-{number}", "name": "R"},
                                         "body": f"Commentaire {number} pendant la rafale"})
            with lock:
                statuses.append(response.status_code)

        started = time.monotonic()
        threads = [threading.Thread(target=post, args=(n,)) for n in range(2 * REQUEST_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        elapsed = time.monotonic() - started
        assert sorted(statuses) == [202] * (2 * REQUEST_THREADS), statuses
        assert elapsed >= delay  # every request really held its connection through the slow insert
        # The background parts kept working beside the burst.
        assert runtime.scheduler.status()["ok"] and runtime.scoring.status()["ok"]
        assert wait_for(lambda: runtime.scoring.scored_total >= 2 * REQUEST_THREADS)
    finally:
        if runtime.scoring is not None:
            runtime.scoring.stop()
        if runtime.scheduler is not None:
            runtime.scheduler.shutdown()
        runtime.db.dispose()
