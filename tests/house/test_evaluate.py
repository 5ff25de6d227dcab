"""`moderation model evaluate`'s measurement: per model and language, on labelled rows."""

from __future__ import annotations

import pytest

from moderation.house.evaluate import Candidate, Row, evaluate, house_candidate, measure, render
from moderation.house.model import train
from moderation.scoring.router import ModelRouter
from moderation.scoring.scorer import FakeScorer

ROWS = [
    Row("quel idiot", 1, "fr"),
    Row("merci beaucoup", 0, "fr"),
    Row("was für ein idiot", 1, "de"),
    Row("danke schön", 0, "de"),
    Row("che idiota", 1, "it"),
    Row("grazie mille", 0, "it"),
]


def _by_word(texts, languages):
    return [0.9 if "idio" in text else 0.1 for text in texts]


def test_perfect_separation_gives_auc_and_precision_one_per_language():
    results = evaluate(ROWS, [Candidate("words", 0.5, lambda language: True, _by_word)])
    assert [(r["model"], r["language"], r["n"]) for r in results] == [
        ("words", "de", 2),
        ("words", "fr", 2),
        ("words", "it", 2),
    ]
    for result in results:
        assert result["roc_auc"] == 1.0 and result["average_precision"] == 1.0 and result["f1_macro"] == 1.0


def test_reversed_scores_give_auc_zero_and_the_threshold_decides_f1():
    reversed_scores = Candidate(
        "reversed", 0.5, lambda language: True, lambda texts, languages: [1 - s for s in _by_word(texts, languages)]
    )
    (result, *_rest) = evaluate(ROWS, [reversed_scores])
    assert result["roc_auc"] == 0.0 and result["f1_macro"] == 0.0


def test_a_model_is_measured_only_on_the_languages_it_covers():
    only_french = Candidate("fr-only", 0.5, lambda language: language == "fr", _by_word)
    assert [r["language"] for r in evaluate(ROWS, [only_french])] == ["fr"]


def test_one_class_rows_give_no_auc_but_a_macro_f1():
    result = measure([0, 0, 0], [0.1, 0.2, 0.7], 0.5)
    assert result["roc_auc"] is None and result["average_precision"] is None
    assert result["f1_macro"] == pytest.approx(0.4)  # 2 of 3 right on the one class; the other class absent


def test_a_trained_house_model_separates_a_generated_set_perfectly():
    texts = [f"{word} numéro {i}" for i in range(30) for word in ("connard", "bonjour")]
    labels = [1, 0] * 30
    model = train(texts, labels, ["fr"] * len(texts))
    rows = [
        Row(f"{word} encore {i}", label, "fr") for i in range(10) for word, label in (("connard", 1), ("bonjour", 0))
    ]
    (result,) = evaluate(rows, [house_candidate("house-v1", model)])
    assert result["model"] == "house-v1" and result["n"] == 20 and result["roc_auc"] == 1.0


def test_the_transformer_router_is_measured_on_its_toxicity_for_the_languages_it_covers():
    from moderation.house.evaluate import transformer_candidate

    router = ModelRouter({"*": FakeScorer()})
    router.load()
    results = evaluate(ROWS + [Row("idiot", 1, "ja"), Row("ok", 0, "ja")], [transformer_candidate(router)])
    languages = [r["language"] for r in results]
    assert "ja" not in languages and "fr" in languages  # the fake multilingual model has no Japanese
    assert all(r["model"] == "fake" for r in results)


def test_render_shows_a_dash_where_auc_is_undefined():
    text = render(
        [{"model": "house-v1", "language": "fr", "n": 3, "roc_auc": None, "average_precision": None, "f1_macro": 0.4}]
    )
    assert "house-v1" in text and "-" in text.splitlines()[1] and "0.400" in text
