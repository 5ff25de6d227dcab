"""Issue 10, point 2: automatic approval never publishes what a person must see."""
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.comments.models import Comment
from moderation.db import Database
from moderation.review import service as review
from moderation.review.models import Report
from moderation.runtime import Runtime
from moderation.scoring import service as scoring
from moderation.scoring.language import LanguageDetector
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.factories import make_article, make_comment


@pytest.fixture
def thresholds_runtime(settings, clock, engine, connection):
    configured = settings.replace(scoring={"auto_approve_below": {"toxicity": 0.5},
                                           "auto_reject_above": {"toxicity": 0.9}},
                                  review={"suspect_words": ["bof"]})
    return Runtime(configured, clock=clock, database=Database(configured.database, engine, connection=connection))


def status_and_reports(runtime, comment_id):
    with runtime.db.transaction(write=False) as session:
        comment = session.get(Comment, comment_id)
        open_reports = session.scalars(select(Report).where(Report.comment_id == comment_id,
                                                            Report.cleared_at.is_(None))).all()
        return comment.status, comment.awaiting_review, len(open_reports)


@pytest.mark.parametrize("reported,banned,suspect,covered", list(itertools.product([False, True], repeat=4)))
def test_auto_approval_needs_no_report_no_ban_no_suspect_word_and_a_covered_language(
        thresholds_runtime, reported, banned, suspect, covered):
    runtime = thresholds_runtime
    article = make_article(runtime)
    body = "Un avis bof sur ce texte." if suspect else "Un avis mesuré sur ce texte."
    comment = make_comment(runtime, article, author_id="writer", body=body)
    with runtime.db.transaction() as session:
        if reported:
            review.report_comment(session, comment.id, "reader", "abuse", None, runtime.now())
        if banned:
            review.ban_author(session, "writer", "alice", None, runtime.now())
        claimed = scoring.claim_batch(session, "w1", runtime.now(), 10, timedelta(seconds=60))
    assert [c.id for c in claimed] == [comment.id]
    with runtime.db.transaction() as session:
        scoring.store_scores(session, "w1", "fake", [
            scoring.Scored(comment.id, {"toxicity": 0.01}, "fr" if covered else "de", covered=covered)],
            runtime.settings.scoring, runtime.now())
    status, waiting, open_reports = status_and_reports(runtime, comment.id)
    if not (reported or banned or suspect) and covered:
        assert (status, waiting) == ("approved", False)
    else:
        assert (status, waiting) == ("pending", True)  # a person decides
        assert open_reports == (1 if reported else 0)  # and sees the report


def test_automatic_rejection_still_applies_whatever_else_is_true(thresholds_runtime):
    runtime = thresholds_runtime
    comment = make_comment(runtime, make_article(runtime), author_id="writer")
    with runtime.db.transaction() as session:
        review.report_comment(session, comment.id, "reader", "abuse", None, runtime.now())
        scoring.claim_batch(session, "w1", runtime.now(), 10, timedelta(seconds=60))
    with runtime.db.transaction() as session:
        scoring.store_scores(session, "w1", "fake",
                             [scoring.Scored(comment.id, {"toxicity": 0.95}, "fr", covered=True)],
                             runtime.settings.scoring, runtime.now())
    assert status_and_reports(runtime, comment.id)[:2] == ("rejected", False)


def test_reported_comment_of_a_banned_author_is_not_approved_by_the_worker(thresholds_runtime):
    """The reproduction from the review: reported, author banned, then scored low."""
    runtime = thresholds_runtime
    comment = make_comment(runtime, make_article(runtime), author_id="troll",
                           body="Merci pour cet article très intéressant sur le budget.")
    with runtime.db.transaction() as session:
        review.report_comment(session, comment.id, "reader", "abuse", "il insulte", runtime.now())
        review.ban_author(session, "troll", "alice", "insultes", runtime.now())
    assert score_pending(runtime, FakeScorer(), LanguageDetector(["fr", "de", "en"]), "w1") == 1
    assert status_and_reports(runtime, comment.id) == ("pending", True, 1)


def test_language_the_model_does_not_cover_is_not_approved_by_the_worker(thresholds_runtime):
    runtime = thresholds_runtime
    german = make_comment(runtime, make_article(runtime), body="Vielen Dank für diesen sehr guten Artikel über Bern.")
    french = make_comment(runtime, make_article(runtime), body="Merci pour cet article très intéressant sur Berne.")
    # FakeScorer stands for Detoxify's multilingual model: trained on French, not on German.
    assert score_pending(runtime, FakeScorer(), LanguageDetector(["fr", "de", "en"]), "w1") == 2
    assert status_and_reports(runtime, german.id)[0] == "pending"
    assert status_and_reports(runtime, french.id)[0] == "approved"
