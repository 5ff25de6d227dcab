import json

import pytest
from sqlalchemy import func, select

from moderation.comments.models import Comment
from tests.factories import headers, make_article, make_comment, make_key


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend"))


@pytest.fixture
def article(runtime):
    return make_article(runtime, "a-1")


def post(client, frontend, article_id="a-1", extra_headers=None, **body):
    body.setdefault("author", {"id": "reader-1", "name": "Léa"})
    body.setdefault("body", "Très bon article.")
    return client.post(f"/api/v1/articles/{article_id}/comments", json=body,
                       headers={**frontend, **(extra_headers or {})})


def count_comments(runtime):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Comment))


def test_post_is_accepted_and_pending(client, frontend, article, runtime):
    response = post(client, frontend)
    assert response.status_code == 202
    assert response.json["status"] == "pending"
    assert response.json["article_id"] == "a-1"
    assert response.json["parent_id"] is None
    assert response.json["created_at"] == "2026-11-25T08:00:00Z"
    full = client.get(f"/api/v1/comments/{response.json['id']}", headers=frontend)
    assert full.json["status"] == "pending"
    assert full.json["author"] == {"id": "reader-1", "name": "Léa"}


def test_unicode_survives_byte_for_byte(client, frontend, article, runtime):
    body = "Ça alors 😀👍🏽 — l’œuvre «Zoë»\nשלום עולם\tمرحبا بالعالم 🇨🇭"
    response = post(client, frontend, body=body, author={"id": "é-1", "name": "Zoë 🦊"})
    comment_id = response.json["id"]
    make_approved(runtime, comment_id)
    thread = client.get("/api/v1/articles/a-1/comments")
    assert thread.json["comments"][0]["body"] == body
    assert thread.json["comments"][0]["author"] == {"name": "Zoë 🦊"}
    # Not \u-escaped either: the JSON carries the UTF-8 bytes themselves.
    assert json.dumps(body, ensure_ascii=False)[1:-1].encode("utf-8") in thread.get_data()


def test_body_is_normalised(client, frontend, article, runtime):
    decomposed = "Cafe\u0301\r\nligne\x00 deux\x07"
    response = post(client, frontend, body=decomposed)
    full = client.get(f"/api/v1/comments/{response.json['id']}", headers=frontend)
    assert full.json["body"] == "Café\nligne deux"


def test_html_is_kept_as_text(client, frontend, article):
    body = "<script>alert('x')</script> <b>gras</b>"
    response = post(client, frontend, body=body)
    assert client.get(f"/api/v1/comments/{response.json['id']}", headers=frontend).json["body"] == body


@pytest.mark.parametrize("body", ["", "   \n\t ", "\x00\x01"])
def test_empty_body_is_422(client, frontend, article, body):
    response = post(client, frontend, body=body)
    assert response.status_code == 422
    assert "body" in response.json["error"]["details"]


def test_body_length_limit(client, frontend, article, runtime):
    assert post(client, frontend, body="é" * 5000).status_code == 202
    too_long = post(client, frontend, body="é" * 5001)
    assert too_long.status_code == 422
    assert "body" in too_long.json["error"]["details"]


