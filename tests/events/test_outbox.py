"""Every announced change writes its event in the same transaction (the outbox)."""
from sqlalchemy import select

from moderation.events.models import DomainEvent
from tests.factories import headers, make_article, make_comment, make_key


def _events(runtime):
    with runtime.db.transaction(write=False) as session:
        return [(e.type, e.article_id, e.data) for e in session.scalars(select(DomainEvent).order_by(DomainEvent.id))]


def test_decisions_reports_locks_bans_and_erasure_publish_events(runtime, client):
    moderator = headers(make_key(runtime, "moderator"))
    admin = headers(make_key(runtime, "admin"))
    frontend = headers(make_key(runtime, "frontend"))
    article = make_article(runtime)
    comment = make_comment(runtime, article, author_id="reader-1")
    assert client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator,
                       json={"action": "approve"}).status_code == 200
    assert client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                       json={"reporter_id": "r", "reason": "spam"}).status_code == 202
    assert client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator,
                       json={"action": "reject", "expected_status": "approved"}).status_code == 200
    assert client.post(f"/api/v1/articles/{article}/lock", headers=moderator, json={}).status_code == 200
    assert client.post(f"/api/v1/articles/{article}/unlock", headers=moderator, json={}).status_code == 200
    assert client.post("/api/v1/moderation/authors/reader-1/ban", headers=moderator, json={}).status_code == 200
    assert client.post("/api/v1/moderation/authors/reader-1/erase", headers=admin).status_code == 200
    types = [t for t, _, _ in _events(runtime) if t != "thread.changed"]
    assert types == ["comment.approved", "comment.reported", "comment.rejected", "comment.unpublished",
                     "thread.locked", "thread.reopened", "author.banned", "author.erased"]
    # What readers see changed four times: the site purges its CDN on each (issue 24).
    assert [d["reason"] for t, _, d in _events(runtime) if t == "thread.changed"] == [
        "comment_published", "comment_unpublished", "thread_locked", "thread_reopened"]
    for _, article_id, data in _events(runtime):
        assert "body" not in data and "author_name" not in data
        assert article_id in (article, None)


def test_a_refused_change_publishes_nothing(runtime, client):
    moderator = headers(make_key(runtime, "moderator"))
    comment = make_comment(runtime, make_article(runtime))
    response = client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator,
                           json={"action": "approve", "expected_status": "rejected"})
    assert response.status_code == 409
    assert _events(runtime) == []


def test_the_sweep_publishes_one_lock_per_thread(runtime):
    from datetime import timedelta

    from moderation.closing.jobs import sweep

    articles = [make_article(runtime, published_at=runtime.now() - timedelta(hours=80)) for _ in range(3)]
    assert sorted(sweep(runtime)) == sorted(articles)
    assert sorted(a for t, a, d in _events(runtime) if t == "thread.locked" and d == {"reason": "deadline"}) \
        == sorted(articles)
