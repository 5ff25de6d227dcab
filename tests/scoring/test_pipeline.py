import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from moderation.audit.models import AuditEntry
from moderation.comments.models import Comment
from moderation.db import Database
from moderation.runtime import Runtime
from moderation.scoring.detoxify_scorer import DetoxifyScorer
from moderation.scoring.language import LanguageDetector
from moderation.scoring.models import CommentScore
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import ScoringWorker, score_pending
from tests.factories import headers, make_article, make_comment, make_key


@pytest.fixture(scope="session")
def detector():
    return LanguageDetector(["fr", "de", "it", "en"])


def detoxify_settings(settings, checkpoint, **scoring):
    return settings.replace(scoring={"backend": "detoxify", "checkpoint": str(checkpoint), "batch_size": 4,
                                     **scoring})


def stored(runtime, comment_id):
    with runtime.db.transaction(write=False) as session:
        return session.get(Comment, comment_id), session.get(CommentScore, comment_id)


def test_fake_scorer_pipeline_stores_scores_language_and_model(runtime, detector):
    article = make_article(runtime)
    comment = make_comment(runtime, article, body="Je trouve cet article vraiment stupide et nul.")
    assert stored(runtime, comment.id)[0].scored_at is None
    assert score_pending(runtime, FakeScorer(), detector, "w1") == 1
    scored, score = stored(runtime, comment.id)
    assert scored.scored_at == runtime.now() and scored.language == "fr"
    assert scored.toxicity == pytest.approx(0.65) and scored.sort_toxicity == scored.toxicity
    assert scored.claimed_by is None
    assert score.model == "fake" and score.covered is True
    # Every class is there; those the model does not produce are null, never zero (issue 16).
    assert {k for k, v in score.scores.items() if v is not None} == {"toxicity", "severe_toxicity", "insult"}
    assert {k for k, v in score.scores.items() if v is None} == {"obscene", "identity_attack", "threat",
                                                                 "sexual_explicit"}
    assert score_pending(runtime, FakeScorer(), detector, "w1") == 0  # nothing scored twice


def test_batched_worker_equals_detoxify_predict(runtime, settings, tiny_checkpoint, detector):
    """The worker's batched, length-sorted path gives Detoxify's own single-text scores."""
    from detoxify import Detoxify

    article = make_article(runtime)
    texts = ["Bonjour!", "Merci pour cet article très intéressant sur le budget fédéral.",
             "You are an idiot.", "Das ist ein Kommentar.", "Questo è un commento.",
             "Une phrase moyenne, ni longue ni courte, pour le lot.",
             # Longer than the model's 128 tokens: truncated for scoring only.
             "Un très long commentaire qui dépasse la limite du modèle. " * 60]
    comments = [make_comment(runtime, article, body=text) for text in texts]
    runtime = Runtime(detoxify_settings(settings, tiny_checkpoint), clock=runtime.clock, database=runtime.db)
    scorer = DetoxifyScorer(runtime.settings.scoring)
    scorer.load()
    while score_pending(runtime, scorer, detector, "w1"):
        pass
    reference = Detoxify(checkpoint=str(tiny_checkpoint))
    for comment, text in zip(comments, texts):
        row, score = stored(runtime, comment.id)
        assert row.body == text  # the stored text is never changed
        expected = reference.predict(text)
        assert {k for k, v in score.scores.items() if v is not None} == {
            "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"}
        assert score.scores["sexual_explicit"] is None  # the tiny checkpoint has no such class
        for label, value in expected.items():
            assert score.scores[label] == pytest.approx(value, abs=1e-5)
    assert len({round(stored(runtime, c.id)[1].scores["toxicity"], 6) for c in comments}) > 1


