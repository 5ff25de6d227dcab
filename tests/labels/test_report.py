"""The model report: labelled sets whose ROC AUC, average precision and thresholds are known."""
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import update

from moderation.comments.models import Comment
from moderation.config import Settings
from moderation.db import Database, make_engine
from moderation.labels import service as labels
from moderation.labels.service import class_report
from moderation.review import service as review
from moderation.runtime import Runtime
from moderation.scoring.models import CommentScore
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.factories import headers, make_article, make_comment, make_key

# --- the metrics on labelled sets -----------------------------------------------------------


def test_perfect_separation():
    approved = [i / 100 for i in range(100)]          # 0.00 .. 0.99
    rejected = [1 + i / 100 for i in range(100)]      # 1.00 .. 1.99 (any scale: only the order counts)
    result = class_report([0] * 100 + [1] * 100, approved + rejected)
    assert result["roc_auc"] == 1.0 and result["average_precision"] == 1.0
    # The lowest threshold whose rejections are right >= 99 % of the time: at 0.99 one approval
    # joins the 100 rejections (100/101 = 0.990), one step lower two would (100/102 < 0.99).
    assert result["auto_reject_above"] == {"threshold": 0.99, "precision": 100 / 101, "decided": 101}
    # Approving below the second-lowest rejected score lets 1 of 100 rejections through (1 %):
    # all 100 approvals plus that one are decided.
    assert result["auto_approve_below"] == {"threshold": 1.01, "missed_rejections": 1, "missed_share": 0.01,
                                            "decided": 101}


def test_perfect_separation_small_set():
    # With 50 rejections one wrong rejection is already 2 %: the threshold is the lowest rejected score,
    # and no rejection may be let through by approvals (1 % of 50 is less than one comment).
    result = class_report([0] * 50 + [1] * 50, [i / 100 for i in range(100)])
    assert result["roc_auc"] == 1.0
    assert result["auto_reject_above"] == {"threshold": 0.5, "precision": 1.0, "decided": 50}
    assert result["auto_approve_below"] == {"threshold": 0.5, "missed_rejections": 0, "missed_share": 0.0,
                                            "decided": 50}


def test_reversed_scores():
    result = class_report([1] * 100 + [0] * 100, [i / 200 for i in range(200)])
    assert result["roc_auc"] == 0.0
    assert result["auto_reject_above"] is None  # no threshold is right 99 % of the time
    # Only below the second-lowest score is at most 1 % of rejections let through: it decides 1 comment.
    assert result["auto_approve_below"] == {"threshold": 0.005, "missed_rejections": 1, "missed_share": 0.01,
                                            "decided": 1}


def test_ties():
    result = class_report([0, 1, 0, 1, 0, 0, 1, 0], [0.5] * 8)
    assert result["roc_auc"] == 0.5
    assert result["average_precision"] == pytest.approx(3 / 8)  # the share of rejections
    assert result["auto_reject_above"] is None
    # Nothing scores below the single value: approving "below 0.5" decides nothing and misses nothing.
    assert result["auto_approve_below"] == {"threshold": 0.5, "missed_rejections": 0, "missed_share": 0.0,
                                            "decided": 0}


def test_partial_ties_count_half():
    # One rejection tied with one approval, the rest separated: AUC = (3 + 0.5) / 4.
    result = class_report([0, 0, 1, 1], [0.1, 0.6, 0.6, 0.9])
    assert result["roc_auc"] == pytest.approx(0.875)
    assert result["auto_reject_above"] == {"threshold": 0.9, "precision": 1.0, "decided": 1}


def test_one_sided_labels_have_no_auc():
    result = class_report([0, 0, 0], [0.1, 0.2, 0.3])
    assert result["roc_auc"] is None and result["auto_reject_above"] is None
    assert result["note"] == "needs both approved and rejected comments"


# --- labels from the database ---------------------------------------------------------------


def _scored(runtime, article, body, language, model, scores):
    """A comment with the scores a model gave it (as the worker stores them)."""
    comment = make_comment(runtime, article, body=body)
    with runtime.db.transaction() as session:
        session.add(CommentScore(comment_id=comment.id, model=model, scores=scores, scored_at=runtime.now(),
                                 covered=True))
        session.execute(update(Comment).where(Comment.id == comment.id)
                        .values(language=language, scored_at=runtime.now(), toxicity=scores.get("toxicity")))
    return comment.id


def _decide(runtime, comment_id, action, actor="alice"):
    with runtime.db.transaction() as session:
        review.decide(session, comment_id, action, actor, None, runtime.now(), expected_status="pending")


def _full(toxicity):
    return {"toxicity": toxicity, "severe_toxicity": toxicity / 2, "insult": None}


