"""A model per language behind the Scorer interface: ``[scoring.models]``.

The router holds one scorer per configured language and ``"*"`` (the default). Each text goes
to the model of its language, or to ``"*"`` when its language has none. A text is *covered*
when its language is known and among the languages its model was trained on; a comment that
is not covered is scored anyway when a model takes it (so the queue can still be sorted),
marked "not covered", and never auto-approved. Without any model for its language (no ``"*"``)
it gets no scores at all and the model name ``"none"``.

Every result carries all of our classes: those the model does not produce are None.

Texts are scored in chunks of similar length: a batch is padded to its longest text, so a
chunk whose longest text would make it waste more than ``PADDING_SLACK`` of its work on
padding is split. Dynamic batching of analyze requests (random lengths) and the queue's
batches (in id order) then never cost more than scoring one text at a time.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from moderation.config import ModelSpec, ScoringSettings
from moderation.scoring.classes import complete
from moderation.scoring.scorer import FakeScorer, Scorer

log = logging.getLogger(__name__)

DEFAULT = "*"
NO_MODEL = "none"
# At most this share of a chunk's tokens may be padding (text length stands in for tokens).
PADDING_SLACK = 0.25


@dataclass(frozen=True)
class Routed:
    """One text's scores, the model that produced them and whether that model covers its language."""

    language: str | None
    model: str
    scores: dict[str, float | None]
    covered: bool


class ModelLoadError(RuntimeError):
    pass


class ModelRouter:
    def __init__(self, scorers: dict[str, Scorer], batch_size: int = 8) -> None:
        if not scorers:
            raise ValueError("a router needs at least one model")
        self.scorers = dict(scorers)
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        """The default model's name alone, or every language's model: ``de=…, *=…``."""
        if list(self.scorers) == [DEFAULT]:
            return self.scorers[DEFAULT].name
        return ", ".join(f"{language}={scorer.name}" for language, scorer in self.scorers.items())

    @property
    def languages(self) -> set[str]:
        """Every language some model covers (a language is covered by its own model, or by "*")."""
        return {language for language in self._candidates() if self.covers(language)}

    def _candidates(self) -> set[str]:
        found: set[str] = set()
        for scorer in self.scorers.values():
            found |= set(scorer.languages)
        return found | {language for language in self.scorers if language != DEFAULT}

    @property
    def download(self):
        """The weights download in progress, if one of the models is downloading them."""
        for scorer in self.scorers.values():
            progress = getattr(scorer, "download", None)
            if progress is not None:
                return progress
        return None

    @property
    def stop_event(self):
        return next((getattr(s, "stop_event", None) for s in self.scorers.values()), None)

    @stop_event.setter
    def stop_event(self, event) -> None:
        """A download stops with the service, whichever model makes it."""
        for scorer in self.scorers.values():
            if hasattr(scorer, "stop_event"):
                scorer.stop_event = event

    def load(self) -> None:
        for language, scorer in self.scorers.items():
            try:
                scorer.load()
            except Exception as exc:
                if len(self.scorers) == 1:
                    raise
                raise ModelLoadError(f"model for {language!r} ({scorer.name}): {type(exc).__name__}: {exc}") from exc

    def model_for(self, language: str | None) -> Scorer | None:
        if language is not None and language in self.scorers:
            return self.scorers[language]
        return self.scorers.get(DEFAULT)

    def covers(self, language: str | None) -> bool:
        scorer = self.model_for(language)
        return language is not None and scorer is not None and language in scorer.languages

    def route(self, texts: list[str], languages: list[str | None]) -> list[Routed]:
        """Score each text with its language's model; in the order given."""
        if len(texts) != len(languages):
            raise ValueError("one language (or None) per text")
        results: list[Routed | None] = [None] * len(texts)
        groups: dict[int, list[int]] = {}
        models: dict[int, Scorer] = {}
        for index, language in enumerate(languages):
            scorer = self.model_for(language)
            if scorer is None:
                results[index] = Routed(language, NO_MODEL, {}, False)
                continue
            groups.setdefault(id(scorer), []).append(index)
            models[id(scorer)] = scorer
        for key, indexes in groups.items():
            scorer = models[key]
            for chunk in chunks([texts[i] for i in indexes], self.batch_size):
                scored = scorer.score([texts[indexes[i]] for i in chunk])
                for position, scores in zip(chunk, scored):
                    index = indexes[position]
                    language = languages[index]
                    results[index] = Routed(language, scorer.name, complete(scores),
                                            language is not None and language in scorer.languages)
        return results  # type: ignore[return-value]

    def score(self, texts: list[str], languages: list[str | None] | None = None) -> list[dict[str, float | None]]:
        """The Scorer interface: scores only (texts without a language go to "*")."""
        return [routed.scores for routed in self.route(texts, languages or [None] * len(texts))]


def chunks(texts: list[str], size: int, slack: float = PADDING_SLACK) -> list[list[int]]:
    """Indexes of ``texts`` in chunks of at most ``size``, shortest first, little padding in each."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    result: list[list[int]] = []
    current: list[int] = []
    total = 0
    for index in order:
        length = max(1, len(texts[index]))
        # Sorted ascending: the newcomer is the longest, so the chunk would be padded to it.
        if current and (len(current) >= size or length * (len(current) + 1) > (1 + slack) * (total + length)):
            result.append(current)
            current, total = [], 0
        current.append(index)
        total += length
    if current:
        result.append(current)
    return result


def as_router(scorer: Scorer, batch_size: int = 8) -> ModelRouter:
    """A router as is, or any single scorer as the "*" model of one."""
    return scorer if isinstance(scorer, ModelRouter) else ModelRouter({DEFAULT: scorer}, batch_size)


def _scorer(spec: ModelSpec, settings: ScoringSettings) -> Scorer:
    if spec.kind == "transformers":
        from moderation.scoring.transformers_scorer import TransformersScorer

        return TransformersScorer(spec, settings)
    if spec.kind == "fake":
        scorer: Scorer = FakeScorer()
    else:
        from moderation.scoring.detoxify_scorer import DetoxifyScorer

        scorer = DetoxifyScorer(dataclasses.replace(
            settings, model_type=spec.model_type, checkpoint=spec.checkpoint,
            huggingface_config_path=spec.huggingface_config_path, precision=spec.precision or settings.precision,
            models={}))
    if spec.languages is not None:
        scorer.languages = set(spec.languages)
    return scorer


def build_router(settings: ScoringSettings) -> ModelRouter:
    """The configured models (``backend = "fake"``: the fake scorer for every language)."""
    if settings.backend == "fake":
        return ModelRouter({DEFAULT: FakeScorer()}, settings.batch_size)
    if settings.backend != "detoxify":
        raise ValueError(f"no scorer for backend {settings.backend!r}")
    return ModelRouter({language: _scorer(spec, settings) for language, spec in settings.model_specs().items()},
                       settings.batch_size)


def build_scorer(settings: ScoringSettings) -> Scorer:
    """Every configured model behind one Scorer: a model per language."""
    return build_router(settings)
