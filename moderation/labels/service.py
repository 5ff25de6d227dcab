"""Labels and the model report: how well the model agrees with the newsroom's moderators.

A label is a comment the model scored and someone judged: 1 rejected, 0 approved.
* Every human decision in the queue: the comment's current status, when a person decided it
  (``decided_by`` is not ``auto``), with the scores stored when the comment was scored.
* Every ``comments:suggestscore`` (Perspective's feedback call; Coral sends one per decision):
  a row of ``model_labels``, holding the model's scores of the text, never the text.

Labels imported from a file (importer.py) are ``model_labels`` rows too, but hold text and no
scores: the report cannot measure a model on them, so it leaves them out.

The report groups labels by model and language and computes, per class, ROC AUC and
average precision of the class score against rejections (scikit-learn), and the thresholds
a newsroom would set from its own data: the lowest ``auto_reject_above`` whose rejections
would have been right 99 % of the time, and the highest ``auto_approve_below`` that would
have let through at most 1 % of the rejected comments, each with how many labelled comments
it would have decided.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation.audit.service import AUTO
from moderation.comments.models import APPROVED, REJECTED, Comment
from moderation.labels.models import IMPORT, SUGGESTSCORE, ModelLabel
from moderation.scoring.classes import CLASSES
from moderation.scoring.models import CommentScore

DECISIONS = "decisions"
# auto_reject_above: the rejections it makes must be right this often.
REJECT_PRECISION = 0.99
# auto_approve_below: it may let through at most this share of the comments moderators rejected.
APPROVE_MISSED = 0.01


def store_suggested(session: Session, *, key_name: str, client_token: str | None, community_id: str | None,
                    model: str, language: str | None, scores: dict[str, float | None], label: int,
                    suggested: dict[str, float], now: datetime) -> ModelLabel:
    """Store a suggestscore label; the same client token from the same key replaces its earlier label."""
    values = {"created_at": now, "source": SUGGESTSCORE, "community_id": community_id, "model": model,
              "language": language, "scores": scores, "label": label, "suggested": suggested}
    for _attempt in range(2):
        existing = None
        if client_token is not None:
            existing = session.scalar(select(ModelLabel).where(ModelLabel.key_name == key_name,
                                                               ModelLabel.client_token == client_token)
                                      .with_for_update())
        if existing is not None:
            for name, value in values.items():
                setattr(existing, name, value)
            return existing
        row = ModelLabel(key_name=key_name, client_token=client_token, **values)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except IntegrityError:  # the same token stored concurrently: update that one
            continue
    raise RuntimeError("label could not be stored")  # pragma: no cover - two conflicts in a row


@dataclass(frozen=True)
class Sample:
    model: str
    language: str | None
    scores: dict[str, float | None]
    label: int
    source: str


def collect(session: Session, since: datetime | None = None, language: str | None = None) -> list[Sample]:
    """Every label: moderators' decisions (not ``auto``) on scored comments, and suggestscores."""
    decisions = (
        select(CommentScore.model, Comment.language, CommentScore.scores, Comment.status)
        .join(Comment, Comment.id == CommentScore.comment_id)
        .where(Comment.status.in_([APPROVED, REJECTED]), Comment.decided_by.is_not(None),
               Comment.decided_by != AUTO)
    )
    # Imported rows hold no scores: with them a group would count labels no metric uses.
    suggested = (select(ModelLabel.model, ModelLabel.language, ModelLabel.scores, ModelLabel.label)
                 .where(ModelLabel.source != IMPORT))
    if since is not None:
        decisions = decisions.where(Comment.decided_at >= since)
        suggested = suggested.where(ModelLabel.created_at >= since)
    if language is not None:
        decisions = decisions.where(Comment.language == language)
        suggested = suggested.where(ModelLabel.language == language)
    samples = [Sample(model, lang, scores or {}, 1 if status == REJECTED else 0, DECISIONS)
               for model, lang, scores, status in session.execute(decisions.execution_options(yield_per=1000))]
    samples += [Sample(model, lang, scores or {}, label, SUGGESTSCORE)
                for model, lang, scores, label in session.execute(suggested.execution_options(yield_per=1000))]
    return samples


def class_report(labels: list[int], scores: list[float]) -> dict[str, Any]:
    """Metrics of one class score against rejections (labels: 1 rejected, 0 approved)."""
    import numpy as np
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

    y, s = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    positives = int(y.sum())
    result: dict[str, Any] = {"labels": int(len(y)), "rejections": positives, "roc_auc": None,
                              "average_precision": None, "auto_reject_above": None, "auto_approve_below": None}
    if positives == 0 or positives == len(y):
        result["note"] = "needs both approved and rejected comments"
        return result
    result["roc_auc"] = float(roc_auc_score(y, s))
    result["average_precision"] = float(average_precision_score(y, s))
    # precision[i] and recall[i] are those of "rejected when score >= thresholds[i]" (ascending).
    precision, recall, thresholds = precision_recall_curve(y, s, drop_intermediate=False)
    precise = [i for i in range(len(thresholds)) if precision[i] >= REJECT_PRECISION]
    if precise:
        i = min(precise, key=lambda k: thresholds[k])
        result["auto_reject_above"] = {"threshold": float(thresholds[i]), "precision": float(precision[i]),
                                       "decided": int((s >= thresholds[i]).sum())}
    # Approving below thresholds[i] lets through the rejected comments under it: (1 - recall[i]).
    safe = [i for i in range(len(thresholds)) if 1 - recall[i] <= APPROVE_MISSED + 1e-12]
    if safe:
        i = max(safe, key=lambda k: thresholds[k])
        missed = int(((s < thresholds[i]) & (y == 1)).sum())
        result["auto_approve_below"] = {"threshold": float(thresholds[i]), "missed_rejections": missed,
                                        "missed_share": missed / positives, "decided": int((s < thresholds[i]).sum())}
    return result


def report(session: Session, since: datetime | None = None, language: str | None = None) -> dict[str, Any]:
    """The model report, per model and language (see the module's docstring)."""
    groups: dict[tuple[str, str | None], list[Sample]] = defaultdict(list)
    for sample in collect(session, since, language):
        groups[(sample.model, sample.language)].append(sample)
    return {"since": since, "language": language,
            "groups": [_group(model, lang, groups[(model, lang)])
                       for model, lang in sorted(groups, key=lambda key: (key[0], key[1] or ""))]}


def _group(model: str, language: str | None, samples: list[Sample]) -> dict[str, Any]:
    present = {name for sample in samples for name, value in sample.scores.items() if value is not None}
    ordered = [name for name in CLASSES if name in present] + sorted(present - set(CLASSES))
    classes = {}
    for name in ordered:
        scored = [(sample.label, sample.scores[name]) for sample in samples if sample.scores.get(name) is not None]
        classes[name] = class_report([label for label, _ in scored], [value for _, value in scored])
    return {"model": model, "language": language, "labels": len(samples),
            "rejections": sum(sample.label for sample in samples),
            "sources": {DECISIONS: sum(1 for s in samples if s.source == DECISIONS),
                        SUGGESTSCORE: sum(1 for s in samples if s.source == SUGGESTSCORE)},
            "classes": classes}
