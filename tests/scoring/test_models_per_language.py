"""[scoring.models]: a model per language, classes it lacks as null, "not covered" languages.

The German model is a tiny random BERT classifier saved on the spot (tests/scoring/
hf_checkpoint.py), the default a tiny Detoxify checkpoint (tests/scoring/checkpoint.py): real
loading and scoring code on both, random weights (real ones cannot be downloaded here).
"""
import pytest
from sqlalchemy import select

from moderation.comments.models import Comment
from moderation.config import ConfigError, Settings, load_settings
from moderation.runtime import Runtime
from moderation.scoring.detoxify_scorer import DetoxifyScorer
from moderation.scoring.language import LanguageDetector
from moderation.scoring.models import CommentScore
from moderation.scoring.router import NO_MODEL, ModelLoadError, build_router, chunks
from moderation.scoring.transformers_scorer import TransformersScorer
from moderation.scoring.worker import score_pending
from tests.factories import headers, make_article, make_comment, make_key

FRENCH = "Merci pour cet article très intéressant sur le budget fédéral."
GERMAN = "Vielen Dank für den Artikel über die Abstimmung, sehr interessant."
ITALIAN = "Grazie per questo articolo molto interessante sulla politica svizzera."


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector(["fr", "de", "it", "en"])


@pytest.fixture(scope="module")
def router(models_by_language):
    scoring = Settings().scoring
    router = build_router(Settings().replace(scoring={"backend": "detoxify", "models": models_by_language,
                                                      "batch_size": scoring.batch_size}).scoring)
    router.load()
    return router


def test_without_models_table_todays_keys_make_the_default_model(tiny_checkpoint):
    settings = load_settings({"MODERATION_SCORING__CHECKPOINT": str(tiny_checkpoint),
                              "MODERATION_SCORING__MODEL_TYPE": "original"})
    [(language, spec)] = settings.scoring.model_specs().items()
    assert language == "*" and spec.kind == "detoxify" and spec.model_type == "original"
    assert spec.checkpoint == str(tiny_checkpoint)


def test_models_table_from_site_file_and_environment(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[scoring.models]\n"*" = { kind = "detoxify", model_type = "multilingual" }\n'
                    '[scoring.models.de]\nkind = "transformers"\npath = "/srv/models/german-toxic"\n'
                    'labels = { toxic = "toxicity", insult = "insult" }\nprecision = "int8"\n')
    specs = load_settings({"MODERATION_CONFIG": str(site)}).scoring.model_specs()
    assert set(specs) == {"*", "de"}
    assert specs["de"].labels == {"toxic": "toxicity", "insult": "insult"} and specs["de"].languages == ("de",)
    assert specs["de"].precision == "int8" and specs["*"].languages is None
    env = load_settings({"MODERATION_CONFIG": str(site),
                         "MODERATION_SCORING__MODELS": '{"it": {"kind": "fake"}}'}).scoring.model_specs()
    assert set(env) == {"it"}  # the environment's table replaces the file's


@pytest.mark.parametrize("models,message", [
    ({"*": {"kind": "gpt"}}, "scoring.models.*.kind: must be one of detoxify, transformers, fake"),
    ({"de": {"kind": "transformers", "labels": {"toxic": "toxicity"}}}, "scoring.models.de.path"),
    ({"de": {"kind": "transformers", "path": "/m"}}, "scoring.models.de.labels"),
    ({"de": {"kind": "transformers", "path": "/m", "labels": {"toxic": "toxic"}}},
     "scoring.models.de.labels.toxic: 'toxic' is not one of our classes"),
    ({"nl": {"kind": "fake"}}, "scoring.models.nl: 'nl' is not in scoring.languages"),
    ({"deu": {"kind": "fake"}}, "scoring.models.deu: a language is a two-letter"),
    ({"*": {"kind": "detoxify", "path": "/m"}}, "scoring.models.*.path: unknown key for a detoxify model"),
    ({"*": {"kind": "transformers", "path": "/m", "labels": {"t": "toxicity"}}}, "scoring.models.*.languages"),
    ({"*": {"kind": "detoxify", "precision": "int4"}}, "scoring.models.*.precision"),
    ({"*": "detoxify"}, "scoring.models.*: must be a table"),
])
def test_invalid_models_table_names_the_key(models, message):
    import json

    with pytest.raises(ConfigError) as info:
        load_settings({"MODERATION_SCORING__MODELS": json.dumps(models)})
    assert message in str(info.value)