def test_a_tokenizer_without_a_length_limit_scores_long_texts(tmp_path):
    """A tokenizer folder with no model_max_length does not truncate: the scorer caps texts at
    the model's own positions instead of failing on every long comment."""
    from tests.scoring.checkpoint import make_checkpoint

    checkpoint = make_checkpoint(tmp_path / "unbounded", tokenizer_knows_limit=False)
    from moderation.config import Settings

    scorer = DetoxifyScorer(Settings().replace(scoring={"backend": "detoxify", "checkpoint": str(checkpoint),
                                                        "allow_download": False}).scoring)
    scorer.load()
    short, long_ = scorer.score(["Bonjour!", "Un très long commentaire qui dépasse la limite. " * 300])
    assert 0 <= short["toxicity"] <= 1 and 0 <= long_["toxicity"] <= 1


def test_model_unavailable_then_loaded(client, runtime, settings, tiny_checkpoint, tmp_path, detector):
    """Comments are accepted while the model cannot load, and scored once it can."""
    missing = tmp_path / "later" / "detoxify.ckpt"
    runtime = Runtime(detoxify_settings(settings, missing), clock=runtime.clock, database=runtime.db)
    worker = ScoringWorker(runtime, detector=detector)
    runtime.scoring = worker
    assert worker.load_model() is False
    assert worker.status()["state"] == "unavailable"
    assert "no checkpoint file" in worker.status()["reason"]

    from moderation.app import create_app

    client = create_app(runtime=runtime).test_client()
    frontend = headers(make_key(runtime, "frontend"))
    make_article(runtime, "a-1")
    posted = client.post("/api/v1/articles/a-1/comments", headers=frontend,
                         json={"author": {"id": "r", "name": "R"}, "body": "Bonjour à tous"})
    assert posted.status_code == 202
    readiness = client.get("/readyz").json
    assert readiness["checks"]["scorer"]["ok"] is False

    missing.parent.mkdir()
    missing.write_bytes(tiny_checkpoint.read_bytes())
    assert worker.load_model() is True
    assert score_pending(runtime, worker.scorer, detector, worker.worker_id) == 1
    assert stored(runtime, posted.json["id"])[1] is not None


def test_auto_thresholds_decide_and_record_actor_auto(runtime, settings, detector):
    runtime = Runtime(settings.replace(scoring={"backend": "fake", "auto_reject_above": {"toxicity": 0.6},
                                                "auto_approve_below": {"toxicity": 0.1}}),
                      clock=runtime.clock, database=runtime.db)
    article = make_article(runtime)
    rude = make_comment(runtime, article, body="idiot stupide nul")
    calm = make_comment(runtime, article, body="Merci pour ce reportage.")
    middle = make_comment(runtime, article, body="C'est un peu nul.")
    score_pending(runtime, FakeScorer(), detector, "w1")
    assert stored(runtime, rude.id)[0].status == "rejected"
    assert stored(runtime, calm.id)[0].status == "approved"
    assert stored(runtime, middle.id)[0].status == "pending"
    with runtime.db.transaction(write=False) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.actor, e.action, e.comment_id) for e in entries] == [("auto", "reject", rude.id),
                                                                   ("auto", "approve", calm.id)]
    assert "toxicity 0.950 >= 0.6" in entries[0].reason


def test_expired_claim_is_taken_over_and_late_writer_is_ignored(runtime, clock, detector):
    article = make_article(runtime)
    comment = make_comment(runtime, article)
    from moderation.scoring import service

    with runtime.db.transaction() as session:
        assert [c.id for c in service.claim_batch(session, "dead-worker", clock.now(), 10, timedelta(minutes=5))] \
            == [comment.id]
    assert score_pending(runtime, FakeScorer(), detector, "w2") == 0  # still leased
    clock.advance(minutes=6)
    assert score_pending(runtime, FakeScorer(), detector, "w2") == 1
    with runtime.db.transaction() as session:  # the dead worker wakes up: its write is ignored
        result = service.Scored(comment.id, {"toxicity": 0.99}, None)
        assert service.store_scores(session, "dead-worker", "x", [result], runtime.settings.scoring,
                                    clock.now()) == 0


class RecordingScorer(FakeScorer):
    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def score(self, texts):
        self.seen.extend(texts)
        return super().score(texts)


