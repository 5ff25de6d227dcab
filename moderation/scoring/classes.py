"""Our class names: Detoxify's, which every model's labels are mapped to.

A model that does not produce a class leaves it null (None), never zero: "no score" and
"scored harmless" must not look alike in the queue, the thresholds or the model report.
"""
from __future__ import annotations

CLASSES = ("toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit")


def complete(scores: dict[str, float | None]) -> dict[str, float | None]:
    """Every class in ``CLASSES`` (None where the model gave none), then any extra the model gives."""
    full: dict[str, float | None] = {name: scores.get(name) for name in CLASSES}
    for name, value in scores.items():
        full.setdefault(name, value)
    return full
