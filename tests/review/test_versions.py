"""Issue 10, point 1: a decision is taken on what the moderator saw (the comment's version)."""
import pytest
from sqlalchemy import select

from moderation.comments.models import Comment
from moderation.review import service
from moderation.scoring.language import LanguageDetector
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.factories import headers, make_article, make_comment, make_key

Q = "/api/v1/moderation"


@pytest.fixture
def alice(runtime):
    return headers(make_key(runtime, "moderator", "alice"))


@pytest.fixture
def bob(runtime):
    return headers(make_key(runtime, "moderator", "bob"))


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend", "site"))


def queue_item(client, key, comment_id):
    items = client.get(f"{Q}/queue", headers=key).json["items"]
    return next(item for item in items if item["comment"]["id"] == comment_id)


def version_of(runtime, comment_id):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(Comment.version).where(Comment.id == comment_id))


def test_a_report_that_arrived_meanwhile_refuses_a_decision_on_the_old_version(client, runtime, alice, bob, frontend):
    """A loads the queue; B approves; a reader reports it; A approves with expected_status=approved.

    With the status alone A's decision would clear a report A never saw; the version refuses it.
    """
    comment = make_comment(runtime, make_article(runtime))
    seen_by_alice = queue_item(client, alice, comment.id)["comment"]
    assert seen_by_alice["version"] == 1
    approved = client.post(f"{Q}/comments/{comment.id}/decision", headers=bob,
                           json={"action": "approve", "expected_version": 1})
    assert approved.status_code == 200 and approved.json["comment"]["version"] == 2
    assert client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                       json={"reporter_id": "r1", "reason": "abuse"}).status_code == 202
    stale = client.post(f"{Q}/comments/{comment.id}/decision", headers=alice,
                        json={"action": "approve", "expected_status": "approved", "expected_version": 1})
    assert stale.status_code == 409
    error = stale.json["error"]
    assert error["code"] == "conflict"
    assert error["details"]["current_status"] == "approved"
    assert error["details"]["current_version"] == 3
    assert error["details"]["decided_by"] == "bob"
    assert error["details"]["last_action"]["action"] == "approve" and error["details"]["last_action"]["actor"] == "bob"
    # The report is still open and the comment still waits: nothing was overwritten.
    again = queue_item(client, alice, comment.id)
    assert again["comment"]["version"] == 3 and len(again["reports"]) == 1
    fresh = client.post(f"{Q}/comments/{comment.id}/decision", headers=alice,
                        json={"action": "reject", "expected_version": 3})
    assert fresh.status_code == 200 and fresh.json["comment"]["status"] == "rejected"


def test_expected_status_alone_still_works_for_existing_clients(client, runtime, alice):
    comment = make_comment(runtime, make_article(runtime))
    assert client.post(f"{Q}/comments/{comment.id}/decision", headers=alice,
                       json={"action": "approve"}).status_code == 200  # "pending" is assumed
    reversed_ = client.post(f"{Q}/comments/{comment.id}/decision", headers=alice,
                            json={"action": "reject", "expected_status": "approved"})
    assert reversed_.status_code == 200
    wrong = client.post(f"{Q}/comments/{comment.id}/decision", headers=alice,
                        json={"action": "approve", "expected_status": "approved"})
    assert wrong.status_code == 409 and wrong.json["error"]["details"]["current_status"] == "rejected"


def test_every_change_bumps_the_version(client, runtime, alice, frontend):
    admin = headers(make_key(runtime, "admin"))
    article = make_article(runtime)
    comment = make_comment(runtime, article, author_id="writer", body="Un commentaire en français, merci.")
    assert version_of(runtime, comment.id) == 1
    assert score_pending(runtime, FakeScorer(), LanguageDetector(["fr", "en"]), "w") == 1
    assert version_of(runtime, comment.id) == 2  # a score
    client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend, json={"reporter_id": "r", "reason": "spam"})
    assert version_of(runtime, comment.id) == 3  # a report
    client.post(f"{Q}/comments/{comment.id}/decision", headers=alice, json={"action": "approve", "expected_version": 3})
    assert version_of(runtime, comment.id) == 4  # a decision
    client.post(f"{Q}/authors/erase", headers=admin, json={"author_id": "writer"})
    assert version_of(runtime, comment.id) == 5  # an erasure


def test_comment_reads_carry_the_version(client, runtime, frontend):
    comment = make_comment(runtime, make_article(runtime))
    assert client.get(f"/api/v1/comments/{comment.id}", headers=frontend).json["version"] == 1


def test_bulk_decisions_check_each_expected_version(client, runtime, alice):
    article = make_article(runtime)
    first, second = make_comment(runtime, article), make_comment(runtime, article)
    response = client.post(f"{Q}/decisions", headers=alice, json={"decisions": [
        {"comment_id": first.id, "action": "approve", "expected_version": 1},
        {"comment_id": second.id, "action": "approve", "expected_version": 7}]})
    results = response.json["results"]
    assert results[0]["ok"] and results[0]["version"] == 2
    assert not results[1]["ok"] and results[1]["error"]["code"] == "conflict"
    assert results[1]["error"]["details"]["current_version"] == 1


def test_the_service_refuses_a_stale_version_directly(runtime):
    comment = make_comment(runtime, make_article(runtime))
    with runtime.db.transaction() as session:
        service.decide(session, comment.id, "approve", "alice", None, runtime.now(), expected_version=1)
    from moderation.errors import Conflict

    with pytest.raises(Conflict):
        with runtime.db.transaction() as session:
            service.decide(session, comment.id, "reject", "bob", None, runtime.now(), expected_version=1)


def test_the_openapi_document_describes_versions(client):
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    assert "expected_version" in schemas["DecisionIn"]["properties"]
    assert "version" in schemas["QueueComment"]["properties"]
    assert "version" in schemas["FullComment"]["properties"]
