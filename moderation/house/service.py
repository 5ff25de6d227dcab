"""The house model's versions: what it learns from, training, promotion, rollback, the current one.

What it learns from (``training_set``): every label a person gave —
* moderators' decisions in the queue (approved 0, rejected 1; ``auto`` decisions are the
  thresholds' own, not labels), with the transformer's scores as extra features;
* rows imported with ``moderation labels import`` (labels/importer.py), which hold text.
Erased comments are never learnt from: erasure blanks the body and sets ``erased_at``, and
both exclude the row (an imported label has no author, so nothing of it can be erased).

Training (``train_and_maybe_promote``) keeps the newest labels, time-ordered, out of the fit
(``[house] holdout_fraction``), scores them with the new model and with the current one, stores
the new version with both evaluations, and promotes it only if its ROC AUC on that slice is
higher (a first model: if the slice holds both classes).

The promoted model is the one that was evaluated, not a refit on every label: the stored
evaluation then describes exactly the stored bytes, and tomorrow's slice starts at or after
today's (labels only grow, newest last), so the current model never saw the slice it is
compared on — a refit on everything would have, and would win its comparisons unfairly. The
newest labels reach a model one night later.
"""
from __future__ import annotations

import logging
import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation.audit import service as audit
from moderation.audit.service import AUTO
from moderation.comments.models import APPROVED, REJECTED, Comment
from moderation.errors import Conflict, NotFound
from moderation.house.evaluate import measure
from moderation.house.model import HouseModel, train
from moderation.house.models import CANDIDATE, CURRENT, RETIRED, HouseModelVersion
from moderation.labels.models import IMPORT, ModelLabel
from moderation.scoring.classes import CLASSES
from moderation.scoring.models import CommentScore

log = logging.getLogger(__name__)

NAME_PREFIX = "house-v"


def model_name(version: int) -> str:
    return f"{NAME_PREFIX}{version}"


# --- what it learns from ------------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 1: rejected
    language: str | None
    at: datetime
    extras: dict[str, float] | None  # the transformer's class scores, when it scored the comment


def _extras(scores: dict[str, Any] | None) -> dict[str, float] | None:
    if not scores:
        return None
    values = {name: float(scores[name]) for name in CLASSES if scores.get(name) is not None}
    return values or None


def training_set(session: Session) -> list[Example]:
    """Every label a person gave, oldest first (see the module's docstring)."""
    decisions = (
        select(Comment.body, Comment.status, Comment.language, Comment.decided_at, Comment.id, CommentScore.scores)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(Comment.status.in_([APPROVED, REJECTED]), Comment.decided_by.is_not(None),
               Comment.decided_by != AUTO, Comment.erased_at.is_(None), Comment.body != "")
    )
    imported = (select(ModelLabel.text, ModelLabel.label, ModelLabel.language, ModelLabel.created_at, ModelLabel.id)
                .where(ModelLabel.source == IMPORT, ModelLabel.text.is_not(None), ModelLabel.text != ""))
    rows: list[tuple[datetime, int, int, Example]] = []
    for body, status, language, at, comment_id, scores in session.execute(decisions.execution_options(yield_per=1000)):
        rows.append((at, 1, comment_id, Example(body, 1 if status == REJECTED else 0, language, at, _extras(scores))))
    for text, label, language, at, label_id in session.execute(imported.execution_options(yield_per=1000)):
        rows.append((at, 0, label_id, Example(text, int(label), language, at, None)))
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


# --- evaluation -----------------------------------------------------------------------------

def _metrics(labels: list[int], scores: list[float], threshold: float) -> dict[str, Any]:
    """evaluate.measure's figures, rounded for storage, with the rejections counted; nothing
    is measured on a slice of one class (not even F1: a version is compared on both classes)."""
    result: dict[str, Any] = {"n": len(labels), "rejections": int(sum(labels)), "roc_auc": None,
                              "average_precision": None, "f1_macro": None}
    if len(set(labels)) < 2:
        return result
    measured = measure(labels, scores, threshold)
    result.update({name: round(measured[name], 4) for name in ("roc_auc", "average_precision", "f1_macro")})
    return result


def evaluate(model: HouseModel, examples: list[Example]) -> dict[str, Any]:
    """ROC AUC, average precision and macro F1 at the model's threshold, overall and per language."""
    if not examples:
        return _metrics([], [], model.threshold) | {"by_language": {}}
    scores = model.score([e.text for e in examples], [e.language for e in examples], [e.extras for e in examples])
    labels = [e.label for e in examples]
    result = _metrics(labels, scores.tolist(), model.threshold)
    groups: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[example.language or ""].append(index)
    result["by_language"] = {language: _metrics([labels[i] for i in rows], [float(scores[i]) for i in rows],
                                                model.threshold)
                             for language, rows in sorted(groups.items())}
    return result


