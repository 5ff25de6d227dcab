from tests.factories import headers, make_article, make_comment, make_key


def test_request_id_is_returned_and_generated(client):
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert given.headers["X-Request-Id"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert len(generated.headers["X-Request-Id"]) == 32


def test_metrics_in_prometheus_format(client, runtime):
    article = make_article(runtime)
    make_comment(runtime, article)
    client.get(f"/api/v1/articles/{article}")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'moderation_http_requests_total{method="GET",route="/api/v1/articles/{article_id}",status="200"}' in text
    assert "moderation_http_request_duration_seconds_bucket" in text
    assert "moderation_comments_waiting 1.0" in text
    assert "moderation_comments_unscored 1.0" in text
    assert "moderation_scoring_batch_seconds" in text and "moderation_threads_locked_total" in text


def test_readyz_reports_database_and_migrations(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["database"]["ok"] is True
    assert ready.json["checks"]["migrations"]["ok"] is True


def test_cors_is_off_by_default(client):
    response = client.get("/api/v1/articles/x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_only_for_listed_origins(settings, clock, engine, connection):
    from moderation.app import create_app
    from moderation.db import Database
    from moderation.runtime import Runtime

    runtime = Runtime(settings.replace(api={"cors_origins": ["https://www.24heures.example"]}), clock=clock,
                      database=Database(settings.database, engine, connection=connection))
    client = create_app(runtime=runtime).test_client()
    allowed = client.options("/api/v1/articles/x/comments", headers={"Origin": "https://www.24heures.example",
                                                                    "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.24heures.example"
    other = client.get("/api/v1/articles/x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_logs_carry_no_bodies_or_keys(client, runtime, caplog):
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    caplog.set_level("DEBUG")
    secret_body = "Texte très personnel 4242"
    client.post("/api/v1/articles/a-1/comments", headers=headers(key),
                json={"author": {"id": "r", "name": "R"}, "body": secret_body})
    client.post("/api/v1/articles/a-1/comments", headers=headers(key), data="{bad json")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /api/v1/articles/{article_id}/comments 202" in logged
    assert secret_body not in logged and key not in logged
