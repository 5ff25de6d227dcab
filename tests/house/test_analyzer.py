"""The analyzer answers with the house model for a language the transformer does not cover
([analyzer] house_for_uncovered, issue 23)."""
from __future__ import annotations

from datetime import timedelta

from moderation.app import create_app
from moderation.house import jobs
from moderation.runtime import Runtime
from tests.factories import make_key
from tests.house.conftest import generated, store_labels

ANALYZE = "/v1alpha1/comments:analyze"
# The fake backend stands for Detoxify's multilingual model, which has no German.
RUDE = {"comment": {"text": "heute finde ich politik idiot trottel"}, "languages": ["de"],
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {"scoreThreshold": 0.0}}}


def _client(runtime, settings, house_for_uncovered: bool):
    configured = Runtime(settings.replace(analyzer={"house_for_uncovered": house_for_uncovered}),
                         clock=runtime.clock, database=runtime.db)
    return create_app(runtime=configured).test_client(), make_key(configured, "analyzer")


def test_an_uncovered_language_is_answered_with_the_house_model_when_configured(runtime, settings):
    store_labels(runtime, generated(200), runtime.now() - timedelta(days=1))
    assert jobs.train(runtime).promoted
    client, key = _client(runtime, settings, True)
    response = client.post(f"{ANALYZE}?key={key}", json=RUDE)
    assert response.status_code == 200, response.json
    assert response.json["model"] == "house-v1" and response.json["languages"] == ["de"]
    rude = response.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert response.json["attributeScores"]["INSULT"]["summaryScore"]["value"] == rude
    kind = client.post(f"{ANALYZE}?key={key}", json={**RUDE, "comment": {"text": "heute finde ich politik danke gut"}})
    assert kind.status_code == 200
    assert kind.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < rude


def test_without_the_setting_or_a_house_model_the_language_is_refused_as_before(runtime, settings):
    client, key = _client(runtime, settings, True)
    assert client.post(f"{ANALYZE}?key={key}", json=RUDE).status_code == 400  # no house model yet
    store_labels(runtime, generated(200), runtime.now() - timedelta(days=1))
    assert jobs.train(runtime).promoted
    client, key = _client(runtime, settings, False)
    refused = client.post(f"{ANALYZE}?key={key}", json=RUDE)
    assert refused.status_code == 400 and "LANGUAGE_NOT_SUPPORTED" in refused.get_data(as_text=True)
