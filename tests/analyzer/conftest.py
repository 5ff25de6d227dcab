import pytest

from moderation.app import create_app
from moderation.config import Settings
from moderation.runtime import Runtime
from moderation.scoring.language import LanguageDetector
from moderation.scoring.router import build_router
from tests.factories import make_key
from tests.scoring.conftest import models_by_language, tiny_checkpoint, tiny_hf_model  # noqa: F401


@pytest.fixture(scope="session")
def analyzer_detector():
    detector = LanguageDetector(["fr", "de", "it", "en"])
    detector.detect(["Les modèles de langue se chargent ici."])  # as the worker does before it is ready
    return detector


@pytest.fixture(scope="session")
def loaded_router(models_by_language):  # noqa: F811
    """The tiny Detoxify for every language and the tiny BERT for German, loaded once."""
    router = build_router(Settings().replace(scoring={"backend": "detoxify", "models": models_by_language}).scoring)
    router.load()
    return router


@pytest.fixture
def analyzer_runtime(runtime, settings, models_by_language, loaded_router, analyzer_detector):  # noqa: F811
    """A runtime whose process holds the model: its analyze requests go to a real batcher on it."""
    from moderation.analyzer.host import LocalAnalyzer, local_batcher

    # The production deadline (0.75 s) is for a quiet server; on a busy CI machine a batch of tiny-model
    # scores can take longer and would answer 504. Tests of the deadline set their own.
    rt = Runtime(settings.replace(scoring={"backend": "detoxify", "models": models_by_language},
                                  analyzer={"deadline_seconds": 30.0}),
                 clock=runtime.clock, database=runtime.db)
    batcher = local_batcher(rt, loaded_router, analyzer_detector)
    rt.analyzer = LocalAnalyzer(batcher)
    yield rt
    batcher.stop()


@pytest.fixture
def perspective(analyzer_runtime):
    return create_app(runtime=analyzer_runtime).test_client()


@pytest.fixture
def analyzer_key(analyzer_runtime):
    return make_key(analyzer_runtime, "analyzer")
