"""Webhook fixtures: a runtime whose deliveries may reach 127.0.0.1 (the test receivers),
with short back-off, and a real receiver that verifies every signature."""
from __future__ import annotations

import pytest

from moderation.app import create_app
from moderation.db import Database
from moderation.runtime import Runtime
from moderation.webhooks.worker import Deliverer
from tests.factories import headers, make_key
from tests.webhooks.receiver import Receiver

# Sent in the tests' comments and names: must never appear in a webhook.
PERSONAL_NAME = "Ophélie Secrète"
PERSONAL_WORDS = "mon adresse est rue des Alpes 12"

WEBHOOKS = {"allow_private_addresses": True, "retry_initial_seconds": 1.0, "retry_max_interval_seconds": 600.0,
            # One thread: the test runtime shares one connection, which threads must not use at once.
            "concurrency": 1, "connect_timeout_seconds": 2.0, "read_timeout_seconds": 5.0, "claim_seconds": 30.0}


@pytest.fixture
def hooks_settings(settings):
    return settings.replace(webhooks=WEBHOOKS, review={"banned_words": ["spamword"]})


@pytest.fixture
def runtime(hooks_settings, clock, engine, connection):
    """Overrides the suite's runtime for this folder: same rolled-back connection, webhook settings."""
    return Runtime(hooks_settings, clock=clock,
                   database=Database(hooks_settings.database, engine, connection=connection))


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime)


@pytest.fixture
def admin(runtime):
    return headers(make_key(runtime, "admin"))


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def deliverer(runtime):
    deliverer = Deliverer(runtime, worker_id="test-worker")
    yield deliverer
    deliverer.close()


def _comment_and_thread_events() -> list[str]:
    """Every type but thread.changed, which doubles each decision and lock: these tests count
    deliveries of the changes themselves (test_delivery subscribes to it explicitly)."""
    from moderation.events.service import EVENT_TYPES, THREAD_CHANGED

    return [t for t in EVENT_TYPES if t != THREAD_CHANGED]


def add_endpoint(client, admin, receiver: Receiver, events: list[str] | None = None, url: str | None = None) -> dict:
    response = client.post("/api/v1/admin/webhooks", headers=admin,
                           json={"url": url or receiver.url, "events": events or _comment_and_thread_events()})
    assert response.status_code == 201, response.json
    receiver.secret = response.json["secret"]
    return response.json


def deliver(deliverer: Deliverer) -> int:
    """Everything due now, as a worker would (fan-out, claims, attempts, results)."""
    from moderation.webhooks.worker import deliver_pending

    return deliver_pending(deliverer.runtime, deliverer)
