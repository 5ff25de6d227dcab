"""Issue 11, point 3: a comment that makes the model fail does not block the others or loop.

Real Detoxify weights cannot be had here, and the tiny test model does not fail on any text,
so ``PoisonedScorer`` stands in for a model that fails on one particular input: it scores
like the fake scorer and raises for texts carrying a marker, every time, as a real model
does on an input it cannot handle (the failure is a property of the input, not random).
"""
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from moderation.app import create_app
from moderation.audit.models import AuditEntry
from moderation.comments.models import Comment
from moderation.db import Database
from moderation.runtime import Runtime
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import ScorerBroken, ScoringWorker, score_batch
from tests.factories import headers, make_article, make_comment, make_key

MARKER = "zx-poison-zx"
SECRET = "texte confidentiel 5150"


class PoisonedScorer(FakeScorer):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def score(self, texts):
        self.calls += 1
        if any(MARKER in text for text in texts):
            raise ValueError(f"cannot handle: {texts}")  # quotes its input, as some libraries do
        return super().score(texts)


class BrokenScorer(FakeScorer):
    def score(self, texts):
        raise RuntimeError("out of memory")


def comment_row(runtime, comment_id) -> Comment:
    with runtime.db.transaction(write=False) as session:
        return session.get(Comment, comment_id)


def poisoned_batch(runtime):
    article = make_article(runtime, "a-1")
    comments = [make_comment(runtime, article, body=f"Commentaire sain numéro {i}.") for i in range(7)]
    bad = make_comment(runtime, article, body=f"{SECRET} {MARKER}")
    return comments, bad


def test_failing_comment_is_isolated_then_marked_failed_after_max_attempts(runtime, clock, caplog):
    settings = runtime.settings.scoring
    comments, bad = poisoned_batch(runtime)
    scorer = PoisonedScorer()
    first = score_batch(runtime, scorer, None, "w1")
    assert (first.claimed, first.scored, first.failed, first.gave_up) == (8, 7, 1, 0)
    # The batch, then halves down to the culprit (log2 8 = 3 levels); the router may cut a
    # batch into two forward passes by length, hence the factor 2: logarithmic, not one per comment.
    assert scorer.calls <= 2 * (1 + 2 * 3)
    assert all(comment_row(runtime, c.id).scored_at is not None for c in comments)
    row = comment_row(runtime, bad.id)
    assert row.scored_at is None and row.score_attempts == 1 and row.score_error == "ValueError"
    assert row.score_failed_at is None

    # Not retried at once (a back-off), so it cannot make the worker spin.
    assert score_batch(runtime, scorer, None, "w1").claimed == 0
    for attempt in range(2, settings.max_attempts + 1):
        clock.advance(seconds=settings.retry_max_seconds + 1)
        result = score_batch(runtime, scorer, None, "w1")
        assert (result.claimed, result.failed) == (1, 1)
        assert comment_row(runtime, bad.id).score_attempts == attempt
    assert result.gave_up == 1
    row = comment_row(runtime, bad.id)
    assert row.score_failed_at == clock.now() and row.claimed_by is None and row.scored_at is None
    clock.advance(hours=1)
    assert score_batch(runtime, scorer, None, "w1").claimed == 0  # given up: never claimed again
    assert "ValueError" in caplog.text and f"comment {bad.id}" in caplog.text
    assert SECRET not in caplog.text and MARKER not in caplog.text


def test_a_model_failing_on_everything_blames_no_comment(runtime):
    _, bad = poisoned_batch(runtime)
    with pytest.raises(ScorerBroken):
        score_batch(runtime, BrokenScorer(), None, "w1")
    row = comment_row(runtime, bad.id)
    assert row.score_attempts == 0 and row.claimed_by is None and row.score_failed_at is None
    # Given back at once: the next worker (or this one after its back-off) takes the batch.
    assert score_batch(runtime, FakeScorer(), None, "w2").claimed == 8


def fail_for_good(runtime, clock, bad_id):
    scorer = PoisonedScorer()
    for _ in range(runtime.settings.scoring.max_attempts):
        score_batch(runtime, scorer, None, "w1")
        clock.advance(seconds=runtime.settings.scoring.retry_max_seconds + 1)
    assert comment_row(runtime, bad_id).score_failed_at is not None


