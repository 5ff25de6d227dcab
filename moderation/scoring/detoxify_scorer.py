"""Detoxify, loaded once per process, scoring in batches.

Weights come from ``checkpoint``, or from the torch hub cache, where `moderation model
download` or, with ``[scoring] allow_download`` (the default), the scorer itself puts them
once (scoring/download.py: progress, timeouts, checksum). The tokenizer and config come from
``huggingface_config_path`` or the Hugging Face cache (fetched with the model when allowed).
With ``allow_download = false`` nothing is ever fetched: the service runs air-gapped.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from moderation.config import ScoringSettings
from moderation.scoring.download import DownloadProgress, download

log = logging.getLogger(__name__)

# Languages each Detoxify model was trained on (Detoxify's README).
MODEL_LANGUAGES = {
    "multilingual": {"en", "fr", "es", "it", "pt", "tr", "ru"},
    "original": {"en"},
    "unbiased": {"en"},
    "original-small": {"en"},
    "unbiased-small": {"en"},
}


def _forbid_hub_downloads() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        import huggingface_hub.constants as hub_constants

        hub_constants.HF_HUB_OFFLINE = True
    except ImportError:  # pragma: no cover
        pass


def _bound_hub_timeouts(settings: ScoringSettings) -> None:
    """The Hugging Face files (config, tokenizer) are fetched with the same bounded timeouts."""
    try:
        import huggingface_hub.constants as hub_constants

        hub_constants.HF_HUB_ETAG_TIMEOUT = int(max(1, settings.download_connect_timeout_seconds))
        hub_constants.HF_HUB_DOWNLOAD_TIMEOUT = int(max(1, settings.download_read_timeout_seconds))
    except ImportError:  # pragma: no cover
        pass


def weights_url(settings: ScoringSettings) -> str:
    """Where the checkpoint for ``model_type`` is downloaded from."""
    if settings.download_url:
        return settings.download_url
    from detoxify.detoxify import MODEL_URLS

    url = MODEL_URLS.get(settings.model_type)
    if url is None:
        raise FileNotFoundError(f"Detoxify publishes no weights for model type {settings.model_type!r}")
    return url


def weights_path(settings: ScoringSettings) -> Path:
    """The checkpoint's place in the torch hub cache (where Detoxify would put it, too)."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / weights_url(settings).rsplit("/", 1)[-1].split("?")[0]


def cached_checkpoint(settings: ScoringSettings) -> Path | None:
    """The configured model's checkpoint in the torch hub cache, if it is there."""
    path = weights_path(settings)
    return path if path.is_file() else None


def fetch_weights(settings: ScoringSettings, progress: DownloadProgress | None = None, show: bool = True,
                  stop: threading.Event | None = None) -> Path:
    """Download the configured checkpoint into the torch hub cache unless it is there already."""
    cached = cached_checkpoint(settings)
    if cached is not None:
        return cached
    url = weights_url(settings)
    return download(url, weights_path(settings), connect_timeout=settings.download_connect_timeout_seconds,
                    read_timeout=settings.download_read_timeout_seconds,
                    progress=progress or DownloadProgress(url), show=show, stop=stop)


class DetoxifyScorer:
    def __init__(self, settings: ScoringSettings) -> None:
        self.settings = settings
        self.model = None
        self.name = f"detoxify-{settings.model_type}"
        self.languages = MODEL_LANGUAGES.get(settings.model_type, {"en"})
        # While the weights are being downloaded: how far it is (the worker shows it in /readyz).
        self.download: DownloadProgress | None = None
        self.stop_event: threading.Event | None = None

    def _checkpoint(self) -> str:
        if self.settings.checkpoint:
            path = Path(self.settings.checkpoint)
            if not path.is_file():
                raise FileNotFoundError(f"no checkpoint file at {path}")
            return str(path)
        cached = cached_checkpoint(self.settings)
        if cached is not None:
            return str(cached)
        if not self.settings.allow_download:
            raise FileNotFoundError(
                f"no local weights for Detoxify {self.settings.model_type!r} and [scoring] allow_download is off: "
                "set [scoring] checkpoint, or run `moderation model download` where there is network")
        self.download = DownloadProgress(weights_url(self.settings))
        try:
            return str(fetch_weights(self.settings, self.download, stop=self.stop_event))
        finally:
            self.download = None

    def load(self) -> None:
        import torch

        if self.settings.allow_download:
            _bound_hub_timeouts(self.settings)
        else:
            _forbid_hub_downloads()
        checkpoint = self._checkpoint()
        torch.set_num_threads(self.settings.threads)
        from detoxify import Detoxify

        from moderation.scoring.transformers_scorer import token_limit

        model = Detoxify(model_type=self.settings.model_type, checkpoint=checkpoint, device=self.settings.device,
                         huggingface_config_path=self.settings.huggingface_config_path or None)
        if self.settings.precision == "int8":
            # Dynamic quantization of the linear layers: about 2x faster on CPU, same ranking.
            model.model = torch.ao.quantization.quantize_dynamic(model.model, {torch.nn.Linear},
                                                                 dtype=torch.qint8)
        model.model.eval()
        # Detoxify truncates at the tokenizer's model_max_length: make sure it is one.
        model.tokenizer.model_max_length = token_limit(model.tokenizer, model.model.config)
        self.name = f"detoxify-{self.settings.model_type}:{Path(checkpoint).name}"
        if self.settings.precision == "int8":
            self.name += ":int8"
        self.model = model

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        """Scores for each text; batched, shortest first, so that little padding is computed.

        Texts longer than the model's limit are truncated by the tokenizer for scoring only.
        """
        if self.model is None:
            raise RuntimeError("model not loaded")
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        results: list[dict[str, float] | None] = [None] * len(texts)
        size = self.settings.batch_size
        for start in range(0, len(order), size):
            chunk = order[start:start + size]
            predicted = self.model.predict([texts[i] for i in chunk])
            for position, index in enumerate(chunk):
                results[index] = {label: float(_nth(values, position)) for label, values in predicted.items()}
        return results  # type: ignore[return-value]


def _nth(values, position: int) -> float:
    # Detoxify squeezes a batch of one into a bare float.
    return values if isinstance(values, float) else values[position]


def download_model(settings: ScoringSettings) -> str:
    """`moderation model download`: the weights (with progress), then the tokenizer and config
    through Detoxify itself, so that the service later loads everything from the caches."""
    import dataclasses

    settings = dataclasses.replace(settings, allow_download=True)  # asked for explicitly
    if not settings.checkpoint:
        fetch_weights(settings)
    scorer = DetoxifyScorer(settings)
    scorer.load()
    return f"Detoxify {settings.model_type!r} ready: {scorer.name} (cached under {weights_path(settings).parent})"
