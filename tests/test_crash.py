"""SIGKILL under load: every comment that got a 202 is there exactly once after a restart,
and the scoring worker and the closing job resume on their own.

Runs the real thing: gunicorn with 2 workers (`moderation.server:application()`), clients
over HTTP on loopback, and `kill -9` of the whole server. Scoring uses the fake scorer
(the real model's weights cannot be had here; tests/scoring covers Detoxify itself).
"""
import os
import signal
import threading
import time
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import func, select

from moderation.articles.models import Article
from moderation.clock import SystemClock
from moderation.comments.models import Comment
from moderation.db import Database
from moderation.runtime import Runtime
from tests.factories import make_article, make_key
from tests.servers import free_port, start_server


def test_sigkill_loses_and_duplicates_nothing(backend, settings, engine, committed_runtime, tmp_path):
    runtime = Runtime(settings, clock=SystemClock(), database=Database(settings.database, engine))
    url = settings.database.url
    key = make_key(runtime, "frontend")
    make_article(runtime, "breaking", published_at=datetime.now(timezone.utc))
    port = free_port()
    server = start_server(url, port, tmp_path)

    acknowledged: list[tuple[int, str]] = []
    sent = [0]
    stop = threading.Event()
    lock = threading.Lock()

    def client(number: int) -> None:
        session = requests.Session()
        for i in range(10_000):
            if stop.is_set():
                return
            idem = f"c{number}-{i}"
            with lock:
                sent[0] += 1
            try:
                response = session.post(
                    f"http://127.0.0.1:{port}/api/v1/articles/breaking/comments",
                    headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem},
                    json={"author": {"id": f"reader-{number}", "name": "R"}, "body": f"Commentaire {number}/{i}"},
                    timeout=5)
            except requests.RequestException:
                return  # the server is gone
            if response.status_code == 202:
                with lock:
                    acknowledged.append((response.json()["id"], idem))

    clients = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in clients:
        thread.start()
    # Kill once the load is well under way (however long a busy machine takes to get there).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(acknowledged) <= 100:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # mid-flight, no warning, no cleanup
    server.wait(10)
    stop.set()
    for thread in clients:
        thread.join(30)
    assert len(acknowledged) > 50, "the load did not get going"
    # A thread whose 1-second window ends while the server is down: the restarted scheduler
    # must lock it. Downtime lasts until its deadline has passed (real time, however busy).
    closing_soon_deadline = datetime.now(timezone.utc) + timedelta(seconds=1)
    make_article(runtime, "closing-soon", published_at=closing_soon_deadline - timedelta(seconds=1),
                 close_after_hours=1 / 3600)
    while datetime.now(timezone.utc) < closing_soon_deadline + timedelta(seconds=0.5):
        time.sleep(0.1)

    server = start_server(url, port, tmp_path)
    try:
        with runtime.db.transaction(write=False) as session:
            for comment_id, idem in acknowledged:
                rows = session.scalars(select(Comment).where(Comment.idempotency_key == idem)).all()
                assert [row.id for row in rows] == [comment_id]
            stored = session.scalar(select(func.count()).select_from(Comment))
        assert stored >= len(acknowledged)  # some may have committed just before the kill, unanswered

        deadline = time.monotonic() + 180  # generous: two workers restart and score on a possibly busy machine
        while time.monotonic() < deadline:
            with runtime.db.transaction(write=False) as session:
                unscored = session.scalar(select(func.count()).select_from(Comment).where(Comment.scored_at.is_(None)))
                locked = session.get(Article, "closing-soon").locked_at
            if unscored == 0 and locked is not None:
                break
            time.sleep(0.5)
        assert unscored == 0, "the scoring worker did not resume"
        assert locked is not None, "the closing job did not lock what fell due while down"
        print(f"crash test ({backend}): sent {sent[0]}, acknowledged {len(acknowledged)}, stored {stored}, "
              f"all {len(acknowledged)} acknowledged found exactly once")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
