"""Issue 10, point 6: Idempotency-Key as the IETF draft "The Idempotency-Key HTTP Header Field" says."""
import pytest
from sqlalchemy import func, select

from moderation.comments.models import Comment
from tests.factories import headers, make_article, make_key

BODY = {"author": {"id": "reader", "name": "Lectrice"}, "body": "Très bon article."}


@pytest.fixture
def site_a(runtime):
    make_article(runtime, "a-1")
    return make_key(runtime, "frontend", "site-a")


@pytest.fixture
def site_b(runtime):
    return make_key(runtime, "frontend", "site-b")


def post(client, key, idempotency_key, body=BODY):
    return client.post("/api/v1/articles/a-1/comments", json=body,
                       headers=headers(key, **{"Idempotency-Key": idempotency_key}))


def count(runtime):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Comment))


def test_a_key_is_scoped_to_the_api_key_that_sent_it(client, runtime, site_a, site_b):
    first = post(client, site_a, "1")
    other_site = post(client, site_b, "1", body={**BODY, "author": {"id": "someone", "name": "S"}})
    assert first.status_code == other_site.status_code == 202
    assert first.json["id"] != other_site.json["id"]
    assert count(runtime) == 2


def test_the_same_key_and_request_returns_the_original_response(client, runtime, site_a):
    first = post(client, site_a, "k-1")
    again = post(client, site_a, "k-1")
    assert again.status_code == 202 and again.json == first.json
    assert count(runtime) == 1


@pytest.mark.parametrize("change", [
    {"body": "Un autre texte."},
    {"author": {"id": "reader", "name": "Autre nom"}},
    {"reader_address": "203.0.113.5"},
])
def test_the_same_key_with_another_request_is_422_and_stores_nothing(client, runtime, site_a, change):
    assert post(client, site_a, "k-2").status_code == 202
    reused = post(client, site_a, "k-2", body={**BODY, **change})
    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"
    assert count(runtime) == 1


def test_the_same_key_for_another_article_is_another_request(client, runtime, site_a):
    make_article(runtime, "a-2")
    assert post(client, site_a, "k-3").status_code == 202
    other = client.post("/api/v1/articles/a-2/comments", json=BODY,
                        headers=headers(site_a, **{"Idempotency-Key": "k-3"}))
    assert other.status_code == 422 and other.json["error"]["code"] == "idempotency_key_reused"


def test_the_error_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    post_op = spec["paths"]["/api/v1/articles/{article_id}/comments"]["post"]
    assert "idempotency_key_reused" in post_op["responses"]["422"]["description"]


def test_concurrent_retries_all_get_the_original_comment(committed_runtime):
    """A client retrying a timed-out post several times at once: every retry answers with the
    one stored comment (never a 409 duplicate, never a second comment), on both databases —
    on PostgreSQL the duplicate check's lock makes the later retries wait for the first."""
    import threading

    from moderation.app import create_app

    runtime = committed_runtime
    app = create_app(runtime=runtime)
    make_article(runtime, "a-1")
    key = make_key(runtime, "frontend", "site-a")
    for round_ in range(5):
        barrier, answers = threading.Barrier(6), []

        def retry():
            client = app.test_client()
            barrier.wait()
            answers.append(post(client, key, f"retry-{round_}",
                                body={**BODY, "body": f"Commentaire envoyé {round_} fois."}))

        threads = [threading.Thread(target=retry) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert [a.status_code for a in answers] == [202] * 6, (round_, [a.json for a in answers])
        assert len({a.json["id"] for a in answers}) == 1
    assert count(runtime) == 5