def test_two_workers_score_1000_comments_once_each(committed_runtime, clock):
    runtime = committed_runtime
    article = make_article(runtime, "busy")
    with runtime.db.transaction() as session:
        session.add_all([Comment(article_id=article, author_id=f"a{i}", author_name="A", body=f"comment {i}",
                                 status="pending", created_at=clock.now(), awaiting_review=True,
                                 open_reports=0, sort_toxicity=-1.0) for i in range(1000)])
    scorers = [RecordingScorer(), RecordingScorer()]
    barrier = threading.Barrier(2)
    errors = []

    def work(index):
        try:
            barrier.wait()
            while score_pending(runtime, scorers[index], None, f"worker-{index}"):
                pass
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    first, second = set(scorers[0].seen), set(scorers[1].seen)
    assert not first & second  # never the same comment twice
    assert len(first) + len(second) == len(scorers[0].seen) + len(scorers[1].seen) == 1000
    with runtime.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(CommentScore)) == 1000
        assert session.scalar(select(func.count()).select_from(Comment).where(Comment.scored_at.is_(None))) == 0


def test_end_to_end_post_to_scores_through_real_detoxify(settings, engine, committed_runtime, tiny_checkpoint):
    """POST over HTTP, the background worker thread, Detoxify's own code, stored scores."""
    import time

    from moderation.app import create_app

    runtime = Runtime(detoxify_settings(settings, tiny_checkpoint, run_worker=True, poll_interval_seconds=0.2),
                      clock=committed_runtime.clock, database=Database(settings.database, engine))
    app = create_app(runtime=runtime, background=True)
    try:
        client = app.test_client()
        frontend = headers(make_key(runtime, "frontend"))
        make_article(runtime, "a-1")
        posted = client.post("/api/v1/articles/a-1/comments", headers=frontend,
                             json={"author": {"id": "r", "name": "R"}, "body": "Quel article intéressant, merci!"})
        assert posted.status_code == 202
        # Generous: on a machine kept busy by other work the scorer still gets its share, slowly.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and stored(runtime, posted.json["id"])[1] is None:
            time.sleep(0.1)
        comment, score = stored(runtime, posted.json["id"])
        assert score is not None and score.model.startswith("detoxify-multilingual")
        assert 0 <= score.scores["toxicity"] <= 1 and comment.language == "fr"
    finally:
        runtime.scoring.stop()


def test_uncovered_language_is_logged_without_the_body(runtime, caplog):
    article = make_article(runtime)
    body = "Das ist ein sehr guter Artikel über die Abstimmung, vielen Dank dafür."
    comment = make_comment(runtime, article, body=body)
    caplog.set_level("WARNING", logger="moderation.scoring.worker")
    score_pending(runtime, FakeScorer(), LanguageDetector(["fr", "de", "it"]), "w1")
    assert stored(runtime, comment.id)[0].language == "de"
    warning = [r.getMessage() for r in caplog.records if "does not cover" in r.getMessage()]
    assert warning == [f"comment {comment.id} is in 'de', which model fake does not cover"]
    assert body not in caplog.text


def test_model_check_command_runs_detoxify_on_a_local_checkpoint(tiny_checkpoint, tmp_path, backend):
    import subprocess
    import sys

    if backend != "sqlite":
        pytest.skip("runs once")
    result = subprocess.run([sys.executable, "-m", "moderation.cli", "model", "check"], cwd=tmp_path, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "MODERATION_SCORING__CHECKPOINT": str(tiny_checkpoint)},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "detoxify-multilingual:detoxify.ckpt" in result.stdout and "'toxicity':" in result.stdout
    missing = subprocess.run([sys.executable, "-m", "moderation.cli", "model", "check"], cwd=tmp_path, timeout=300,
                             env={"PATH": "/usr/bin:/bin", "MODERATION_SCORING__CHECKPOINT": str(tmp_path / "no.ckpt")},
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no checkpoint file" in missing.stderr and "Traceback" not in missing.stderr