def test_lone_surrogate_is_422_not_500(client, frontend, article):
    raw = '{"author": {"id": "r", "name": "n"}, "body": "bad \\ud800 text"}'
    response = client.post("/api/v1/articles/a-1/comments", data=raw,
                           headers={**frontend, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert "body" in response.json["error"]["details"]


@pytest.mark.parametrize("payload,field", [
    ({"author": {"id": "r"}}, "author"),
    ({"author": "reader"}, "author"),
    ({"body": 12}, "body"),
    ({"parent_id": "x"}, "parent_id"),
    ({"parent_id": 1.5}, "parent_id"),
    ({"extra": True}, "extra"),
])
def test_schema_violations(client, frontend, article, payload, field):
    response = post(client, frontend, **payload)
    assert response.status_code == 422
    assert field in response.json["error"]["details"], response.json


def test_malformed_json_is_400(client, frontend, article):
    response = client.post("/api/v1/articles/a-1/comments", data='{"body": "x",',
                           headers={**frontend, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"


def test_body_that_is_not_an_object(client, frontend, article):
    response = client.post("/api/v1/articles/a-1/comments", data="[1, 2]",
                           headers={**frontend, "Content-Type": "application/json"})
    assert response.status_code == 422


def test_oversized_request_is_413(client, frontend, article, runtime):
    body = "x" * (runtime.settings.api.max_request_bytes + 1)
    response = post(client, frontend, body=body)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert count_comments(runtime) == 0


def test_unknown_article_is_404(client, frontend):
    response = post(client, frontend, article_id="missing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_parent_must_be_approved_in_same_article(client, frontend, article, runtime):
    other = make_article(runtime, "a-2")
    pending = make_comment(runtime, article)
    approved = make_comment(runtime, article, status="approved")
    elsewhere = make_comment(runtime, other, status="approved")
    for parent in (pending.id, elsewhere.id, 999999):
        response = post(client, frontend, parent_id=parent)
        # Well-formed, but the parent's state forbids it: 409 (a 422 would say the request is malformed).
        assert response.status_code == 409 and response.json["error"]["code"] == "invalid_parent"
        assert response.json["error"]["details"] == {"parent_id": parent}
    reply = post(client, frontend, parent_id=approved.id)
    assert reply.status_code == 202
    assert reply.json["parent_id"] == approved.id


def test_idempotency_key_returns_the_same_comment(client, frontend, article, runtime):
    first = post(client, frontend, extra_headers={"Idempotency-Key": "abc-123"})
    again = post(client, frontend, extra_headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 202
    assert first.json == again.json
    assert count_comments(runtime) == 1
    other_author = post(client, frontend, extra_headers={"Idempotency-Key": "abc-123"},
                        author={"id": "someone-else", "name": "X"})
    assert other_author.status_code == 422  # the IETF draft: same key, different request
    assert other_author.json["error"]["code"] == "idempotency_key_reused"
    assert count_comments(runtime) == 1


def test_invalid_idempotency_key(client, frontend, article):
    response = post(client, frontend, extra_headers={"Idempotency-Key": "x" * 201})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["error"]["details"]


def test_comment_requires_frontend(client, runtime, article):
    assert post(client, {}).status_code == 401
    assert post(client, headers(make_key(runtime, "moderator"))).status_code == 403


def test_get_comment_404_and_auth(client, frontend, runtime):
    assert client.get("/api/v1/comments/12345", headers=frontend).status_code == 404
    assert client.get("/api/v1/comments/99999999999999999999999", headers=frontend).status_code == 404
    assert client.get("/api/v1/comments/1").status_code == 401


def make_approved(runtime, comment_id):
    with runtime.db.transaction() as session:
        comment = session.get(Comment, comment_id)
        comment.status, comment.awaiting_review = "approved", False


def test_public_thread_lists_approved_only_with_pagination(client, runtime, article, clock):
    ids = []
    for i in range(7):
        clock.advance(seconds=1)
        comment = make_comment(runtime, article, body=f"commentaire {i}",
                               status="approved" if i != 3 else None)
        ids.append(comment.id)
    approved = [cid for i, cid in enumerate(ids) if i != 3]
    seen, cursor = [], None
    while True:
        url = "/api/v1/articles/a-1/comments?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url)
        assert page.status_code == 200
        assert page.json["count"] == 6
        for item in page.json["comments"]:
            assert set(item) == {"id", "parent_id", "author", "body", "created_at", "featured"}
            assert set(item["author"]) == {"name"}
        seen += [c["id"] for c in page.json["comments"]]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    assert seen == approved
    newest = client.get("/api/v1/articles/a-1/comments?order=newest&limit=100")
    assert [c["id"] for c in newest.json["comments"]] == approved[::-1]
    assert client.get("/api/v1/articles/a-1").json["comments"]["count"] == 6


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "order=best", "cursor=%%%", "cursor=WzFd",
                                   "cursor=WyIyMDI2LTExLTI1VDA4OjAwOjAwIiwxXQ"])
def test_thread_query_validation(client, article, query):
    response = client.get(f"/api/v1/articles/a-1/comments?{query}")
    assert response.status_code == 422, query
    assert response.json["error"]["code"] == "validation_error"


def test_thread_of_unknown_article_is_404(client):
    assert client.get("/api/v1/articles/zzz/comments").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/articles/a%00b", "/api/v1/articles/a%00b/comments", "/api/v1/articles/é"])
def test_impossible_article_ids_are_404_not_500(client, frontend, path):
    assert client.get(path).status_code == 404
    posted = client.post(f"{path}/comments" if not path.endswith("comments") else path, headers=frontend,
                         json={"author": {"id": "r", "name": "R"}, "body": "x"})
    assert posted.status_code == 404 and posted.json["error"]["code"] == "not_found"
