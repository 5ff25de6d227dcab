"""The analyzer under gunicorn with two workers, as in production: one model copy per machine
(the worker holding the scorer serves the others over the local socket), German to its own
model and French to Detoxify in the analyze endpoint and in the queue, keys never logged, and
another worker taking over when the one holding the model is killed.

Models: the tiny generated ones (tests/scoring/checkpoint.py, tests/scoring/hf_checkpoint.py).
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest
import requests
from sqlalchemy import select

from moderation.clock import SystemClock
from moderation.db import Database
from moderation.leader import MachineLock
from moderation.runtime import Runtime
from moderation.scoring.models import CommentScore
from tests.factories import make_article, make_key
from tests.servers import free_port

FRENCH = "Je ne suis pas d'accord avec l'auteur, mais merci pour l'enquête."
GERMAN = "Ich bin nicht einverstanden mit dem Autor, aber danke für den Artikel."
DETOXIFY, GERMAN_MODEL = "detoxify-multilingual:detoxify.ckpt", "transformers:german-toxic"


def start(url, port, tmp_path, models):
    env = {**os.environ, "MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "detoxify",
           "MODERATION_SCORING__MODELS": json.dumps(models), "MODERATION_SCORING__POLL_INTERVAL_SECONDS": "0.2",
           "MODERATION_SCORING__LANGUAGES": '["fr", "de", "it", "en"]',
           "MODERATION_CLOSING__RUN_SCHEDULER": "false", "MODERATION_RATELIMIT__ENABLED": "false",
           "MODERATION_API__KEY_CACHE_SECONDS": "30", "MODERATION_SERVER__RUNTIME_DIR": str(tmp_path / "run"),
           # A shared 2-core machine runs the suite: the deadline is not what is tested here.
           "MODERATION_ANALYZER__DEADLINE_SECONDS": "20"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(tmp_path / "access.log"), "--access-logformat", '%(p)s "%(r)s" %(s)s',
         "--control-socket", str(tmp_path / "gunicorn.ctl"), "moderation.server:application()"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "server.log", "ab"), start_new_session=True)
    return server


def children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry))
    return found


def holding(pids: list[int], path: str) -> list[int]:
    """The processes among ``pids`` with ``path`` open (a MachineLock is held while its file is open)."""
    result = []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:  # the process is gone
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                    result.append(pid)
                    break
            except OSError:  # a connection closed since the listing: not the lock file
                continue
    return result


def wait_for_holders(parent: int, path: str, other_than: int | None = None, timeout: float = 120) -> list[int]:
    """The workers holding ``path`` once exactly one other than ``other_than`` does."""
    deadline = time.monotonic() + timeout
    while True:
        holders = holding(children(parent), path)
        if len(holders) == 1 and holders[0] != other_than or time.monotonic() > deadline:
            return holders
        time.sleep(0.2)


def coral(text, language):
    return {"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {"TOXICITY": {}},
            "languages": [language]}


def wait_until_analyzing(base, key, tmp_path, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.post(f"{base}/v1alpha1/comments:analyze?key={key}", json=coral(FRENCH, "fr"),
                                     timeout=30, headers={"Connection": "close"})
            if response.status_code == 200:
                return
            assert response.status_code == 503, response.text
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError("no analyzer: " + (tmp_path / "server.log").read_text()[-3000:])


def pids_that_answered(tmp_path):
    lines = (tmp_path / "access.log").read_text().splitlines()
    return {re.match(r"<(\d+)>", line).group(1) for line in lines
            if "comments:analyze" in line and line.endswith(" 200")}


def test_two_workers_one_model_copy(backend, settings, engine, committed_runtime, tmp_path, models_by_language,
                                    loaded_router):
    runtime = Runtime(settings, clock=SystemClock(), database=Database(settings.database, engine))
    key = make_key(runtime, "analyzer")
    frontend = make_key(runtime, "frontend")
    make_article(runtime, "budget", published_at=datetime.now(timezone.utc))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = settings.replace(server={"runtime_dir": str(tmp_path / "run")})

    def lock_path(name):
        return MachineLock.for_settings(run, settings.database.url, name).path

    server = start(settings.database.url, port, tmp_path, models_by_language)
    try:
        wait_until_analyzing(base, key, tmp_path)
        expected = {"fr": loaded_router.route([FRENCH], ["fr"])[0].scores["toxicity"],
                    "de": loaded_router.route([GERMAN], ["de"])[0].scores["toxicity"]}
        answers, errors = [], []

        def client(number):
            language, text = (("fr", FRENCH), ("de", GERMAN))[number % 2]
            try:
                # A new connection each time, so that both workers take requests.
                response = requests.post(f"{base}/v1alpha1/comments:analyze?key={key}", json=coral(text, language),
                                         timeout=60, headers={"Connection": "close"})
                answers.append((language, response.status_code, response.json()))
            except Exception as exc:
                errors.append(exc)

        for _round in range(30):
            threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            if len(pids_that_answered(tmp_path)) >= 2:
                break
        assert not errors
        assert len(pids_that_answered(tmp_path)) == 2, "only one worker took analyze requests"
        for language, status, body in answers:
            assert status == 200, body
            assert body["model"] == {"fr": DETOXIFY, "de": GERMAN_MODEL}[language]
            assert body["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
                expected[language], abs=1e-5)

        # One model copy on the machine: one worker holds the scorer (only it loads the model)
        # and the analyzer socket; the other forwarded its requests to it.
        assert len(children(server.pid)) == 2
        holders = {name: wait_for_holders(server.pid, lock_path(name)) for name in ("scorer", "analyzer")}
        assert len(holders["scorer"]) == 1 and holders["scorer"] == holders["analyzer"], holders
        holder = holders["scorer"][0]
        # The locks and the socket are in the runtime directory, closed to other accounts.
        assert os.path.exists(lock_path("analyzer")[:-len(".lock")] + ".sock")
        assert os.stat(tmp_path / "run").st_mode & 0o777 == 0o700
        # The key in the query string reached no log; the access log shows it redacted.
        log = (tmp_path / "server.log").read_text()
        access = (tmp_path / "access.log").read_text()
        assert key not in access and key not in log
        assert "/v1alpha1/comments:analyze?key=REDACTED" in access

        # The queue: each comment scored by its language's model, in the background worker.
        ids = {}
        for language, text in (("fr", FRENCH), ("de", GERMAN)):
            posted = requests.post(f"{base}/api/v1/articles/budget/comments", timeout=30,
                                   headers={"Authorization": f"Bearer {frontend}"},
                                   json={"author": {"id": f"reader-{language}", "name": "R"}, "body": text})
            assert posted.status_code == 202, posted.text
            ids[language] = posted.json()["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with runtime.db.transaction(write=False) as session:
                scored = {s.comment_id: s.model for s in session.scalars(select(CommentScore))}
            if len(scored) == 2:
                break
            time.sleep(0.2)
        assert scored == {ids["fr"]: DETOXIFY, ids["de"]: GERMAN_MODEL}

        # The worker holding the model dies: the other takes the model and the socket over.
        os.kill(holder, signal.SIGKILL)
        wait_until_analyzing(base, key, tmp_path)
        # Only the analyzer lock's holder serves the socket, so a 200 means it holds the lock;
        # reading another process's open files races with its connections: poll.
        successors = wait_for_holders(server.pid, lock_path("analyzer"), other_than=holder)
        assert len(successors) == 1 and successors[0] != holder, (holder, successors)
        successor = successors[0]
        print(f"gunicorn analyzer ({backend}): {len(answers)} analyze calls answered by 2 workers, "
              f"model held by {holder}, then by {successor}")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
