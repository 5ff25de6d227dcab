"""The per-process cache of serialised thread pages (issue 24, point 2): a page is served from
it while the thread version stays, and every kind of change a reader could see (the cases of
test_public_reads) makes the next read serve the new page, byte for byte what an app without
the cache serves."""
from datetime import timedelta

import pytest

from moderation.app import create_app
from moderation.caching.service import BodyCache
from moderation.comments import service as comments
from moderation.db import Database
from moderation.runtime import Runtime
from tests.caching.test_public_reads import THREAD, keys, thread  # noqa: F401  (fixtures)
from tests.factories import make_comment

PAGES = (THREAD, THREAD + "?order=newest", THREAD + "?limit=2")


@pytest.fixture
def uncached(settings, clock, engine, connection):
    """An app over the same database that keeps no page: what a fresh read serves."""
    runtime = Runtime(settings.replace(public={"body_cache_bytes": 0}), clock=clock,
                      database=Database(settings.database, engine, connection=connection))
    return create_app(runtime=runtime).test_client()


def served(client):
    return {path: client.get(path).data for path in PAGES}


def test_a_page_is_read_once_per_version(client, runtime, thread, monkeypatch):  # noqa: F811
    first = served(client)
    assert len(runtime.thread_bodies) == 3

    def no_query(*_args, **_kwargs):
        raise AssertionError("the page was read again")

    monkeypatch.setattr(comments, "list_public", no_query)
    assert served(client) == first
    response = client.get(THREAD)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json["count"] == 3 and len(response.json["comments"]) == 3


def _approve(client, runtime, thread, keys):  # noqa: F811
    waiting = make_comment(runtime, "a-1")
    assert client.post(f"/api/v1/moderation/comments/{waiting.id}/decision", headers=keys["alice"],
                       json={"action": "approve"}).status_code == 200


def _unpublish(client, runtime, thread, keys):  # noqa: F811
    assert client.post(f"/api/v1/moderation/comments/{thread[0].id}/decision", headers=keys["alice"],
                       json={"action": "reject", "expected_status": "approved"}).status_code == 200


def _undo(client, runtime, thread, keys):  # noqa: F811
    from moderation.review import service as review

    with runtime.db.transaction() as session:  # the console's undo (u) of the last approval
        review.undo_decision(session, thread[-1].id, "factory", runtime.now(), timedelta(minutes=5))


def _erase(client, runtime, thread, keys):  # noqa: F811
    assert client.post("/api/v1/moderation/authors/erase", headers=keys["admin"],
                       json={"author_id": "r-1"}).status_code == 200


def _lock(client, runtime, thread, keys):  # noqa: F811
    assert client.post("/api/v1/articles/a-1/lock", headers=keys["alice"], json={}).status_code == 200


def _change_article(client, runtime, thread, keys):  # noqa: F811
    assert client.put("/api/v1/articles/a-1", headers=keys["site"], json={
        "title": "Un autre titre", "published_at": (runtime.now() - timedelta(hours=1)).isoformat()}
    ).status_code == 200


@pytest.mark.parametrize("change", [_approve, _unpublish, _undo, _erase, _lock, _change_article])
def test_every_change_readers_see_serves_the_new_page(client, uncached, runtime, thread, keys, change):  # noqa: F811
    before = served(client)
    assert before == served(uncached)
    change(client, runtime, thread, keys)
    after = served(client)
    assert after == served(uncached)  # byte for byte what a fresh read serves
    if change not in (_lock, _change_article):  # these change no comment, only the version
        assert after != before


def test_the_cache_is_bounded_in_bytes_least_recently_used_out_first():
    cache = BodyCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # a is now the most recently used
    cache.put("c", b"1234")
    assert cache.get("b") is None and cache.get("a") == b"1234" and cache.get("c") == b"1234"
    assert cache.size == 8
    cache.put("big", b"x" * 11)  # larger than the cache: not kept, nothing evicted
    assert cache.get("big") is None and len(cache) == 2
    off = BodyCache(max_bytes=0)
    off.put("a", b"1")
    assert off.get("a") is None and len(off) == 0
