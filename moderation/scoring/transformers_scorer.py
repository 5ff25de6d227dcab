"""Any Hugging Face sequence-classification checkpoint on disk, its labels mapped to our classes.

For languages Detoxify does not cover (German, for one): ``[scoring.models] de = { kind =
"transformers", path = "/srv/models/german-toxic", labels = { toxic = "toxicity" } }``. The
model and tokenizer are loaded from the folder only (never from the network). Classes the
model does not produce are left out here and become null in the router.
"""
from __future__ import annotations

import logging
from pathlib import Path

from moderation.config import ModelSpec, ScoringSettings

log = logging.getLogger(__name__)

# Positions beyond what the model was trained on would fail; most checkpoints declare 512.
MAX_TOKENS = 512


def token_limit(tokenizer, config) -> int:
    """The most tokens a text may have for this model: the tokenizer's limit where it states
    one, never more than the model's positions (a tokenizer folder without
    ``model_max_length`` would otherwise truncate nothing, and every long text would fail)."""
    positions = getattr(config, "max_position_embeddings", None) or MAX_TOKENS
    # RoBERTa-style models reserve two positions for the padding offset.
    if getattr(config, "model_type", None) in ("roberta", "xlm-roberta"):
        positions -= 2
    return min(MAX_TOKENS, tokenizer.model_max_length or MAX_TOKENS, positions)


class TransformersScorer:
    def __init__(self, spec: ModelSpec, settings: ScoringSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.precision = spec.precision or settings.precision
        self.name = f"transformers:{Path(spec.path).name}" + (":int8" if self.precision == "int8" else "")
        self.languages = set(spec.languages or ())
        self.model = None
        self.tokenizer = None
        self._columns: list[tuple[int, str]] = []
        self._sigmoid = True
        self._max_tokens = MAX_TOKENS

    def load(self) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        folder = Path(self.spec.path)
        if not (folder / "config.json").is_file():
            raise FileNotFoundError(f"no Hugging Face checkpoint (config.json) in {folder}")
        torch.set_num_threads(self.settings.threads)
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True)
        id2label = {int(i): str(label) for i, label in model.config.id2label.items()}
        by_name = {label: i for i, label in id2label.items()}
        missing = [label for label in self.spec.labels if label not in by_name]
        if missing:
            raise ValueError(f"model {folder} has no label {', '.join(map(repr, missing))}; "
                             f"its labels are {', '.join(map(repr, by_name))}")
        self._columns = [(by_name[label], ours) for label, ours in self.spec.labels.items()]
        if self.spec.activation:
            self._sigmoid = self.spec.activation == "sigmoid"
        else:
            self._sigmoid = model.config.problem_type == "multi_label_classification" or model.config.num_labels == 1
        self._max_tokens = token_limit(tokenizer, model.config)
        model.to(self.settings.device)
        model.eval()
        if self.precision == "int8":
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.tokenizer, self.model = tokenizer, model
        log.info("transformers model %s loaded, labels %s", self.name, dict(self.spec.labels))

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        """Scores of the mapped classes for each text, in one forward pass per ``batch_size`` texts."""
        import torch

        if self.model is None:
            raise RuntimeError("model not loaded")
        results: list[dict[str, float]] = []
        size = self.settings.batch_size
        for start in range(0, len(texts), size):
            chunk = texts[start:start + size]
            encoded = self.tokenizer(chunk, padding=True, truncation=True, max_length=self._max_tokens,
                                     return_tensors="pt").to(self.settings.device)
            with torch.inference_mode():
                logits = self.model(**encoded).logits
            probabilities = torch.sigmoid(logits) if self._sigmoid else torch.softmax(logits, dim=-1)
            for row in probabilities.tolist():
                results.append({ours: float(row[column]) for column, ours in self._columns})
        return results
