"""The house model's versions: what it learns from, training, promotion, rollback, the nightly job."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.audit.models import AuditEntry
from moderation.closing.scheduler import ClosingScheduler
from moderation.comments.models import Comment
from moderation.errors import Conflict
from moderation.house import jobs
from moderation.house import service as house
from moderation.house.models import CANDIDATE, CURRENT, RETIRED, HouseModelVersion
from moderation.leader import Leadership
from moderation.review import service as review
from moderation.review import state
from tests.factories import make_article, make_comment
from tests.house.conftest import generated, store_labels


def _states(runtime):
    with runtime.db.transaction(write=False) as session:
        return {row.version: row.state for row in house.list_versions(session)}


def _audit_actions(runtime):
    with runtime.db.transaction(write=False) as session:
        return [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.action.like("house_model%"))
                                                  .order_by(AuditEntry.id))]


def test_training_set_holds_moderators_decisions_and_imports_never_auto_decisions(runtime):
    article = make_article(runtime)
    rejected = make_comment(runtime, article, body="Quel connard", status="rejected")
    approved = make_comment(runtime, article, body="Merci pour l'article", status="approved")
    pending = make_comment(runtime, article, body="En attente")
    automatic = make_comment(runtime, article, body="Rejeté par le seuil")
    with runtime.db.transaction() as session:
        state.decide(session, session.get(Comment, automatic.id), "reject", "auto", "toxicity", runtime.now())
    store_labels(runtime, [("Du Idiot", 1, "de")], runtime.now() + timedelta(minutes=1))
    with runtime.db.transaction(write=False) as session:
        examples = house.training_set(session)
    assert [(e.text, e.label) for e in examples] == [("Quel connard", 1), ("Merci pour l'article", 0),
                                                     ("Du Idiot", 1)]
    assert pending.id and approved.id and rejected.id


def test_the_first_model_is_promoted_and_scores_rude_above_kind(runtime):
    store_labels(runtime, generated(200), runtime.now())
    outcome = jobs.train(runtime, who="test")
    assert outcome.trained and outcome.promoted and outcome.reason == "first model"
    assert outcome.evaluation["n"] == 30 and outcome.evaluation["roc_auc"] > 0.9
    assert set(outcome.evaluation["by_language"]) == {"de", "fr"}
    with runtime.db.transaction(write=False) as session:
        current = house.current(session)
        row = session.scalar(select(HouseModelVersion))
    assert (current.version, current.name) == (1, "house-v1")
    assert row.trained_on["labels"] == 170 and set(row.trained_on["by_language"]) == {"de", "fr"}
    assert row.state == CURRENT and row.promoted_by == "test" and row.promoted_at == runtime.now()
    rude, kind = current.model.score(["du bist ein idiot", "merci pour cet article"], ["de", "fr"])
    assert rude > kind
    assert _audit_actions(runtime) == ["house_model_trained", "house_model_promoted"]


def test_a_worse_model_is_not_promoted(runtime):
    store_labels(runtime, generated(100, seed=1), runtime.now())
    assert jobs.train(runtime, who="test").promoted
    # Then many labels that say the opposite, and the newest ones as before: the new model,
    # fitted mostly on the flipped labels, does worse on the newest slice than the current one.
    store_labels(runtime, generated(400, seed=2, flipped=True), runtime.now() + timedelta(hours=1), source="noise")
    store_labels(runtime, generated(89, seed=3), runtime.now() + timedelta(hours=2), source="clean")
    outcome = jobs.train(runtime, who="test")
    assert outcome.trained and not outcome.promoted
    assert outcome.evaluation["roc_auc"] < outcome.current_evaluation["roc_auc"]
    assert "is not above" in outcome.reason
    assert _states(runtime) == {1: CURRENT, 2: CANDIDATE}
    with runtime.db.transaction(write=False) as session:
        assert house.current(session).version == 1
        stored = session.scalar(select(HouseModelVersion).where(HouseModelVersion.version == 2))
    assert stored.evaluation["current"]["version"] == 1


def test_too_few_labels_or_one_class_trains_nothing(runtime):
    store_labels(runtime, generated(20), runtime.now())
    outcome = jobs.train(runtime)
    assert not outcome.trained and "fewer than 50" in outcome.reason
    assert _states(runtime) == {}


def test_promote_and_rollback_walk_back_through_the_versions(runtime):
    store_labels(runtime, generated(100, seed=1), runtime.now())
    for _ in range(3):
        with runtime.db.transaction() as session:
            house.train_and_maybe_promote(session, runtime.now(), "test", min_labels=50)
    # Same labels each time: only the first is promoted (equal AUC is not better).
    assert _states(runtime) == {1: CURRENT, 2: CANDIDATE, 3: CANDIDATE}
    with runtime.db.transaction() as session:
        house.promote(session, 2, "admin", runtime.now())
    with runtime.db.transaction() as session:
        house.promote(session, 3, "admin", runtime.now() + timedelta(seconds=1))
    assert _states(runtime) == {1: RETIRED, 2: RETIRED, 3: CURRENT}
    with runtime.db.transaction() as session:
        assert house.rollback(session, "admin", runtime.now()).version == 2
    assert _states(runtime) == {1: RETIRED, 2: CURRENT, 3: CANDIDATE}
    with runtime.db.transaction() as session:
        assert house.rollback(session, "admin", runtime.now()).version == 1  # further back, not to 3
    with runtime.db.transaction() as session:
        with pytest.raises(Conflict):
            house.rollback(session, "admin", runtime.now())
    with runtime.db.transaction() as session:
        with pytest.raises(Conflict):
            house.promote(session, 1, "admin", runtime.now())  # already current
    assert _audit_actions(runtime).count("house_model_rolled_back") == 2


def test_current_follows_a_promotion_made_elsewhere(runtime):
    store_labels(runtime, generated(100, seed=1), runtime.now())
    for _ in range(2):
        jobs.train(runtime)
    with runtime.db.transaction(write=False) as session:
        first = house.current(session)
        assert house.current(session) is first  # cached: loaded once per version
    with runtime.db.transaction() as session:
        house.promote(session, 2, "admin", runtime.now())
    with runtime.db.transaction(write=False) as session:
        assert house.current(session).version == 2


def test_erasure_excludes_the_author_from_the_next_training(runtime):
    article = make_article(runtime)
    mine = make_comment(runtime, article, body="Ein Text von mir, idiot", author_id="reader-7", status="rejected")
    make_comment(runtime, article, body="Ein Text von jemand anderem", author_id="reader-8", status="approved")
    with runtime.db.transaction(write=False) as session:
        assert "Ein Text von mir, idiot" in [e.text for e in house.training_set(session)]
    with runtime.db.transaction() as session:
        review.erase_author(session, "reader-7", "admin", runtime.now())
    with runtime.db.transaction(write=False) as session:
        texts = [e.text for e in house.training_set(session)]
        assert session.get(Comment, mine.id).erased_at is not None
    assert texts == ["Ein Text von jemand anderem"]


def test_the_nightly_job_trains_only_under_leadership(runtime, settings):
    store_labels(runtime, generated(100, seed=1), runtime.now())
    scheduler = ClosingScheduler(runtime)
    other = Leadership(runtime.db, settings=settings)
    try:
        assert other.try_acquire()
        assert scheduler.run_house_training() is None  # another process leads
        assert _states(runtime) == {}
        other.release()
        outcome = scheduler.run_house_training()
        assert outcome is not None and outcome.promoted
        assert _states(runtime) == {1: CURRENT}
        with runtime.db.transaction(write=False) as session:
            assert session.scalar(select(HouseModelVersion.created_by)) == "auto"
    finally:
        other.release()
        scheduler.leadership.release()


def test_the_nightly_job_is_planned_at_the_configured_hour_or_not_at_all(runtime, settings):
    for hour, planned in ((2, True), (-1, False)):
        configured = type(runtime)(settings.replace(house={"train_hour": hour}), clock=runtime.clock,
                                   database=runtime.db)
        scheduler = ClosingScheduler(configured)
        scheduler._plan_house_training()
        job = scheduler.scheduler.get_job("house-model-training")
        assert (job is not None) is planned
        if planned:
            assert "hour='2'" in str(job.trigger) and "minute='0'" in str(job.trigger)


def test_a_training_holds_no_write_lock_while_it_fits(committed_runtime, monkeypatch):
    """Intake goes on during a nightly training: on SQLite one write transaction open for the
    fit would keep every comment waiting for as long as the fit takes."""
    import threading

    runtime = committed_runtime
    store_labels(runtime, generated(100, seed=4), runtime.now())
    fitted = house.train
    written = threading.Event()

    def fit_while_someone_writes(*args, **kwargs):
        def write():
            make_article(runtime)
            written.set()
        writer = threading.Thread(target=write)
        writer.start()
        # Generous: the writer only waits if the training holds the database's write lock.
        writer.join(timeout=60)
        assert written.is_set(), "a write had to wait for the training"
        return fitted(*args, **kwargs)

    monkeypatch.setattr(house, "train", fit_while_someone_writes)
    assert jobs.train(runtime, who="test").promoted
