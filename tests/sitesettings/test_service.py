"""Settings edited in the console (issue 22, point 7): the file gives the defaults, a value
set in the console (site_settings) wins until it is reset; every change is audited; intake,
scoring and closing use the effective value, and another instance sees a change."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.audit.models import AuditEntry
from moderation.comments import service as comments
from moderation.comments.models import Comment
from moderation.db import Database
from moderation.errors import CommentsClosed, ValidationError
from moderation.runtime import Runtime
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from moderation.sitesettings import service as sitesettings
from tests.factories import make_article, make_comment


@pytest.fixture
def runtime(settings, clock, engine, connection):
    configured = settings.replace(review={"banned_words": ["connard"], "suspect_words": []},
                                  closing={"close_after_hours": 72})
    return Runtime(configured, clock=clock, database=Database(configured.database, engine, connection=connection))


def change(runtime, name, value, actor="user:admin@example.ch"):
    with runtime.db.transaction() as session:
        return sitesettings.set_value(session, runtime.settings, name, value, actor, runtime.now())


def reset(runtime, name):
    with runtime.db.transaction() as session:
        return sitesettings.reset(session, runtime.settings, name, "user:admin@example.ch", runtime.now())


def audit_actions(runtime):
    with runtime.db.transaction(write=False) as session:
        return [(e.action, e.details) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_file_gives_the_default_the_console_value_wins_and_reset_brings_the_file_back(runtime):
    assert runtime.effective_settings.review.banned_words == ["connard"]
    assert change(runtime, "banned_words", ["arnaque", "escroc"])
    assert runtime.effective_settings.review.banned_words == ["arnaque", "escroc"]
    assert runtime.settings.review.banned_words == ["connard"]  # the file's stays as it was
    assert reset(runtime, "banned_words")
    assert runtime.effective_settings.review.banned_words == ["connard"]
    assert audit_actions(runtime) == [
        ("setting_change", {"name": "banned_words", "previous": ["connard"], "value": ["arnaque", "escroc"]}),
        ("setting_reset", {"name": "banned_words", "previous": ["arnaque", "escroc"], "value": ["connard"]})]


def test_the_same_value_again_changes_nothing_and_reset_without_a_value_neither(runtime):
    assert change(runtime, "close_after_hours", 48.0)
    assert not change(runtime, "close_after_hours", 48.0)
    assert reset(runtime, "close_after_hours") and not reset(runtime, "close_after_hours")
    assert [a for a, _ in audit_actions(runtime)] == ["setting_change", "setting_reset"]


@pytest.mark.parametrize("name, value", [
    ("close_after_hours", 0), ("close_after_hours", 10**7), ("auto_reject_above", {"toxicity": 1.5}),
    ("banned_words", ["ok", "  "]), ("nothing", 1),
    # Words that fold to nothing (invisible characters): their pattern would match at almost
    # every position and reject nearly every comment, invisibly.
    ("banned_words", ["\u200b"]), ("banned_words", ["ok", "\u00ad\u2060"]), ("suspect_words", ["\ufe0f"])])
def test_invalid_values_are_refused_as_the_file_would_refuse_them(runtime, name, value):
    with pytest.raises(ValidationError):
        change(runtime, name, value)
    assert audit_actions(runtime) == []


def test_intake_uses_the_console_word_lists(runtime):
    article = make_article(runtime, "a-1")
    change(runtime, "banned_words", ["arnaque"])
    change(runtime, "suspect_words", ["bof"])
    rejected = make_comment(runtime, article, body="Une arnaque, ce texte.")
    flagged = make_comment(runtime, article, body="Bof, ce texte.")
    kept = make_comment(runtime, article, body="Quel connard, ce texte.")  # the file's word no longer applies
    assert (rejected.status, flagged.status, kept.status) == ("rejected", "pending", "pending")
    assert flagged.flagged_words == '["bof"]' and kept.flagged_words is None


def test_intake_uses_the_console_close_window(runtime, clock):
    article = make_article(runtime, "a-1", published_at=clock.now() - timedelta(hours=2))
    make_comment(runtime, article)
    change(runtime, "close_after_hours", 1.0)
    with pytest.raises(CommentsClosed), runtime.db.transaction() as session:
        comments.post_comment(session, article, comments.NewComment("r", "R", "Encore un avis."),
                              runtime.intake_rules, runtime.now())


def test_scoring_uses_the_console_thresholds(runtime):
    article = make_article(runtime, "a-1")
    rude = make_comment(runtime, article, body="Idiot et stupide.")
    calm = make_comment(runtime, article, body="Merci pour ce texte.")
    change(runtime, "auto_reject_above", {"toxicity": 0.5})
    assert score_pending(runtime, FakeScorer(), None, "w1") == 2
    with runtime.db.transaction(write=False) as session:
        assert session.get(Comment, rude.id).status == "rejected"
        # Approving also needs a language the model covers (no detector here): it waits.
        assert session.get(Comment, calm.id).status == "pending"


def test_another_instance_sees_a_change_within_its_cache_time(runtime, settings, clock, engine, connection):
    other = Runtime(runtime.settings, clock=clock,
                    database=Database(runtime.settings.database, engine, connection=connection))
    assert other.policy.close_after_hours == 72
    change(runtime, "close_after_hours", 24.0)
    assert runtime.policy.close_after_hours == 24  # at once where it was made
    assert other.policy.close_after_hours == 72  # still within the other's cache time
    other.site_settings_seconds = 0.0
    other._effective_until = 0.0  # the cache time has passed
    assert other.policy.close_after_hours == 24
