"""/api/v1/admin/webhooks: endpoints, secrets shown once, test events, history, redelivery."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from moderation.audit.models import AuditEntry
from moderation.events.models import DomainEvent
from tests.factories import headers, make_article, make_comment, make_key
from tests.webhooks.conftest import add_endpoint, deliver
from tests.webhooks.receiver import Receiver

BASE = "/api/v1/admin/webhooks"


def test_create_shows_the_secret_once(client, admin, receiver):
    created = client.post(BASE, headers=admin, json={"url": receiver.url, "events": ["comment.approved"],
                                                     "description": "Site cache"})
    assert created.status_code == 201
    body = created.json
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    Webhook(body["secret"])  # a secret the library accepts
    assert body["url"] == receiver.url and body["events"] == ["comment.approved"] and body["state"] == "active"
    assert body["description"] == "Site cache" and body["disabled_reason"] is None
    shown = client.get(f"{BASE}/{body['id']}", headers=admin).json
    assert "secret" not in shown and shown["events"] == ["comment.approved"]
    listed = client.get(BASE, headers=admin)
    assert [e["id"] for e in listed.json["items"]] == [body["id"]]
    assert body["secret"] not in listed.get_data(as_text=True)


@pytest.mark.parametrize("payload,field", [
    ({"url": "ftp://example.org/x", "events": ["thread.locked"]}, "url"),
    ({"url": "https://user:pw@example.org/x", "events": ["thread.locked"]}, "url"),
    ({"url": "example.org/hooks", "events": ["thread.locked"]}, "url"),
    ({"url": "https://example.org:99999/x", "events": ["thread.locked"]}, "url"),
    ({"url": "https://example.org/x", "events": ["comment.eaten"]}, "events"),
    ({"url": "https://example.org/x", "events": []}, "events"),
    ({"url": "https://example.org/x"}, "events"),
    ({"url": "https://example.org/x", "events": ["thread.locked"], "secret": "mine"}, "secret"),
])
def test_invalid_endpoints_are_422_with_the_field(client, admin, payload, field):
    response = client.post(BASE, headers=admin, json=payload)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"]


@pytest.mark.parametrize("role,status", [("moderator", 403), ("frontend", 403), (None, 401)])
def test_only_admins(runtime, client, role, status):
    auth = headers(make_key(runtime, role)) if role else {}
    for method, path in (("GET", BASE), ("POST", BASE), ("GET", f"{BASE}/1"), ("PATCH", f"{BASE}/1"),
                         ("POST", f"{BASE}/1/disable"), ("POST", f"{BASE}/1/rotate-secret"),
                         ("POST", f"{BASE}/1/test"), ("GET", f"{BASE}/1/deliveries"), ("GET", f"{BASE}/1/attempts"),
                         ("POST", f"{BASE}/1/deliveries/1/redeliver")):
        response = client.open(path, method=method, headers=auth, json={})
        assert response.status_code == status, (method, path)
        assert response.json["error"]["code"] in ("forbidden", "unauthorized")


def test_unknown_endpoint_and_delivery_are_404(client, admin, receiver):
    assert client.get(f"{BASE}/999", headers=admin).json["error"]["code"] == "not_found"
    assert client.get(f"{BASE}/{2**70}", headers=admin).status_code == 404
    endpoint = add_endpoint(client, admin, receiver)
    assert client.post(f"{BASE}/{endpoint['id']}/deliveries/12345/redeliver", headers=admin).status_code == 404
    assert client.post(f"{BASE}/{endpoint['id']}/redeliver", headers=admin,
                       json={"event_id": "evt_nothing"}).status_code == 409


def test_update_disable_and_enable(client, admin, receiver):
    endpoint = add_endpoint(client, admin, receiver)
    path = f"{BASE}/{endpoint['id']}"
    changed = client.patch(path, headers=admin, json={"events": ["thread.locked", "thread.reopened"],
                                                      "description": "Cache"})
    assert changed.status_code == 200
    assert changed.json["events"] == ["thread.locked", "thread.reopened"] and changed.json["description"] == "Cache"
    assert client.patch(path, headers=admin, json={"url": "gopher://x"}).status_code == 422
    disabled = client.post(f"{path}/disable", headers=admin, json={"reason": "site migration"})
    assert disabled.json["state"] == "disabled" and disabled.json["disabled_reason"] == "site migration"
    assert client.post(f"{path}/test", headers=admin).status_code == 409
    assert client.patch(path, headers=admin, json={"active": True}).json["state"] == "active"
    assert client.patch(path, headers=admin, json={"active": False}).json["state"] == "disabled"
    assert client.post(f"{path}/enable", headers=admin).json["state"] == "active"


def test_test_event_is_signed_and_delivered(client, admin, receiver, deliverer):
    endpoint = add_endpoint(client, admin, receiver)
    queued = client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
    assert queued.status_code == 202 and queued.json["state"] == "pending"
    deliver(deliverer)
    [received] = receiver.verified()
    assert received.payload["type"] == "webhook.test"
    assert received.payload["data"] == {"event_id": queued.json["event_id"], "article_id": None,
                                        "endpoint_id": endpoint["id"]}
    assert received.webhook_id == queued.json["event_id"]


def test_rotation_signs_with_both_secrets_for_a_while(runtime, client, admin, receiver, clock, deliverer):
    endpoint = add_endpoint(client, admin, receiver)
    old = receiver.secret
    rotated = client.post(f"{BASE}/{endpoint['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    new = rotated.json["secret"]
    assert new != old and new.startswith("whsec_") and rotated.json["previous_secret_expires_at"]
    client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
    deliver(deliverer)  # the receiver still knows only the old secret
    assert len(receiver.verified()) == 1
    Webhook(new).verify(receiver.requests[0].body, receiver.requests[0].headers)  # and the new one verifies too
    clock.advance(hours=runtime.settings.webhooks.previous_secret_hours + 1)
    client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
    deliver(deliverer)
    assert [r.status for r in receiver.requests] == [200, 401]  # the old secret no longer signs
    receiver.secret = new
    clock.advance(hours=1)
    deliver(deliverer)
    assert len(receiver.verified()) == 2


def test_deliveries_and_attempts_are_listed_newest_first_with_pages(runtime, client, admin, receiver, deliverer):
    endpoint = add_endpoint(client, admin, receiver)
    for _ in range(3):
        client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
    deliver(deliverer)
    path = f"{BASE}/{endpoint['id']}/deliveries"
    first = client.get(path, headers=admin, query_string={"limit": 2}).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(path, headers=admin, query_string={"limit": 2, "cursor": first["next_cursor"]}).json
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    item = first["items"][0]
    assert item["state"] == "delivered" and item["attempts"] == 1 and item["last_status"] == 200
    assert item["last_latency_ms"] is not None and item["delivered_at"] and item["payload"]["type"] == "webhook.test"
    assert client.get(path, headers=admin, query_string={"state": "pending"}).json["items"] == []
    assert client.get(path, headers=admin, query_string={"state": "lost"}).status_code == 422
    assert client.get(path, headers=admin, query_string={"cursor": "nonsense"}).status_code == 422
    attempts = client.get(f"{BASE}/{endpoint['id']}/attempts", headers=admin, query_string={"limit": 2}).json
    assert len(attempts["items"]) == 2 and attempts["next_cursor"]
    wrong = client.get(f"{BASE}/{endpoint['id']}/attempts", headers=admin,
                       query_string={"cursor": first["next_cursor"]})
    assert wrong.status_code == 422  # a deliveries cursor is not an attempts cursor


def test_manual_redelivery_of_a_delivery_and_of_an_event(runtime, client, admin, receiver, deliverer):
    endpoint = add_endpoint(client, admin, receiver)
    moderator = headers(make_key(runtime, "moderator"))
    article = make_article(runtime)
    comment = make_comment(runtime, article)
    client.post(f"{BASE}/{endpoint['id']}/disable", headers=admin, json={})
    client.post(f"/api/v1/articles/{article}/lock", headers=moderator, json={})  # while disabled: not queued
    deliver(deliverer)
    client.post(f"{BASE}/{endpoint['id']}/enable", headers=admin)
    client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator, json={"action": "approve"})
    deliver(deliverer)
    assert [r.payload["type"] for r in receiver.verified()] == ["comment.approved"]

    [delivery] = client.get(f"{BASE}/{endpoint['id']}/deliveries", headers=admin).json["items"]
    again = client.post(f"{BASE}/{endpoint['id']}/deliveries/{delivery['id']}/redeliver", headers=admin)
    assert again.status_code == 202 and again.json["state"] == "pending"
    with runtime.db.transaction(write=False) as session:
        missed = session.scalars(select(DomainEvent.event_id).where(DomainEvent.type == "thread.locked")).one()
    by_event = client.post(f"{BASE}/{endpoint['id']}/redeliver", headers=admin, json={"event_id": missed})
    assert by_event.status_code == 202 and by_event.json["event_type"] == "thread.locked"
    deliver(deliverer)
    assert receiver.counts()[delivery["event_id"]] == 2  # the same webhook-id: receivers can tell it again
    assert receiver.counts()[missed] == 1
    with runtime.db.transaction(write=False) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("webhook_%"))))
    assert {"webhook_create", "webhook_disable", "webhook_enable", "webhook_redeliver"} <= set(actions)


def test_secrets_never_reach_the_logs(runtime, client, admin, caplog, deliverer):
    caplog.set_level(logging.DEBUG)
    with Receiver(statuses=[500]) as receiver:
        endpoint = add_endpoint(client, admin, receiver)
        rotated = client.post(f"{BASE}/{endpoint['id']}/rotate-secret", headers=admin).json["secret"]
        client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
        deliver(deliverer)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "failed: HTTP 500" in logged
    for secret in (endpoint["secret"], rotated, endpoint["secret"][6:], rotated[6:]):
        assert secret not in logged
    assert receiver.url not in logged


def test_metrics_and_readyz_show_backlog_and_failures(runtime, client, admin, clock, deliverer):
    with Receiver(statuses=[503]) as receiver:
        endpoint = add_endpoint(client, admin, receiver)
        client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
        client.post(f"{BASE}/{endpoint['id']}/test", headers=admin)
        text = client.get("/metrics").get_data(as_text=True)
        assert "moderation_webhook_deliveries_pending 2.0" in text
        deliver(deliverer)
        text = client.get("/metrics").get_data(as_text=True)
        assert 'moderation_webhook_endpoints{state="failing"} 1.0' in text
        assert 'moderation_webhook_attempts_total{outcome="failed"}' in text
        ready = client.get("/readyz")
        assert ready.status_code == 200
        check = ready.json["checks"]["webhooks"]
        assert check["pending"] == 2 and check["failing_endpoints"] == 1 and check["failed"] == 0
        clock.advance(timedelta(minutes=5))
        deliver(deliverer)
    assert "moderation_webhook_deliveries_pending 0.0" in client.get("/metrics").get_data(as_text=True)
    assert client.get("/readyz").json["checks"]["webhooks"]["failing_endpoints"] == 0
