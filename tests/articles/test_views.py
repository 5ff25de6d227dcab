from datetime import timedelta

import pytest

from tests.conftest import T0
from tests.factories import headers, make_key


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend"))


def put(client, frontend, article_id="a-1", **body):
    body.setdefault("title", "Le Conseil fédéral décide")
    body.setdefault("published_at", "2026-11-25T09:00:00+01:00")
    return client.put(f"/api/v1/articles/{article_id}", json=body, headers=frontend)


def test_put_creates_then_updates(client, frontend):
    created = put(client, frontend, url="https://example.ch/a-1", language="fr")
    assert created.status_code == 201
    assert created.json["published_at"] == "2026-11-25T08:00:00Z"  # stored and returned in UTC
    assert created.json["comments"] == {"open": True, "closes_at": "2026-11-28T08:00:00Z", "locked_at": None,
                                        "lock_reason": None, "count": 0, "paused": False, "resumes_at": None}
    assert created.json["quiet_hours"] is True
    updated = put(client, frontend, title="Nouveau titre")
    assert updated.status_code == 200
    assert updated.json["title"] == "Nouveau titre"
    assert updated.json["url"] == "https://example.ch/a-1"  # fields not sent are kept


def test_get_is_public_and_404_for_unknown(client, frontend):
    put(client, frontend)
    assert client.get("/api/v1/articles/a-1").status_code == 200
    missing = client.get("/api/v1/articles/nope")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"


def test_override_moves_the_deadline(client, frontend):
    response = put(client, frontend, close_after_hours=0.5)
    assert response.json["comments"]["closes_at"] == "2026-11-25T08:30:00Z"
    assert response.json["close_after_hours"] == 0.5
    back_to_site_window = put(client, frontend, close_after_hours=None)
    assert back_to_site_window.json["comments"]["closes_at"] == "2026-11-28T08:00:00Z"


@pytest.mark.parametrize("published_at", ["2026-11-25T09:00:00", "yesterday", 12345, None, "2026-13-01T00:00:00Z"])
def test_published_at_needs_an_offset(client, frontend, published_at):
    response = put(client, frontend, published_at=published_at)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert "published_at" in response.json["error"]["details"]


@pytest.mark.parametrize("body,field", [
    ({"title": ""}, "title"),
    ({"title": 5}, "title"),
    ({"close_after_hours": -1}, "close_after_hours"),
    ({"close_after_hours": 0}, "close_after_hours"),
    ({"close_after_hours": 8760.5}, "close_after_hours"),
    ({"published_at": "1969-12-31T23:59:59Z"}, "published_at"),
    ({"published_at": "2101-01-01T00:00:00+01:00"}, "published_at"),
    ({"url": "https://exemple.ch/a b"}, "url"),
    ({"close_after_hours": "soon"}, "close_after_hours"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"language": "français!"}, "language"),
    ({"color": "red"}, "color"),
])
def test_invalid_fields_are_named(client, frontend, body, field):
    response = put(client, frontend, **body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["details"]


def test_invalid_article_id(client, frontend):
    """An id that cannot be an article id matches no route: the same 404 for every method,
    and the OpenAPI document states the pattern (one converter for both)."""
    for bad in ("a" * 129, "a%20b", "é"):
        response = put(client, frontend, article_id=bad)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert put(client, frontend, article_id="ok.id:with-all_chars").status_code == 201
    spec = client.get("/api/v1/openapi.json").json
    parameter = spec["paths"]["/api/v1/articles/{article_id}"]["parameters"][0]
    assert parameter["schema"]["pattern"] == "^[A-Za-z0-9._:\\-]{1,128}$"


def test_put_requires_frontend_key(client, runtime):
    assert put(client, {}).status_code == 401
    assert put(client, headers("mod_not-a-key")).status_code == 401
    moderator = headers(make_key(runtime, "moderator"))
    forbidden = put(client, moderator)
    assert forbidden.status_code == 403
    assert forbidden.json["error"]["code"] == "forbidden"
    assert put(client, headers(make_key(runtime, "admin"))).status_code == 201


def test_unicode_title_round_trip(client, frontend):
    title = "Zürich: l’été 🌞 — مرحبا"
    response = put(client, frontend, title=title)
    assert response.json["title"] == title
    assert client.get("/api/v1/articles/a-1").get_data().decode("utf-8").count(title) == 1


def test_published_in_the_future_is_open(client, frontend, clock):
    response = put(client, frontend, published_at=(T0 + timedelta(days=1)).isoformat())
    assert response.json["comments"]["open"] is True
