"""Rate limits, duplicates and idempotent retries (issue: reliability and security)."""
import pytest

from moderation.app import create_app
from moderation.db import Database
from moderation.runtime import Runtime
from tests.factories import headers, make_article, make_key


@pytest.fixture
def limited(settings, clock, engine, connection):
    def build(storage_uri="memory://", **ratelimit):
        limits = {"enabled": True, "storage_uri": storage_uri, "intake_per_author": "3/minute",
                  "intake_per_address": "5/minute", "moderation_per_key": "4/minute", **ratelimit}
        runtime = Runtime(settings.replace(ratelimit=limits), clock=clock,
                          database=Database(settings.database, engine, connection=connection))
        return runtime, create_app(runtime=runtime).test_client()
    return build


def post(client, key, author="reader-1", body=None, address=None, extra=None):
    post.n = getattr(post, "n", 0) + 1
    payload = {"author": {"id": author, "name": "R"}, "body": body or f"commentaire {post.n}"}
    if address:
        payload["reader_address"] = address
    return client.post("/api/v1/articles/a-1/comments", headers={**headers(key), **(extra or {})}, json=payload)


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379"])
def test_intake_limited_per_author_with_retry_after(limited, storage):
    if storage.startswith("redis"):
        import redis

        redis.Redis.from_url(storage).flushdb()
    runtime, client = limited(storage)
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    assert [post(client, key).status_code for _ in range(3)] == [202, 202, 202]
    limited_ = post(client, key)
    assert limited_.status_code == 429
    assert limited_.json["error"]["code"] == "rate_limited"
    assert int(limited_.headers["Retry-After"]) > 0
    assert post(client, key, author="someone-else").status_code == 202  # others are not affected


def test_intake_limited_per_reader_address_not_per_connection(limited):
    runtime, client = limited(intake_per_author="100/minute")
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    # Five readers behind the same address: the sixth comment is refused...
    codes = [post(client, key, author=f"r{i}", address="203.0.113.7").status_code for i in range(6)]
    assert codes == [202] * 5 + [429]
    # ...while readers at other addresses, relayed over the very same connection, go through.
    assert post(client, key, author="r-x", address="198.51.100.1").status_code == 202
    assert post(client, key, author="r-y").status_code == 202  # no address given: no address limit


def test_trusted_proxy_header(limited):
    runtime, client = limited(intake_per_author="100/minute", intake_per_address="2/minute", trusted_proxies=1)
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    forwarded = {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}  # the first entry is the client's claim
    codes = [post(client, key, author=f"r{i}", extra=forwarded).status_code for i in range(3)]
    assert codes == [202, 202, 429]


def test_moderation_limited_per_key(limited):
    runtime, client = limited()
    alice, bob = make_key(runtime, "moderator"), make_key(runtime, "moderator")
    codes = [client.get("/api/v1/moderation/queue", headers=headers(alice)).status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]
    assert client.get("/api/v1/moderation/queue", headers=headers(bob)).status_code == 200


def test_duplicate_refused_but_idempotent_retry_returns_the_original(client, runtime, clock):
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    first = post(client, key, body="Le même texte", extra={"Idempotency-Key": "k-1"})
    assert first.status_code == 202
    retry = post(client, key, body="Le même texte", extra={"Idempotency-Key": "k-1"})
    assert retry.status_code == 202 and retry.json["id"] == first.json["id"]
    duplicate = post(client, key, body="Le même texte")
    assert duplicate.status_code == 409 and duplicate.json["error"]["code"] == "duplicate"
    assert post(client, key, body="Le même texte", author="another").status_code == 202
    clock.advance(minutes=6)  # outside the window, the same words are a new comment
    assert post(client, key, body="Le même texte").status_code == 202


def test_closing_and_report_routes_are_limited_too(limited):
    """Issue 15: every route that changes state has a limit, declared by its blueprint."""
    runtime, client = limited(moderation_per_key="2/minute", frontend_per_key="3/minute",
                              reports_per_reporter="2/minute")
    moderator, site = headers(make_key(runtime, "moderator")), headers(make_key(runtime, "frontend"))
    make_article(runtime, "a-1")
    posted = post(client, make_key(runtime, "frontend"))
    assert posted.status_code == 202, posted.json
    comment_id = posted.json["id"]
    codes = [client.post("/api/v1/articles/a-1/lock", headers=moderator, json={}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    reports = [client.post(f"/api/v1/comments/{comment_id}/reports", headers=site,
                           json={"reporter_id": "same-reader", "reason": "spam"}).status_code for _ in range(3)]
    assert reports == [202, 409, 429]  # per reporter: the third is refused before it is looked at


def test_an_app_with_an_unlimited_state_changing_route_does_not_start(runtime):
    from flask.views import MethodView

    from moderation.ratelimit import install_rate_limits
    from moderation.web import Blueprint

    app = create_app(runtime=runtime)
    careless = Blueprint("careless", __name__)

    @careless.route("/careless")
    class Careless(MethodView):
        def post(self):
            return {}

    app.register_blueprint(careless)
    with pytest.raises(RuntimeError, match="has no rate limit"):
        install_rate_limits(app, runtime)


NESTED = b"[" * 1000 + b"]" * 1000


@pytest.mark.parametrize("path", ["/api/v1/articles/a-1/comments", "/api/v1/admin/webhooks"])
def test_deeply_nested_json_is_a_400_in_the_envelope_not_a_500(limited, path, caplog):
    """About 1 KB of "[" makes the JSON parser raise RecursionError, which is no ValueError:
    the body is malformed like any other, also for the rate limiter that reads it first."""
    runtime, client = limited()
    key = make_key(runtime, "frontend" if "comments" in path else "admin")
    make_article(runtime, "a-1")
    response = client.post(path, data=NESTED, headers={**headers(key), "Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.json["error"]["code"]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_deeply_nested_json_without_a_key_is_a_4xx(limited, caplog):
    runtime, client = limited()
    make_article(runtime, "a-1")
    response = client.post("/api/v1/articles/a-1/comments", data=NESTED, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert "error" in response.json
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_reads_no_limit_covers_skip_the_limiter_and_limited_ones_do_not(limited):
    # The public thread read has no limit (the filter answers without the limiter's storage);
    # a limited GET (the queue) and a limited POST on the same blueprint as the read still count.
    runtime, client = limited(intake_per_author="2/minute")
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    limiter = client.application.extensions["moderation.limiter"]
    resolved = []
    original = limiter.limit_manager.resolve_limits
    limiter.limit_manager.resolve_limits = lambda *args, **kwargs: resolved.append(args[1]) or original(*args,
                                                                                                       **kwargs)
    assert all(client.get("/api/v1/articles/a-1/comments").status_code == 200 for _ in range(10))
    assert all(client.get("/api/v1/articles/a-1").status_code == 200 for _ in range(10))
    assert resolved == []  # no limit was even looked up for the public reads
    assert [post(client, key).status_code for _ in range(3)] == [202, 202, 429]
    assert resolved == ["comments.ThreadComments"] * 3
    moderator = make_key(runtime, "moderator")
    codes = [client.get("/api/v1/moderation/queue", headers=headers(moderator)).status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]
