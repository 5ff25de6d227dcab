import pytest

from tests.scoring.checkpoint import make_checkpoint


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    return make_checkpoint(tmp_path_factory.mktemp("detoxify"))


@pytest.fixture(scope="session")
def tiny_hf_model(tmp_path_factory):
    """A tiny BERT classifier with labels non_toxic / toxic, as a German model would be."""
    from tests.scoring.hf_checkpoint import make_hf_checkpoint

    return make_hf_checkpoint(tmp_path_factory.mktemp("hf") / "german-toxic")


@pytest.fixture(scope="session")
def models_by_language(tiny_checkpoint, tiny_hf_model):
    """[scoring.models]: Detoxify (tiny) for every language, the tiny BERT for German."""
    return {"*": {"kind": "detoxify", "checkpoint": str(tiny_checkpoint)},
            "de": {"kind": "transformers", "path": str(tiny_hf_model), "labels": {"toxic": "toxicity"}}}