def test_failed_comment_stays_visibly_unscored_in_the_queue_and_an_admin_retries_it(client, runtime, clock):
    comments, bad = poisoned_batch(runtime)
    fail_for_good(runtime, clock, bad.id)
    moderator = headers(make_key(runtime, "moderator"))
    admin = headers(make_key(runtime, "admin"))

    items = client.get("/api/v1/moderation/queue?order=toxicity&limit=100", headers=moderator).json["items"]
    by_id = {item["comment"]["id"]: item for item in items}
    assert set(by_id) == {c.id for c in comments} | {bad.id}  # still waiting for a moderator
    assert by_id[bad.id]["scoring"] == {"state": "failed", "attempts": 3, "error": "ValueError",
                                       "failed_at": by_id[bad.id]["scoring"]["failed_at"]}
    assert by_id[bad.id]["scores"] is None
    assert items[-1]["comment"]["id"] == bad.id  # unscored: last in toxicity order
    assert by_id[comments[0].id]["scoring"]["state"] == "scored"

    listed = client.get("/api/v1/moderation/scoring/failures", headers=admin).json["comments"]
    assert [entry["comment_id"] for entry in listed] == [bad.id]
    assert client.get("/api/v1/moderation/scoring/failures", headers=moderator).status_code == 403

    url = f"/api/v1/moderation/comments/{bad.id}/scoring/retry"
    assert client.post(url, headers=moderator).status_code == 403
    retried = client.post(url, headers=admin)
    assert retried.status_code == 200, retried.json
    assert retried.json == {"comment_id": bad.id,
                            "scoring": {"state": "waiting", "attempts": 0, "error": None, "failed_at": None}}
    with runtime.db.transaction(write=False) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "retry_scoring")).one()
    assert entry.comment_id == bad.id and entry.details["attempts"] == 3 and entry.details["error"] == "ValueError"

    # The model was fixed meanwhile (a new version, say): the comment is scored at last.
    assert score_batch(runtime, FakeScorer(), None, "w1").scored == 1
    assert comment_row(runtime, bad.id).scored_at is not None
    assert client.post(url, headers=admin).status_code == 409  # scored: nothing to retry
    assert client.post("/api/v1/moderation/comments/999999/scoring/retry", headers=admin).status_code == 404


def test_cli_lists_and_retries_failed_comments(backend, settings, committed_runtime, clock, tmp_path):
    runtime = committed_runtime
    _, bad = poisoned_batch(runtime)
    fail_for_good(runtime, clock, bad.id)
    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": settings.database.url,
           "MODERATION_SCORING__BACKEND": "fake"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "moderation.cli", "scoring", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    listed = cli("failures")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"{bad.id}\ta-1\t3 attempts\tValueError\t")
    assert cli("retry").returncode != 0  # ids or --all-failed
    retried = cli("retry", "--all-failed")
    assert retried.returncode == 0 and "1 comment(s) back" in retried.stdout
    row = comment_row(runtime, bad.id)
    assert row.score_failed_at is None and row.score_attempts == 0
    missing = cli("retry", "999999")
    assert missing.returncode == 1 and "No comment 999999" in missing.stderr and "Traceback" not in missing.stderr


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_readyz_reports_the_scorer_degraded_while_recent_batches_fail(settings, engine, committed_runtime):
    settings = settings.replace(scoring={"poll_interval_seconds": 0.1, "retry_initial_seconds": 0.1,
                                         "max_attempts": 2})
    runtime = Runtime(settings, clock=committed_runtime.clock, database=Database(settings.database, engine))
    client = create_app(runtime=runtime).test_client()
    _, bad = poisoned_batch(runtime)
    worker = ScoringWorker(runtime, scorer=PoisonedScorer(), detector=None)
    worker.detector = None
    assert client.get("/readyz").json["checks"].get("scorer") is None
    worker.start()
    try:
        assert wait_for(lambda: worker.status()["state"] == "degraded")
        scorer = client.get("/readyz").json["checks"]["scorer"]
        assert scorer["ok"] is False and scorer["state"] == "degraded" and scorer["last_error"] == "ValueError"
        assert scorer["recent_failed_batches"] >= 1
        assert client.get("/readyz").status_code == 200  # serving is not affected
        # The runtime clock is frozen, so the back-off (on it) never ends: one attempt only...
        committed_runtime.clock.advance(seconds=60)
        worker.wake()
        assert wait_for(lambda: comment_row(runtime, bad.id).score_failed_at is not None)
        # ...and then the worker stops touching it: no endless re-claiming.
        attempts = comment_row(runtime, bad.id).score_attempts
        committed_runtime.clock.advance(hours=1)
        worker.wake()
        time.sleep(0.5)  # a window in which a looping worker would have tried again; nothing to wait for
        assert comment_row(runtime, bad.id).score_attempts == attempts == 2
        with runtime.db.transaction(write=False) as session:
            assert session.scalar(select(Comment.id).where(Comment.scored_at.is_(None),
                                                           Comment.score_failed_at.is_(None))) is None
    finally:
        worker.stop()
