"""Author names cannot carry bidirectional overrides, embeddings or isolates (which would
reorder what follows them on the page, e.g. "Alice\u202eredom" shown as "Alicemoder");
bodies keep every right-to-left character and control as sent."""
import json

import pytest

from moderation.comments.models import Comment
from tests.factories import headers, make_article, make_key

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend"))


@pytest.fixture
def article(runtime):
    return make_article(runtime, "a-1")


def post(client, frontend, name, body="Très bon article."):
    return client.post("/api/v1/articles/a-1/comments", headers=frontend,
                       json={"author": {"id": "reader-1", "name": name}, "body": body})


def approve(runtime, comment_id):
    with runtime.db.transaction() as session:
        comment = session.get(Comment, comment_id)
        comment.status, comment.awaiting_review = "approved", False


def test_name_comes_back_without_a_right_to_left_override(client, frontend, article, runtime):
    response = post(client, frontend, "Alice\u202eredom")
    assert response.status_code == 202
    full = client.get(f"/api/v1/comments/{response.json['id']}", headers=frontend).json
    assert full["author"]["name"] == "Aliceredom"
    approve(runtime, response.json["id"])
    assert client.get("/api/v1/articles/a-1/comments").json["comments"][0]["author"]["name"] == "Aliceredom"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_every_override_embedding_and_isolate_is_removed_from_names(client, frontend, article, control):
    response = post(client, frontend, f"{control}Bob{control} Martin")
    full = client.get(f"/api/v1/comments/{response.json['id']}", headers=frontend).json
    assert full["author"]["name"] == "Bob Martin"


def test_name_keeps_right_to_left_letters_and_marks(client, frontend, article):
    # The marks U+200E/U+200F are strong characters, not controls: they cannot reorder
    # anything beyond their neighbours, and a Hebrew or Arabic name may need them.
    name = "\u05d3\u05e0\u05d4 \u05db\u05d4\u05df\u200f (\u0639\u0644\u064a)\u200e"
    response = post(client, frontend, f"\u2067{name}\u2069")
    full = client.get(f"/api/v1/comments/{response.json['id']}", headers=frontend).json
    assert full["author"]["name"] == name


def test_name_of_controls_only_is_empty(client, frontend, article):
    response = post(client, frontend, f"{BIDI_CONTROLS} \u202e")
    assert response.status_code == 422
    assert "author" in response.json["error"]["details"]


def test_hebrew_and_arabic_body_with_marks_and_controls_round_trips_byte_for_byte(client, frontend, article,
                                                                                  runtime):
    body = ("\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\u200f 2026!\n"
            "\u0645\u0631\u062d\u0628\u0627 \u200fCH-1000\u200f \u0628\u0627\u0644\u0639\u0627\u0644\u0645.\n"
            "\u202bquote\u202c \u2067\u05e2\u05d1\u05e8\u05d9\u05ea\u2069 \u202eoverride\u202c \u200elatin\u200e")
    response = post(client, frontend, "\u05d3\u05e0\u05d4", body=body)
    assert response.status_code == 202
    comment_id = response.json["id"]
    assert client.get(f"/api/v1/comments/{comment_id}", headers=frontend).json["body"] == body
    approve(runtime, comment_id)
    thread = client.get("/api/v1/articles/a-1/comments")
    assert thread.json["comments"][0]["body"] == body
    assert json.dumps(body, ensure_ascii=False)[1:-1].encode("utf-8") in thread.get_data()