def test_german_goes_to_its_model_french_to_detoxify(router, tiny_checkpoint, tiny_hf_model):
    routed = router.route([FRENCH, GERMAN, ITALIAN], ["fr", "de", "it"])
    assert [r.model for r in routed] == ["detoxify-multilingual:detoxify.ckpt", "transformers:german-toxic",
                                         "detoxify-multilingual:detoxify.ckpt"]
    assert [r.covered for r in routed] == [True, True, True]
    # Exactly each model's own scores.
    detoxify = DetoxifyScorer(Settings().replace(scoring={"checkpoint": str(tiny_checkpoint)}).scoring)
    detoxify.load()
    for text, result in ((FRENCH, routed[0]), (ITALIAN, routed[2])):
        for label, value in detoxify.score([text])[0].items():
            assert result.scores[label] == pytest.approx(value, abs=1e-6)
    german = router.scorers["de"]
    assert isinstance(german, TransformersScorer)
    assert routed[1].scores["toxicity"] == pytest.approx(german.score([GERMAN])[0]["toxicity"], abs=1e-6)
    # Classes the German model does not produce are null, not zero.
    assert {k for k, v in routed[1].scores.items() if v is None} == {
        "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit"}


def test_language_without_its_own_model_is_not_covered(router):
    dutch, undetermined = router.route(["Dank je wel voor dit artikel.", "???"], ["nl", None])
    assert dutch.model.startswith("detoxify-multilingual") and dutch.covered is False  # scored, not covered
    assert undetermined.covered is False
    assert router.covers("de") and router.covers("fr") and not router.covers("nl") and not router.covers(None)


def test_without_default_model_other_languages_get_no_scores(tiny_hf_model):
    settings = Settings().replace(scoring={"models": {
        "de": {"kind": "transformers", "path": str(tiny_hf_model), "labels": {"toxic": "toxicity"}}}})
    router = build_router(settings.scoring)
    router.load()
    german, french = router.route([GERMAN, FRENCH], ["de", "fr"])
    assert german.model == "transformers:german-toxic" and german.covered
    assert french.model == NO_MODEL and french.scores == {} and french.covered is False


def test_a_model_that_cannot_load_is_named_with_its_language(tiny_checkpoint, tmp_path):
    router = build_router(Settings().replace(scoring={"models": {
        "*": {"kind": "detoxify", "checkpoint": str(tiny_checkpoint)},
        "de": {"kind": "transformers", "path": str(tmp_path / "missing"), "labels": {"toxic": "toxicity"}}}}).scoring)
    with pytest.raises(ModelLoadError, match=r"model for 'de' \(transformers:missing\): FileNotFoundError"):
        router.load()


def test_a_label_the_checkpoint_lacks_is_refused_at_load(tiny_hf_model):
    router = build_router(Settings().replace(scoring={"models": {
        "de": {"kind": "transformers", "path": str(tiny_hf_model), "labels": {"insult": "insult"}}}}).scoring)
    with pytest.raises(ValueError, match="has no label 'insult'; its labels are 'non_toxic', 'toxic'"):
        router.load()


def test_chunks_keep_padding_low_and_respect_the_batch_size():
    texts = ["a" * 10, "b" * 100, "c" * 11, "d" * 12, "e" * 105]
    assert chunks(texts, 8) == [[0, 2, 3], [1, 4]]
    assert chunks(["x" * 50] * 20, 8) == [list(range(8)), list(range(8, 16)), list(range(16, 20))]
    for chunk in chunks([("w " * n) for n in (1, 3, 7, 20, 21, 60, 400, 5, 9)], 8):
        lengths = [len(("w " * n)) for n in [(1, 3, 7, 20, 21, 60, 400, 5, 9)[i] for i in chunk]]
        assert max(lengths) * len(lengths) <= 1.25 * sum(lengths)


