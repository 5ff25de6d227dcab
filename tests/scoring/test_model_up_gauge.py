"""Issue 25, point 3: the alert "scoring model unavailable" reads moderation_scoring_model_up,
1 while this process's scorer has its model, 0 while it cannot load it."""
from prometheus_client import REGISTRY

from moderation.scoring.worker import ScoringWorker


class Unloadable:
    name = "broken"

    def load(self):
        raise OSError("no weights and no network")

    def score(self, texts):
        raise AssertionError("never scored")


class Loadable(Unloadable):
    def load(self):
        pass


def model_up() -> float:
    return REGISTRY.get_sample_value("moderation_scoring_model_up")


def test_model_up_follows_the_model(runtime):
    worker = ScoringWorker(runtime, scorer=Unloadable(), detector=None)
    assert worker.load_model() is False
    assert model_up() == 0.0 and worker.status()["state"] == "unavailable"
    worker = ScoringWorker(runtime, scorer=Loadable(), detector=None)
    assert worker.load_model() is True
    assert model_up() == 1.0