@pytest.fixture
def labelled(runtime, clock):
    """French: approvals 0.1, 0.2, rejections 0.8, 0.9 (separated); German: reversed; plus noise."""
    article = make_article(runtime)
    ids = {}
    for toxicity, action in ((0.1, "approve"), (0.2, "approve"), (0.8, "reject"), (0.9, "reject")):
        ids[toxicity] = _scored(runtime, article, f"fr {toxicity}", "fr", "detoxify-multilingual", _full(toxicity))
        _decide(runtime, ids[toxicity], action)
    for toxicity, action in ((0.1, "reject"), (0.9, "approve")):
        _decide(runtime, _scored(runtime, article, f"de {toxicity}", "de", "transformers:german-toxic",
                                 {"toxicity": toxicity}), action)
    # Not labels: still pending, and decided by "auto".
    _scored(runtime, article, "pending", "fr", "detoxify-multilingual", _full(0.5))
    _decide(runtime, _scored(runtime, article, "auto", "fr", "detoxify-multilingual", _full(0.05)), "approve",
            actor="auto")
    clock.advance(hours=2)
    with runtime.db.transaction() as session:  # a suggestscore label, later
        labels.store_suggested(session, key_name="coral", client_token="comment:1", community_id=None,
                               model="detoxify-multilingual", language="fr", scores=_full(0.95), label=1,
                               suggested={"TOXICITY": 1}, now=runtime.now())
    return ids


def test_report_per_model_and_language(runtime, labelled):
    with runtime.db.transaction(write=False) as session:
        report = labels.report(session)
    french, german = report["groups"]  # ordered by model, then language
    assert (french["model"], french["language"]) == ("detoxify-multilingual", "fr")
    assert french["labels"] == 5 and french["rejections"] == 3
    assert french["sources"] == {"decisions": 4, "suggestscore": 1}
    assert list(french["classes"]) == ["toxicity", "severe_toxicity"]  # insult: null everywhere, no metric
    toxicity = french["classes"]["toxicity"]
    assert toxicity["roc_auc"] == 1.0 and toxicity["average_precision"] == 1.0
    assert toxicity["auto_reject_above"] == {"threshold": 0.8, "precision": 1.0, "decided": 3}
    assert toxicity["auto_approve_below"] == {"threshold": 0.8, "missed_rejections": 0, "missed_share": 0.0,
                                              "decided": 2}
    assert (german["model"], german["language"], german["labels"]) == ("transformers:german-toxic", "de", 2)
    assert german["classes"]["toxicity"]["roc_auc"] == 0.0


def test_report_since_and_language(runtime, clock, labelled):
    with runtime.db.transaction(write=False) as session:
        later = labels.report(session, since=clock.now() - timedelta(minutes=1))
        german = labels.report(session, language="de")
    assert [(g["language"], g["labels"], g["sources"]) for g in later["groups"]] == [
        ("fr", 1, {"decisions": 0, "suggestscore": 1})]
    assert [g["language"] for g in german["groups"]] == ["de"]


def test_auto_decisions_are_not_labels(runtime, settings, clock):
    runtime = Runtime(settings.replace(scoring={"auto_reject_above": {"toxicity": 0.6}}), clock=clock,
                      database=runtime.db)
    article = make_article(runtime)
    make_comment(runtime, article, body="idiot stupide nul")
    score_pending(runtime, FakeScorer(), None, "w1")  # rejected by "auto"
    with runtime.db.transaction(write=False) as session:
        assert labels.report(session)["groups"] == []


def test_admin_endpoint(client, runtime, labelled):
    response = client.get("/api/v1/admin/model-report?language=fr", headers=headers(make_key(runtime, "admin")))
    assert response.status_code == 200, response.json
    [group] = response.json["groups"]
    assert group["classes"]["toxicity"]["roc_auc"] == 1.0 and response.json["language"] == "fr"
    assert group["classes"]["toxicity"]["auto_reject_above"]["threshold"] == 0.8
    denied = client.get("/api/v1/admin/model-report", headers=headers(make_key(runtime, "moderator")))
    assert denied.status_code == 403 and denied.json["error"]["code"] == "forbidden"
    invalid = client.get("/api/v1/admin/model-report?since=yesterday", headers=headers(make_key(runtime, "admin")))
    assert invalid.status_code == 422 and "since" in invalid.json["error"]["details"]


def test_cli_model_report(tmp_path, backend, clock):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    url = f"sqlite:///{tmp_path}/report.db"
    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "none"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)

    assert cli("db", "upgrade").returncode == 0
    assert "no labels yet" in cli("model", "report").stdout
    settings = Settings().replace(database={"url": url}, scoring={"backend": "fake"})
    engine = make_engine(settings.database)
    runtime = Runtime(settings, clock=clock, database=Database(settings.database, engine))
    article = make_article(runtime)
    for toxicity, action in ((0.1, "approve"), (0.3, "approve"), (0.7, "reject"), (0.95, "reject")):
        _decide(runtime, _scored(runtime, article, f"c {toxicity}", "fr", "detoxify-multilingual", _full(toxicity)),
                action)
    engine.dispose()
    text = cli("model", "report", "--language", "fr")
    assert text.returncode == 0, text.stderr
    assert "detoxify-multilingual / fr: 4 labels (2 rejected; 4 from decisions)" in text.stdout
    assert "toxicity           1.000  1.000  0.700 (1.000, 2)" in text.stdout
    as_json = json.loads(cli("model", "report", "--json").stdout)
    assert as_json["groups"][0]["classes"]["toxicity"]["auto_approve_below"]["threshold"] == 0.7
    bad = cli("model", "report", "--since", "last week")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
