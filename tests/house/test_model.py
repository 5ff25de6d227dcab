"""The house model's computation (no database): fit, score, explain, storage."""
from __future__ import annotations

import io

import numpy as np
import pytest

from moderation.house.model import HouseModel, best_threshold, train

RUDE = ["du bist ein idiot", "quel connard celui-là", "sei un idiota totale", "what an idiot you are",
        "halt die klappe, idiot", "espèce de connard", "idiota, stai zitto", "shut up, idiot"]
KIND = ["merci pour cet article", "danke für den bericht", "grazie per l'articolo", "thanks for the report",
        "très bon résumé de la séance", "gute zusammenfassung der debatte", "ottimo riassunto", "a fair summary"]


def _model() -> HouseModel:
    texts = RUDE * 5 + KIND * 5
    labels = [1] * len(RUDE) * 5 + [0] * len(KIND) * 5
    languages = (["de", "fr", "it", "en", "de", "fr", "it", "en"] * 10)
    return train(texts, labels, languages)


def test_rude_texts_score_above_kind_ones_and_the_threshold_separates_them():
    model = _model()
    rude = model.score(["was für ein idiot", "un vrai connard"], ["de", "fr"])
    kind = model.score(["danke für die analyse", "merci pour le résumé"], ["de", "fr"])
    assert rude.min() > kind.max()
    assert kind.max() < model.threshold <= rude.min()


def test_scores_are_probabilities_on_the_labels_base_rate():
    texts = RUDE + KIND * 4  # a fifth rejected
    model = train(texts, [1] * len(RUDE) + [0] * len(KIND) * 4)
    mean = float(model.score(texts).mean())
    assert 0.1 < mean < 0.3


def test_explain_names_the_words_that_pushed_the_score_up_with_their_spans():
    model = _model()
    text = "Merci, mais quel connard ce ministre"
    reasons = model.explain(text, "fr")
    assert reasons[0]["word"] == "connard"
    start, end = reasons[0]["spans"][0]
    assert text[start:end] == "connard"
    assert all(reason["weight"] > 0 for reason in reasons)


def test_explain_skips_handles_and_links():
    model = _model()
    words = {reason["word"] for reason in model.explain("@idiot regarde https://idiot.example connard", "fr")}
    assert "idiot" not in words and "example" not in words


def test_storage_round_trips_exactly_and_holds_no_pickle():
    model = _model()
    data = model.to_bytes()
    loaded = HouseModel.from_bytes(data)
    texts = ["un vrai connard", "danke schön"]
    assert np.array_equal(loaded.score(texts, ["fr", "de"]), model.score(texts, ["fr", "de"]))
    assert loaded.threshold == model.threshold and loaded.languages == model.languages
    # Every member loads with pickles refused: a stored model cannot run code when read.
    stored = np.load(io.BytesIO(data), allow_pickle=False)
    for name in stored.files:
        stored[name]


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="both classes"):
        train(["a", "b"], [0, 0])


def test_best_threshold_maximises_macro_f1():
    labels = np.array([0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    threshold = best_threshold(labels, scores)
    assert 0.3 < threshold <= 0.8


def test_transformer_scores_are_used_when_every_row_has_them_and_imputed_when_missing():
    texts = ["neutral text"] * 20
    labels = [1] * 10 + [0] * 10
    extras = [{"toxicity": 0.95}] * 10 + [{"toxicity": 0.05}] * 10
    model = train(texts, labels, extras=extras)
    assert model.extra_names == ("toxicity",)
    high, low, missing = model.score(["neutral text"] * 3, extras=[{"toxicity": 0.95}, {"toxicity": 0.05}, None])
    assert high > missing > low
