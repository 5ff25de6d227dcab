"""Small generated label sets, so that training in tests takes a fraction of a second."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from moderation.house import service as house
from moderation.labels.models import IMPORT, ModelLabel

RUDE = {"de": ["idiot", "trottel", "vollpfosten", "depp"], "fr": ["connard", "crétin", "abruti", "imbécile"]}
KIND = {"de": ["danke", "bericht", "interessant", "gut"], "fr": ["merci", "article", "intéressant", "bien"]}
FILLER = {"de": ["der", "die", "heute", "artikel", "politik", "stadt", "ich", "finde"],
          "fr": ["le", "la", "aujourd'hui", "politique", "ville", "je", "trouve", "ce"]}


@pytest.fixture(autouse=True)
def _fresh_house_cache():
    # Each test's database numbers its versions from 1: a model cached by another test's
    # version 1 must not be served.
    house.clear_cache()
    yield
    house.clear_cache()


def generated(count: int, seed: int = 0, flipped: bool = False) -> list[tuple[str, int, str]]:
    """(text, label, language): a rude word makes a rejection (or, ``flipped``, an approval)."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        language = "de" if n % 2 else "fr"
        rude = rng.random() < 0.4
        words = rng.sample(FILLER[language], 4) + [rng.choice((RUDE if rude else KIND)[language])]
        rng.shuffle(words)
        rows.append((" ".join(words) + f" {n}", int(rude) ^ int(flipped), language))
    return rows


def store_labels(runtime, rows, at: datetime, source: str = "generated") -> None:
    """Imported labels, one second apart from ``at`` (their time orders the held-out slice)."""
    with runtime.db.transaction() as session:
        for index, (text, label, language) in enumerate(rows):
            session.add(ModelLabel(created_at=at + timedelta(seconds=index), source=IMPORT, key_name=source,
                                   client_token=f"{source}:{at.isoformat()}:{index}", community_id=None, model="",
                                   language=language, scores={}, label=label, suggested={}, text=text))


@pytest.fixture(autouse=True)
def _one_fit_per_training(monkeypatch):
    """One liblinear fit per training instead of four: the threshold's 3-fold search costs three
    more fits over 2^21 hashed columns (seconds each on a busy CI machine) and only moves the
    cut, which these tests do not measure. Scores, AUC and promotion are unchanged."""
    import functools

    from moderation.house import model

    monkeypatch.setattr(house, "train", functools.partial(model.train, threshold=0.5))