def test_worker_scores_each_comment_with_its_languages_model(runtime, settings, models_by_language, router,
                                                             detector, client):
    runtime = Runtime(settings.replace(scoring={"backend": "detoxify", "models": models_by_language}),
                      clock=runtime.clock, database=runtime.db)
    article = make_article(runtime)
    french, german = make_comment(runtime, article, body=FRENCH), make_comment(runtime, article, body=GERMAN)
    assert score_pending(runtime, router, detector, "w1") == 2
    with runtime.db.transaction(write=False) as session:
        scores = {s.comment_id: s for s in session.scalars(select(CommentScore))}
        comments = {c.id: c for c in session.scalars(select(Comment))}
    assert scores[french.id].model == "detoxify-multilingual:detoxify.ckpt" and comments[french.id].language == "fr"
    assert scores[german.id].model == "transformers:german-toxic" and comments[german.id].language == "de"
    assert comments[german.id].toxicity == pytest.approx(scores[german.id].scores["toxicity"])
    assert scores[german.id].scores["insult"] is None and scores[german.id].covered is True

    # The queue names the model of each comment and shows the classes it lacks as null.
    moderator = headers(make_key(runtime, "moderator"))
    items = {item["comment"]["id"]: item for item in client.get("/api/v1/moderation/queue",
                                                                 headers=moderator).json["items"]}
    assert items[german.id]["model"] == "transformers:german-toxic"
    assert items[german.id]["language_covered"] is True
    assert items[german.id]["scores"]["insult"] is None and items[german.id]["scores"]["toxicity"] > 0
    assert items[french.id]["model"] == "detoxify-multilingual:detoxify.ckpt"


def test_not_covered_language_is_never_auto_approved(runtime, settings, detector, client):
    # The default model covers French only: Italian comments are scored by it, but not covered.
    settings = settings.replace(scoring={"backend": "detoxify", "auto_approve_below": {"toxicity": 0.5},
                                         "models": {"*": {"kind": "fake", "languages": ["fr"]}}})
    runtime = Runtime(settings, clock=runtime.clock, database=runtime.db)
    article = make_article(runtime)
    french, italian = make_comment(runtime, article, body=FRENCH), make_comment(runtime, article, body=ITALIAN)
    score_pending(runtime, build_router(settings.scoring), detector, "w1")
    with runtime.db.transaction(write=False) as session:
        assert session.get(Comment, french.id).status == "approved"
        assert session.get(Comment, italian.id).status == "pending"  # toxicity 0.05, but not covered
        assert session.get(CommentScore, italian.id).covered is False
        assert session.get(CommentScore, italian.id).scores["toxicity"] == pytest.approx(0.05)
    items = client.get("/api/v1/moderation/queue", headers=headers(make_key(runtime, "moderator"))).json["items"]
    [item] = [i for i in items if i["comment"]["id"] == italian.id]
    assert item["language_covered"] is False and item["model"] == "fake" and item["language"] == "it"


def test_a_class_the_model_lacks_meets_no_threshold(runtime, settings, tiny_hf_model, detector):
    settings = settings.replace(scoring={"backend": "detoxify", "auto_reject_above": {"insult": 0.0},
                                         "auto_approve_below": {"insult": 1.0}, "models": {
        "de": {"kind": "transformers", "path": str(tiny_hf_model), "labels": {"toxic": "toxicity"}}}})
    runtime = Runtime(settings, clock=runtime.clock, database=runtime.db)
    router = build_router(settings.scoring)
    router.load()
    comment = make_comment(runtime, make_article(runtime), body=GERMAN)
    score_pending(runtime, router, detector, "w1")
    with runtime.db.transaction(write=False) as session:
        assert session.get(Comment, comment.id).status == "pending"  # insult is null: neither rule applies


def test_model_check_loads_every_language_model(models_by_language, tmp_path, backend):
    import json
    import subprocess
    import sys

    if backend != "sqlite":
        pytest.skip("runs once")
    result = subprocess.run([sys.executable, "-m", "moderation.cli", "model", "check"], cwd=tmp_path, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "MODERATION_SCORING__MODELS": json.dumps(models_by_language)},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("*: detoxify-multilingual:detoxify.ckpt: ") and "'toxicity':" in lines[0]
    assert lines[1].startswith("de: transformers:german-toxic: ") and "'toxicity':" in lines[1]


def test_the_language_is_detected_on_a_bounded_prefix(detector):
    """lingua's cost grows with the text: a long comment is judged on its beginning."""
    from moderation.scoring.language import DETECTION_PREFIX_CHARS

    opening = (FRENCH + " ") * (DETECTION_PREFIX_CHARS // len(FRENCH) + 1)
    assert detector.detect([opening + (GERMAN + " ") * 2000]) == ["fr"]
