"""PostgreSQL goes away and comes back: 503 "unavailable" fast, /readyz says so, and the
same process serves again once the database is back."""
import time

import pytest
from sqlalchemy.engine import make_url

from moderation.app import create_app
from moderation.db import Database
from moderation.runtime import Runtime
from tests.factories import headers, make_article, make_key
from tests.tcp_proxy import CuttableProxy


def test_database_outage_and_recovery(backend, settings, committed_runtime, clock):
    if backend != "postgres":
        pytest.skip("an outage of the database server is a PostgreSQL matter (SQLite is a file)")
    url = make_url(settings.database.url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied = settings.replace(database={"url": url.set(host="127.0.0.1", port=proxy.port)
                                         .render_as_string(hide_password=False), "timeout_seconds": 2.0})
    runtime = Runtime(proxied, clock=clock, database=Database(proxied.database))
    client = create_app(runtime=runtime).test_client()
    key = headers(make_key(runtime, "frontend"))
    make_article(runtime, "a-1")

    def post(n):
        return client.post("/api/v1/articles/a-1/comments", headers=key,
                           json={"author": {"id": "r", "name": "R"}, "body": f"commentaire {n}"})

    assert post(1).status_code == 202
    proxy.cut()
    started = time.monotonic()
    down = post(2)
    elapsed = time.monotonic() - started
    assert down.status_code == 503, down.json
    assert down.json["error"]["code"] == "unavailable"
    assert elapsed < proxied.database.timeout_seconds + 1  # answered, not hung
    readiness = client.get("/readyz")
    assert readiness.status_code == 503 and readiness.json["checks"]["database"]["ok"] is False
    # Reads of public pages fail the same clean way.
    assert client.get("/api/v1/articles/a-1").status_code == 503

    proxy.start()  # the database is back; no restart of the service
    recovered = post(3)
    assert recovered.status_code == 202, recovered.json
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/articles/a-1").status_code == 200
    runtime.db.dispose()
    proxy.cut()