def _trained_on(examples: list[Example]) -> dict[str, Any]:
    by_language: dict[str, Counter] = defaultdict(Counter)
    for example in examples:
        by_language[example.language or ""][str(example.label)] += 1
    return {"labels": len(examples), "rejections": sum(e.label for e in examples),
            "by_language": {language: dict(counts) for language, counts in sorted(by_language.items())}}


# --- training -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingOutcome:
    trained: bool
    promoted: bool
    reason: str
    version: int | None = None
    evaluation: dict[str, Any] | None = None
    current_version: int | None = None  # the one compared against (current before the training)
    current_evaluation: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"trained": self.trained, "promoted": self.promoted, "reason": self.reason,
                "version": self.version, "evaluation": self.evaluation,
                "current_version": self.current_version, "current_evaluation": self.current_evaluation}


def _current_row(session: Session, for_update: bool = False) -> HouseModelVersion | None:
    query = select(HouseModelVersion).where(HouseModelVersion.state == CURRENT)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


@dataclass(frozen=True)
class PreparedTraining:
    """What a training reads from the database: the split, and the model it must beat."""

    fit: list[Example]
    held: list[Example]
    current_version: int | None
    current_model: HouseModel | None


@dataclass(frozen=True)
class TrainedModel:
    model: HouseModel
    evaluation: dict[str, Any]
    current_evaluation: dict[str, Any] | None


def prepare_training(session: Session, *, holdout_fraction: float = 0.15,
                     min_labels: int = 50) -> PreparedTraining | TrainingOutcome:
    """Read the labels and the current model (a read-only transaction is enough)."""
    examples = training_set(session)
    if len(examples) < min_labels:
        return TrainingOutcome(False, False, f"{len(examples)} labels, fewer than {min_labels}")
    held_count = max(1, math.ceil(len(examples) * holdout_fraction))
    fit, held = examples[:-held_count], examples[-held_count:]
    if len({e.label for e in fit}) < 2:
        return TrainingOutcome(False, False, "the training labels hold one class only")
    current = _current_row(session)
    return PreparedTraining(fit, held, None if current is None else current.version,
                            None if current is None else load(current))


def fit_and_evaluate(prepared: PreparedTraining) -> TrainedModel:
    """The long part, outside any transaction: on SQLite a write transaction held for the
    minute a large training takes would stop every comment's intake for that minute."""
    fit = prepared.fit
    model = train([e.text for e in fit], [e.label for e in fit], [e.language for e in fit], [e.extras for e in fit])
    current_evaluation = None if prepared.current_model is None else evaluate(prepared.current_model, prepared.held)
    return TrainedModel(model, evaluate(model, prepared.held), current_evaluation)


def record_training(session: Session, now: datetime, who: str, prepared: PreparedTraining,
                    trained: TrainedModel) -> TrainingOutcome:
    """Store the new version with its evaluation; make it current if it beats the current one.

    The current model is read again under its row lock: if someone promoted or rolled back
    while this one trained, the new model is compared with that one instead.
    """
    model, evaluation, current_evaluation = trained.model, trained.evaluation, trained.current_evaluation
    held, fit = prepared.held, prepared.fit
    current = _current_row(session, for_update=True)
    if current is None:
        current_evaluation = None
    elif current.version != prepared.current_version:
        current_evaluation = evaluate(load(current), held)
    version = (session.scalar(select(func.max(HouseModelVersion.version))) or 0) + 1
    if evaluation["roc_auc"] is None:
        promote_it, reason = False, "the held-out labels hold one class only: nothing to compare on"
    elif current is None:
        promote_it, reason = True, "first model"
    elif current_evaluation["roc_auc"] is None or evaluation["roc_auc"] > current_evaluation["roc_auc"]:
        promote_it = True
        reason = f"ROC AUC {evaluation['roc_auc']} > {current_evaluation['roc_auc']} of {model_name(current.version)}"
    else:
        promote_it = False
        reason = (f"ROC AUC {evaluation['roc_auc']} is not above {current_evaluation['roc_auc']} "
                  f"of {model_name(current.version)}")
    evaluation = evaluation | {"current": None if current is None else
                               {"version": current.version} | current_evaluation}
    row = HouseModelVersion(version=version, created_at=now, created_by=who, trained_on=_trained_on(fit),
                            evaluation=evaluation, threshold=float(model.threshold), model=model.to_bytes(),
                            state=CANDIDATE)
    session.add(row)
    session.flush()
    audit.record(session, now, who, "house_model_trained", reason=reason,
                 details={"version": version, "labels": len(fit), "held_out": len(held),
                          "roc_auc": evaluation["roc_auc"], "promoted": promote_it})
    if promote_it:
        _make_current(session, row, current, who, now, action="house_model_promoted", reason=reason)
    return TrainingOutcome(True, promote_it, reason, version, {k: v for k, v in evaluation.items() if k != "current"},
                           None if current is None else current.version, current_evaluation)


