"""Cacheable public reads (issue 24, point 1): the thread and the article's status carry a strong
ETag from the article's thread version, Cache-Control and Surrogate-Key; If-None-Match answers
304; every change a reader could see bumps the version (one test per kind of change), and
nothing else does."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.articles import service as articles
from moderation.articles.models import Article
from moderation.events.models import DomainEvent
from tests.factories import headers, make_article, make_comment, make_key

THREAD = "/api/v1/articles/a-1/comments"
ARTICLE = "/api/v1/articles/a-1"


@pytest.fixture
def keys(runtime):
    return {"site": headers(make_key(runtime, "frontend", "site")),
            "alice": headers(make_key(runtime, "moderator", "alice")),
            "admin": headers(make_key(runtime, "admin", "dpo"))}


@pytest.fixture
def thread(runtime):
    article = make_article(runtime, "a-1")
    return [make_comment(runtime, article, status="approved", author_id=f"r-{n}") for n in range(3)]


def tags(client, path=THREAD):
    response = client.get(path)
    assert response.status_code == 200
    return response.headers["ETag"]


def still_current(client, tag, path=THREAD):
    return client.get(path, headers={"If-None-Match": tag}).status_code == 304


def changed_events(runtime):
    with runtime.db.transaction(write=False) as session:
        return list(session.scalars(select(DomainEvent.data).where(DomainEvent.type == "thread.changed")
                                    .order_by(DomainEvent.id)))


def test_public_reads_carry_validators_and_caching_headers(client, thread):
    for path in (THREAD, ARTICLE):
        response = client.get(path)
        assert response.headers["ETag"].startswith('"') and response.headers["ETag"].endswith('"')
        assert response.headers["Cache-Control"] == "public, max-age=5, stale-while-revalidate=30"
        assert response.headers["Surrogate-Key"] == "article-a-1"


def test_if_none_match_answers_304_without_a_body(client, thread):
    for path in (THREAD, ARTICLE):
        tag = tags(client, path)
        revalidated = client.get(path, headers={"If-None-Match": tag})
        assert revalidated.status_code == 304 and revalidated.data == b""
        assert revalidated.headers["ETag"] == tag and revalidated.headers["Surrogate-Key"] == "article-a-1"
        assert client.get(path, headers={"If-None-Match": '"other", ' + tag}).status_code == 304
        assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_each_page_and_order_has_its_own_validator(client, thread):
    assert len({tags(client, THREAD), tags(client, THREAD + "?order=newest"),
                tags(client, THREAD + "?limit=2")}) == 3


def test_the_revalidation_of_an_unknown_article_is_a_404(client):
    response = client.get("/api/v1/articles/nowhere/comments", headers={"If-None-Match": '"x"'})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_max_age_is_configured(settings, clock, engine, connection):
    from moderation.app import create_app
    from moderation.db import Database
    from moderation.runtime import Runtime

    runtime = Runtime(settings.replace(public={"max_age": 60, "stale_while_revalidate": 0}), clock=clock,
                      database=Database(settings.database, engine, connection=connection))
    make_article(runtime, "a-1")
    response = create_app(runtime=runtime).test_client().get(THREAD)
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=0"


def test_approval_changes_both_validators_and_announces_it(client, runtime, thread, keys):
    waiting = make_comment(runtime, "a-1")
    before = {path: tags(client, path) for path in (THREAD, ARTICLE)}
    assert client.post(f"/api/v1/moderation/comments/{waiting.id}/decision", headers=keys["alice"],
                       json={"action": "approve"}).status_code == 200
    for path, tag in before.items():
        assert not still_current(client, tag, path)
    assert client.get(THREAD).json["count"] == 4 and client.get(ARTICLE).json["comments"]["count"] == 4
    assert changed_events(runtime)[-1] == {"reason": "comment_published"}


def test_unpublishing_changes_the_validator(client, runtime, thread, keys):
    tag = tags(client)
    assert client.post(f"/api/v1/moderation/comments/{thread[0].id}/decision", headers=keys["alice"],
                       json={"action": "reject", "expected_status": "approved"}).status_code == 200
    assert not still_current(client, tag)
    assert client.get(THREAD).json["count"] == 2


def test_undo_changes_the_validator(client, runtime, thread, keys):
    waiting = make_comment(runtime, "a-1")
    client.post(f"/api/v1/moderation/comments/{waiting.id}/decision", headers=keys["alice"],
                json={"action": "approve"})
    tag = tags(client)
    from moderation.review import service as review

    with runtime.db.transaction() as session:  # the console's undo (u)
        review.undo_decision(session, waiting.id, "alice", runtime.now(), timedelta(minutes=5))
    assert not still_current(client, tag)
    assert client.get(THREAD).json["count"] == 3


def test_erasure_changes_the_validator(client, runtime, thread, keys):
    tag = tags(client)
    assert client.post("/api/v1/moderation/authors/erase", headers=keys["admin"],
                       json={"author_id": "r-1"}).status_code == 200
    assert not still_current(client, tag)
    assert client.get(THREAD).json["count"] == 2


def test_lock_and_reopen_change_the_article_validator(client, runtime, thread, keys):
    tag = tags(client, ARTICLE)
    assert client.post("/api/v1/articles/a-1/lock", headers=keys["alice"], json={}).status_code == 200
    assert not still_current(client, tag, ARTICLE)
    tag = tags(client, ARTICLE)
    assert client.post("/api/v1/articles/a-1/unlock", headers=keys["alice"], json={}).status_code == 200
    assert not still_current(client, tag, ARTICLE)
    assert [e["reason"] for e in changed_events(runtime)][-2:] == ["thread_locked", "thread_reopened"]


def test_the_sweep_changes_the_article_validator(client, runtime, clock, thread):
    from moderation.closing.jobs import sweep

    tag = tags(client, ARTICLE)
    clock.advance(hours=73)
    assert sweep(runtime) == ["a-1"]
    assert not still_current(client, tag, ARTICLE)
    assert client.get(ARTICLE).json["comments"]["open"] is False


@pytest.mark.parametrize("change", [{"published_at": "2026-11-25T10:00:00+00:00"}, {"close_after_hours": 24},
                                    {"title": "Un autre titre"}, {"quiet_hours": False}])
def test_a_change_of_the_articles_public_fields_changes_the_validator(client, runtime, thread, keys, change):
    # The article as registered (tests/factories.py), then exactly one field changed.
    same = {"title": "Un article", "published_at": (runtime.now() - timedelta(hours=1)).isoformat()}
    assert client.put(ARTICLE, headers=keys["site"], json=same).status_code == 200
    tag = tags(client, ARTICLE)
    assert client.put(ARTICLE, headers=keys["site"], json=same).status_code == 200
    assert still_current(client, tag, ARTICLE)  # the same fields again change nothing
    assert client.put(ARTICLE, headers=keys["site"], json={**same, **change}).status_code == 200
    assert not still_current(client, tag, ARTICLE)


def test_the_deadline_passing_changes_the_article_validator_without_any_write(client, runtime, clock, thread):
    tag = tags(client, ARTICLE)
    clock.advance(hours=72)
    assert not still_current(client, tag, ARTICLE)  # closed now, though nothing was written


def test_changes_readers_cannot_see_keep_the_validators(client, runtime, thread, keys):
    before = {path: tags(client, path) for path in (THREAD, ARTICLE)}
    pending = make_comment(runtime, "a-1")  # a new comment waits for review: not public
    client.post(f"/api/v1/moderation/comments/{pending.id}/decision", headers=keys["alice"],
                json={"action": "reject"})  # rejected before anyone saw it
    client.post(f"/api/v1/comments/{thread[0].id}/reports", headers=keys["site"],
                json={"reporter_id": "x", "reason": "spam"})  # reported: still public
    for path, tag in before.items():
        assert still_current(client, tag, path), path


def test_the_maintained_count_is_the_counted_one(client, runtime, thread, keys):
    with runtime.db.transaction(write=False) as session:
        article = session.get(Article, "a-1")
        assert article.approved_count == articles.counted_approved(session, "a-1") == 3


def test_the_document_describes_the_304_and_the_headers(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/articles/{article_id}/comments", "/api/v1/articles/{article_id}"):
        responses = spec["paths"][path]["get"]["responses"]
        assert "304" in responses
        assert {"ETag", "Cache-Control", "Surrogate-Key"} <= set(responses["200"]["headers"])
