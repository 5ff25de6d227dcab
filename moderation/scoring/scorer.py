"""The Scorer interface and its implementations, chosen by ``[scoring] backend``.

* ``detoxify``: the real classifier (scoring/detoxify_scorer.py).
* ``fake``: deterministic scores from a few words, for development and API tests that do not
  need the model. Never use it in production: it knows nothing about toxicity.
"""
from __future__ import annotations

import re
from typing import Protocol

from moderation.scoring.detoxify_scorer import MODEL_LANGUAGES


class Scorer(Protocol):
    name: str
    languages: set[str]

    def load(self) -> None:
        """Load the model; raises when it cannot (missing weights, no network, no memory)."""

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        """Every class score for each text, in the order given."""


class FakeScorer:
    """Word-count scores in [0, 1]: enough to exercise the pipeline and the queue order."""

    name = "fake"
    languages = MODEL_LANGUAGES["multilingual"]
    RUDE = re.compile(r"\b(idiot|stupide|crétin|imbécile|hate|haine|nul)\b", re.IGNORECASE)

    def __init__(self, fail_to_load: bool = False) -> None:
        self.fail_to_load = fail_to_load
        self.loaded = False

    def load(self) -> None:
        if self.fail_to_load:
            raise RuntimeError("fake scorer told to fail")
        self.loaded = True

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        results = []
        for text in texts:
            hits = len(self.RUDE.findall(text))
            toxicity = min(1.0, 0.05 + 0.3 * hits)
            results.append({"toxicity": toxicity, "severe_toxicity": max(0.0, toxicity - 0.5),
                            "insult": toxicity * 0.8})
        return results
