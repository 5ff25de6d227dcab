import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.audit.models import AuditEntry
from moderation.closing.jobs import sweep
from tests.conftest import T0
from tests.factories import headers, make_article, make_key


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend"))


@pytest.fixture
def moderator(runtime):
    return headers(make_key(runtime, "moderator", "alice"))


_bodies = itertools.count()


def post_comment(client, frontend, article_id="a-1"):
    return client.post(f"/api/v1/articles/{article_id}/comments", headers=frontend,
                       json={"author": {"id": "r1", "name": "Léa"}, "body": f"Bonjour n°{next(_bodies)}"})


def audit(runtime, **filters):
    with runtime.db.transaction(write=False) as session:
        query = select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)
        return list(session.scalars(query))


def test_deadline_exact_to_the_second(client, frontend, runtime, clock):
    make_article(runtime, "a-1", published_at=T0)
    deadline = T0 + timedelta(hours=72)
    clock.set(deadline - timedelta(seconds=1))
    assert post_comment(client, frontend).status_code == 202
    clock.set(deadline)
    refused = post_comment(client, frontend)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "comments_closed"
    assert refused.json["error"]["details"]["closes_at"] == "2026-11-28T08:00:00Z"
    clock.set(deadline + timedelta(seconds=1))
    assert post_comment(client, frontend).status_code == 409
    # No job has run: the refusal comes from the deadline itself, and the status says so.
    status = client.get("/api/v1/articles/a-1").json["comments"]
    assert status["open"] is False and status["locked_at"] is None


def test_per_article_override_through_the_api(client, frontend, clock):
    client.put("/api/v1/articles/a-1", headers=frontend,
               json={"title": "Court", "published_at": T0.isoformat(), "close_after_hours": 0.5})
    clock.set(T0 + timedelta(minutes=30) - timedelta(seconds=1))
    assert post_comment(client, frontend).status_code == 202
    clock.set(T0 + timedelta(minutes=30))
    assert post_comment(client, frontend).status_code == 409


def test_put_moving_published_at_moves_the_deadline(client, frontend, clock):
    body = {"title": "T", "published_at": T0.isoformat()}
    client.put("/api/v1/articles/a-1", headers=frontend, json=body)
    clock.set(T0 + timedelta(hours=73))
    assert post_comment(client, frontend).status_code == 409
    body["published_at"] = (T0 + timedelta(hours=24)).isoformat()
    moved = client.put("/api/v1/articles/a-1", headers=frontend, json=body)
    assert moved.json["comments"]["closes_at"] == "2026-11-29T08:00:00Z"
    assert post_comment(client, frontend).status_code == 202


def test_manual_lock_and_unlock(client, frontend, moderator, runtime, clock):
    make_article(runtime, "a-1", published_at=T0)
    locked = client.post("/api/v1/articles/a-1/lock", headers=moderator, json={"reason": "débat hors de contrôle"})
    assert locked.status_code == 200
    assert locked.json["comments"]["lock_reason"] == "manual"
    assert locked.json["comments"]["open"] is False
    assert locked.json["comments"]["locked_at"] == "2026-11-25T08:00:00Z"
    assert post_comment(client, frontend).status_code == 409
    again = client.post("/api/v1/articles/a-1/lock", headers=moderator, json={})
    assert again.status_code == 200

    clock.advance(hours=1)
    unlocked = client.post("/api/v1/articles/a-1/unlock", headers=moderator, json={"close_after_hours": 2})
    assert unlocked.status_code == 200
    assert unlocked.json["comments"]["open"] is True
    assert unlocked.json["comments"]["closes_at"] == "2026-11-25T11:00:00Z"  # now (09:00) + 2 h
    assert post_comment(client, frontend).status_code == 202
    actions = [(entry.action, entry.actor) for entry in audit(runtime, article_id="a-1")]
    assert actions == [("lock", "alice"), ("unlock", "alice")]


def test_unlock_a_thread_closed_by_its_deadline_uses_the_site_window(client, frontend, moderator, runtime, clock):
    make_article(runtime, "a-1", published_at=T0)
    clock.set(T0 + timedelta(hours=100))
    assert sweep(runtime) == ["a-1"]
    assert client.get("/api/v1/articles/a-1").json["comments"]["lock_reason"] == "auto"
    unlocked = client.post("/api/v1/articles/a-1/unlock", headers=moderator, json={})
    assert unlocked.json["comments"]["closes_at"] == "2026-12-02T12:00:00Z"  # now + 72 h
    assert post_comment(client, frontend).status_code == 202
    # The frontend re-sending the article does not undo the reopening.
    client.put("/api/v1/articles/a-1", headers=frontend, json={"title": "T", "published_at": T0.isoformat()})
    assert post_comment(client, frontend).status_code == 202


def test_lock_and_unlock_need_a_moderator(client, frontend, runtime):
    make_article(runtime, "a-1")
    assert client.post("/api/v1/articles/a-1/lock", json={}).status_code == 401
    assert client.post("/api/v1/articles/a-1/lock", headers=frontend, json={}).status_code == 403
    admin = headers(make_key(runtime, "admin"))
    assert client.post("/api/v1/articles/a-1/lock", headers=admin, json={}).status_code == 200
    assert client.post("/api/v1/articles/missing/unlock", headers=admin, json={}).status_code == 404
    bad = client.post("/api/v1/articles/a-1/unlock", headers=admin, json={"close_after_hours": -2})
    assert bad.status_code == 422