def train_and_maybe_promote(session: Session, now: datetime, who: str, *, holdout_fraction: float = 0.15,
                            min_labels: int = 50) -> TrainingOutcome:
    """All three steps in the caller's transaction (tests); jobs.train splits them (see there)."""
    prepared = prepare_training(session, holdout_fraction=holdout_fraction, min_labels=min_labels)
    if isinstance(prepared, TrainingOutcome):
        return prepared
    return record_training(session, now, who, prepared, fit_and_evaluate(prepared))


def _make_current(session: Session, row: HouseModelVersion, current: HouseModelVersion | None, who: str,
                  now: datetime, *, action: str, reason: str | None, previous_state: str = RETIRED) -> None:
    if current is not None and current.id != row.id:
        current.state = previous_state
    # Flushed first: "at most one current" must hold at every statement.
    session.flush()
    row.state, row.promoted_at, row.promoted_by = CURRENT, now, who
    session.flush()
    audit.record(session, now, who, action, reason=reason,
                 details={"version": row.version, "previous": None if current is None else current.version})


# --- versions -------------------------------------------------------------------------------

def list_versions(session: Session) -> list[HouseModelVersion]:
    """Every version, newest first (without loading each model's bytes)."""
    from sqlalchemy.orm import defer

    return list(session.scalars(select(HouseModelVersion).options(defer(HouseModelVersion.model))
                                .order_by(HouseModelVersion.version.desc())))


def promote(session: Session, version: int, who: str, now: datetime) -> HouseModelVersion:
    """Make ``version`` the current model, whatever its evaluation (an admin's call)."""
    row = session.scalar(select(HouseModelVersion).where(HouseModelVersion.version == version).with_for_update())
    if row is None:
        raise NotFound(f"No house model version {version}.", details={"version": version})
    current = _current_row(session, for_update=True)
    if current is not None and current.id == row.id:
        raise Conflict(f"{model_name(version)} is already the current model.", details={"version": version})
    _make_current(session, row, current, who, now, action="house_model_promoted", reason="promoted by hand")
    return row


def rollback(session: Session, who: str, now: datetime) -> HouseModelVersion:
    """Bring back the model that was current before this one; this one goes back to candidate.

    Back to candidate, not retired: a second rollback then goes one further back instead of
    returning to the model just rolled back.
    """
    current = _current_row(session, for_update=True)
    if current is None:
        raise Conflict("There is no current house model to roll back.")
    previous = session.scalar(select(HouseModelVersion).where(HouseModelVersion.state == RETIRED)
                              .order_by(HouseModelVersion.promoted_at.desc(), HouseModelVersion.version.desc())
                              .limit(1).with_for_update())
    if previous is None:
        raise Conflict(f"{model_name(current.version)} has no previous model to roll back to.",
                       details={"version": current.version})
    _make_current(session, previous, current, who, now, action="house_model_rolled_back",
                  reason=f"rollback from {model_name(current.version)}", previous_state=CANDIDATE)
    return previous


def load(row: HouseModelVersion) -> HouseModel:
    return HouseModel.from_bytes(row.model)


# --- the current model, cached in this process ----------------------------------------------

@dataclass(frozen=True)
class CurrentModel:
    version: int
    model: HouseModel

    @property
    def name(self) -> str:
        return model_name(self.version)


_cache: dict[int, CurrentModel] = {}
_cache_lock = threading.Lock()


def current_version(session: Session) -> int | None:
    """The current version's number: one indexed lookup, cheap enough for every scoring batch."""
    return session.scalar(select(HouseModelVersion.version).where(HouseModelVersion.state == CURRENT))


def current(session: Session) -> CurrentModel | None:
    """The current model, loaded once per version in this process.

    Every call re-reads which version is current (another instance may have promoted or rolled
    back), and loads the bytes only when that version is not the one cached.
    """
    version = current_version(session)
    if version is None:
        return None
    cached = _cache.get(version)
    if cached is not None:
        return cached
    data = session.scalar(select(HouseModelVersion.model).where(HouseModelVersion.version == version))
    if data is None:  # pragma: no cover - replaced between the two reads
        return None
    loaded = CurrentModel(version, HouseModel.from_bytes(data))
    with _cache_lock:
        _cache.clear()  # one model per process: the previous one is garbage
        _cache[version] = loaded
    return loaded


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()

