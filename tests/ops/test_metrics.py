"""Issue 11, points 1 and 4: /metrics is bounded and cheap; backlog figures in /metrics and /readyz."""
import random
import string
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event

from moderation.app import create_app
from moderation.db import Database
from moderation.runtime import Runtime
from tests.factories import make_article, make_comment


def http_series() -> set:
    return {(sample.name, tuple(sorted(sample.labels.items())))
            for family in REGISTRY.collect() if family.name.startswith("moderation_http")
            for sample in family.samples}


def invented(rng: random.Random, size: int = 8) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(size))


def flood(client, rng: random.Random, count: int) -> None:
    for _ in range(count):
        kind = rng.randrange(3)
        if kind == 0:  # an invented method on a real route
            client.open(f"/api/v1/articles/{invented(rng).lower()}", method=invented(rng))
        elif kind == 1:  # an invented method on an invented path
            client.open(f"/{invented(rng).lower()}/{invented(rng).lower()}", method=invented(rng))
        else:  # an invented path
            client.get(f"/{invented(rng).lower()}/{rng.randrange(10**9)}")


def test_invented_methods_and_paths_add_no_series(client):
    rng = random.Random(11)
    flood(client, rng, 30)  # each kind of request once at least: its series exist from here on
    before = http_series()
    flood(client, rng, 300)
    assert http_series() == before
    labels = [dict(labels) for _, labels in before]
    assert {"method": "other", "route": "unmatched", "status": "405"} in labels  # invented method, real route
    assert {"method": "GET", "route": "unmatched", "status": "404"} in labels


@pytest.fixture
def statements(engine):
    executed: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        executed.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield executed
    event.remove(engine, "before_cursor_execute", count)


def test_scrapes_read_the_database_at_most_every_refresh_seconds(client, app, runtime, clock, statements):
    article = make_article(runtime)
    make_comment(runtime, article)
    stats = app.extensions["moderation.stats"]
    statements.clear()
    first = client.get("/metrics").get_data(as_text=True)
    assert "moderation_comments_unscored 1.0" in first
    read = len(statements)
    assert read > 0 and stats.readings == 1
    for _ in range(20):
        assert client.get("/metrics").status_code == 200
        assert client.get("/readyz").json["checks"]["backlog"]["unscored"] == 1
    # /readyz reads the schema revision each time; the gauges come from the cache.
    assert not [s for s in statements[read:] if "comments" in s]
    assert stats.readings == 1

    make_comment(runtime, article)
    clock.advance(seconds=runtime.settings.metrics.refresh_seconds + 0.1)
    assert "moderation_comments_unscored 2.0" in client.get("/metrics").get_data(as_text=True)
    assert stats.readings == 2


def test_backlog_and_oldest_unscored_age_in_metrics_and_readyz(client, runtime, clock):
    article = make_article(runtime)
    make_comment(runtime, article)
    clock.advance(seconds=30)
    make_comment(runtime, article)
    clock.advance(seconds=60)
    text = client.get("/metrics").get_data(as_text=True)
    assert "moderation_comments_unscored 2.0" in text
    assert "moderation_scoring_oldest_unscored_age_seconds 90.0" in text
    assert "moderation_comments_scoring_failed 0.0" in text
    backlog = client.get("/readyz").json["checks"]["backlog"]
    assert backlog["unscored"] == 2 and backlog["oldest_unscored_age_seconds"] == 90.0
    assert backlog["scoring_failed"] == 0


def test_empty_backlog_has_age_zero(client):
    text = client.get("/metrics").get_data(as_text=True)
    assert "moderation_comments_unscored 0.0" in text
    assert "moderation_scoring_oldest_unscored_age_seconds 0.0" in text


def test_metrics_token(settings, clock, engine, connection):
    runtime = Runtime(settings.replace(metrics={"token": "s3cret-metrics-token"}), clock=clock,
                      database=Database(settings.database, engine, connection=connection))
    client = create_app(runtime=runtime).test_client()
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing.json["error"]["code"] == "unauthorized"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert allowed.status_code == 200 and "moderation_comments_waiting" in allowed.get_data(as_text=True)
    assert client.get("/readyz").status_code == 200  # probes need no token


def test_database_down_means_no_database_gauges_and_no_retry_before_refresh(settings, clock):
    broken = settings.replace(database={"url": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                                        "timeout_seconds": 1.0})
    runtime = Runtime(broken, clock=clock)
    app = create_app(runtime=runtime)
    client = app.test_client()
    text = client.get("/metrics").get_data(as_text=True)
    assert "moderation_comments_waiting" not in text and "moderation_http_requests_total" in text
    client.get("/metrics")
    assert app.extensions["moderation.stats"].readings == 1
    clock.advance(timedelta(seconds=10))
    client.get("/metrics")
    assert app.extensions["moderation.stats"].readings == 2


def test_database_up_gauge_says_whether_the_database_answers(client, settings, clock):
    """Issue 25, point 3: the alert "database unavailable" needs a series that is there when
    the database is not (the database gauges then vanish)."""
    assert "moderation_database_up 1.0" in client.get("/metrics").get_data(as_text=True)
    broken = settings.replace(database={"url": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                                        "timeout_seconds": 1.0})
    down = create_app(runtime=Runtime(broken, clock=clock)).test_client()
    assert "moderation_database_up 0.0" in down.get("/metrics").get_data(as_text=True)


def test_oldest_waiting_comment_age_in_metrics(client, runtime, clock):
    """Issue 25, point 3: the dashboard's queue age: how long the oldest waiting comment waits."""
    assert "moderation_queue_oldest_waiting_age_seconds 0.0" in client.get("/metrics").get_data(as_text=True)
    article = make_article(runtime)
    make_comment(runtime, article)
    clock.advance(seconds=120)
    make_comment(runtime, article)
    clock.advance(seconds=runtime.settings.metrics.refresh_seconds + 0.5)
    text = client.get("/metrics").get_data(as_text=True)
    expected = 120 + runtime.settings.metrics.refresh_seconds + 0.5
    assert f"moderation_queue_oldest_waiting_age_seconds {expected}" in text
    assert "moderation_comments_waiting 2.0" in text
