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
