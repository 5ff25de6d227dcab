"""`moderation model evaluate FILE.csv`: every model that covers a row's language, measured on it.

A labelled file (``text,label,language``, label 1 = reject; the format `labels import` reads)
is scored by each candidate model on the rows of the languages it covers, and measured per
model and language: ``n``, ROC AUC and average precision (of the score against the labels,
threshold-free), and macro F1 of "rejected when score >= the model's threshold" — the house
model's own (chosen on held-out labels when it was trained), 0.5 for a transformer's
toxicity (the threshold Detoxify's scores are published against).

AUC and average precision need both classes: for a language whose rows hold one class they
are ``None``, and macro F1 is still given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

TRANSFORMER_THRESHOLD = 0.5
SCORE_BATCH = 256


@dataclass(frozen=True)
class Row:
    text: str
    label: int
    language: str


@dataclass(frozen=True)
class Candidate:
    """A model to measure: its name, threshold, which languages it covers, and how it scores."""

    name: str
    threshold: float
    covers: Callable[[str], bool]
    score: Callable[[list[str], list[str]], Sequence[float | None]]


def measure(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict:
    y = np.asarray(labels, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    both = len(set(y.tolist())) == 2
    return {
        "n": int(len(y)),
        "roc_auc": float(roc_auc_score(y, s)) if both else None,
        "average_precision": float(average_precision_score(y, s)) if both else None,
        "f1_macro": float(f1_score(y, s >= threshold, average="macro", zero_division=0)),
    }


def evaluate(rows: Sequence[Row], candidates: Sequence[Candidate]) -> list[dict]:
    """One result per (model, language) with rows, models in the order given, languages sorted."""
    results = []
    for candidate in candidates:
        by_language: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            if candidate.covers(row.language):
                by_language[row.language].append(row)
        for language in sorted(by_language):
            chosen = by_language[language]
            scores: list[float | None] = []
            for start in range(0, len(chosen), SCORE_BATCH):
                batch = chosen[start : start + SCORE_BATCH]
                scores.extend(candidate.score([row.text for row in batch], [row.language for row in batch]))
            # A row the model returned no score for (a class it lacks) is left out, and counted by n.
            kept = [(row.label, score) for row, score in zip(chosen, scores) if score is not None]
            if not kept:
                continue
            labels, values = zip(*kept)
            results.append(
                {"model": candidate.name, "language": language, **measure(labels, values, candidate.threshold)}
            )
    return results


def house_candidate(name: str, model) -> Candidate:
    """The house model (a `HouseModel`): it covers every language; languages it never saw get its base."""
    return Candidate(
        name=name,
        threshold=model.threshold,
        covers=lambda language: True,
        score=lambda texts, languages: model.score(texts, languages).tolist(),
    )


def transformer_candidate(scorer) -> Candidate:
    """The transformer model(s) of [scoring] (a ModelRouter or one Scorer), on their toxicity score."""
    covers = getattr(scorer, "covers", None) or (lambda language: language in scorer.languages)

    def score(texts: list[str], languages: list[str]) -> list[float | None]:
        if hasattr(scorer, "route"):
            results = [routed.scores for routed in scorer.route(texts, languages)]
        else:
            results = scorer.score(texts)
        return [result.get("toxicity") for result in results]

    return Candidate(name=scorer.name, threshold=TRANSFORMER_THRESHOLD, covers=covers, score=score)


def render(results: list[dict]) -> str:
    """The table a person reads; --json gives the same numbers."""

    def number(value: float | None) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    lines = [f"{'model':<28} {'language':<8} {'n':>7} {'ROC AUC':>8} {'avg prec':>8} {'F1 macro':>8}"]
    for result in results:
        lines.append(
            f"{result['model'][:28]:<28} {result['language']:<8} {result['n']:>7} "
            f"{number(result['roc_auc']):>8} {number(result['average_precision']):>8} "
            f"{number(result['f1_macro']):>8}"
        )
    return "\n".join(lines)
