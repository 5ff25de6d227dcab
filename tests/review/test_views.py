
import pytest
from sqlalchemy import select, text

from moderation.app import create_app
from moderation.audit.models import AuditEntry
from moderation.comments.models import Comment
from moderation.runtime import Runtime
from moderation.schemas import LOG_CURSORS, QUEUE_CURSORS
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.factories import headers, make_article, make_comment, make_key

Q = "/api/v1/moderation"


@pytest.fixture
def moderator(runtime):
    return headers(make_key(runtime, "moderator", "alice"))


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend"))


def decide(client, moderator, comment_id, action="approve", **body):
    return client.post(f"{Q}/comments/{comment_id}/decision", headers=moderator, json={"action": action, **body})


def log_entries(runtime, **filters):
    with runtime.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)))


def test_queue_item_shape_and_total(client, moderator, runtime, clock):
    article = make_article(runtime, "a-1", title="Votations")
    make_comment(runtime, article, author_id="bob", status="approved")
    make_comment(runtime, article, author_id="bob", status="rejected")
    waiting = make_comment(runtime, article, author_id="bob", author_name="Bob", body="Quel débat!")
    page = client.get(f"{Q}/queue", headers=moderator)
    assert page.status_code == 200
    assert page.json["total"] == 1 and page.json["next_cursor"] is None
    item = page.json["items"][0]
    assert item["comment"]["id"] == waiting.id
    assert item["comment"]["author"] == {"id": "bob", "name": "Bob"}
    assert item["scores"] is None and item["language"] is None  # unscored, and marked so
    assert item["article"] == {"id": "a-1", "title": "Votations", "closes_at": "2026-11-28T07:00:00Z",
                               "open": True, "locked_at": None}
    assert item["author_history"] == {"approved": 1, "rejected": 1}
    assert item["reports"] == [] and item["flagged_words"] == []


def test_queue_orders_and_filters(client, moderator, runtime, clock):
    article = make_article(runtime, "a-1")
    other = make_article(runtime, "a-2")
    bodies = ["Merci pour l'article.", "C'est stupide et nul, idiot.", "Un peu nul.", "Das ist gut."]
    ids = []
    for body in bodies:
        clock.advance(seconds=10)
        ids.append(make_comment(runtime, article, body=body).id)
    clock.advance(seconds=10)
    unscored = make_comment(runtime, other, body="Pas encore noté").id
    from moderation.scoring.language import LanguageDetector

    detector = LanguageDetector(["fr", "de"])
    with runtime.db.transaction() as session:  # score all but the last
        far = "'9999-01-01 00:00:00'" if runtime.db.is_sqlite else "'9999-01-01'"
        session.execute(text(f"UPDATE comments SET claimed_by = 'hold', claim_expires_at = {far} "
                             f"WHERE id = {unscored}"))
    score_pending(runtime, FakeScorer(), detector, "w")

    def listing(query):
        response = client.get(f"{Q}/queue?{query}", headers=moderator)
        assert response.status_code == 200, response.json
        return [item["comment"]["id"] for item in response.json["items"]]

    assert listing("") == ids + [unscored]
    assert listing("order=newest") == [unscored] + ids[::-1]
    by_toxicity = listing("order=toxicity")
    assert by_toxicity[0] == ids[1] and by_toxicity[-1] == unscored  # most toxic first, unscored last
    assert listing("article_id=a-2") == [unscored]
    assert listing("language=de") == [ids[3]]
    assert listing("min_toxicity=0.3") == [ids[1], ids[2]]
    assert listing("max_toxicity=0.1") == [ids[0], ids[3]]
    assert client.get(f"{Q}/queue?min_toxicity=0.3", headers=moderator).json["total"] == 2


@pytest.mark.parametrize("order", ["oldest", "newest", "toxicity"])
def test_keyset_pagination_neither_skips_nor_repeats_while_deciding(client, moderator, runtime, clock, order):
    article = make_article(runtime, "a-1")
    for i in range(25):
        clock.advance(seconds=1)
        make_comment(runtime, article, body="idiot " * (i % 4) + f"commentaire {i}")
    score_pending(runtime, FakeScorer(), None, "w")
    score_pending(runtime, FakeScorer(), None, "w")
    expected = [item["comment"]["id"] for item in
                client.get(f"{Q}/queue?order={order}&limit=100", headers=moderator).json["items"]]
    assert len(expected) == 25
    seen, cursor = [], None
    while True:
        url = f"{Q}/queue?order={order}&limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=moderator).json
        ids = [item["comment"]["id"] for item in page["items"]]
        seen += ids
        # Decide the first item of each page before asking for the next one.
        if ids:
            assert decide(client, moderator, ids[0], "reject").status_code == 200
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == expected


def test_decision_conflict_and_reversal(client, moderator, runtime, frontend):
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article)
    approved = decide(client, moderator, comment.id, "approve", reason="ok")
    assert approved.status_code == 200
    assert approved.json["comment"]["status"] == "approved" and approved.json["previous_status"] == "pending"
    assert client.get("/api/v1/articles/a-1").json["comments"]["count"] == 1
    assert len(client.get("/api/v1/articles/a-1/comments").json["comments"]) == 1

    bob = headers(make_key(runtime, "moderator", "bob"))
    conflict = decide(client, bob, comment.id, "reject")
    assert conflict.status_code == 409
    error = conflict.json["error"]
    assert error["code"] == "conflict"
    assert error["details"]["current_status"] == "approved" and error["details"]["decided_by"] == "alice"

    reversed_ = decide(client, bob, comment.id, "reject", expected_status="approved", reason="en fait non")
    assert reversed_.status_code == 200
    assert client.get("/api/v1/articles/a-1").json["comments"]["count"] == 0
    entries = log_entries(runtime, comment_id=comment.id)
    assert [(e.actor, e.action, e.previous_status, e.new_status) for e in entries] == [
        ("alice", "approve", "pending", "approved"), ("bob", "reject", "approved", "rejected")]


def test_decision_errors(client, moderator, runtime, frontend):
    assert decide(client, moderator, 999999).status_code == 404
    assert decide(client, moderator, 1, "maybe").status_code == 422
    assert decide(client, moderator, 1, expected_status="gone").status_code == 422
    assert decide(client, frontend, 1).status_code == 403
    assert decide(client, {}, 1).status_code == 401


def test_moderators_may_decide_on_locked_threads(client, moderator, runtime):
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article)
    assert client.post("/api/v1/articles/a-1/lock", headers=moderator, json={}).status_code == 200
    assert decide(client, moderator, comment.id).status_code == 200


def test_bulk_decisions_each_on_its_own(client, moderator, runtime):
    article = make_article(runtime, "a-1")
    first = make_comment(runtime, article)
    second = make_comment(runtime, article, status="approved")
    response = client.post(f"{Q}/decisions", headers=moderator, json={"decisions": [
        {"comment_id": first.id, "action": "approve"},
        {"comment_id": second.id, "action": "reject"},  # expects pending, is approved
        {"comment_id": 424242, "action": "reject"},
    ]})
    assert response.status_code == 200
    results = response.json["results"]
    assert results[0]["ok"] is True and results[0]["status"] == "approved"
    assert results[1]["ok"] is False and results[1]["error"]["code"] == "conflict"
    assert results[2]["ok"] is False and results[2]["error"]["code"] == "not_found"
    assert len(log_entries(runtime, action="approve", actor="alice")) == 1
    too_many = client.post(f"{Q}/decisions", headers=moderator,
                           json={"decisions": [{"comment_id": 1, "action": "approve"}] * 101})
    assert too_many.status_code == 422
    assert client.post(f"{Q}/decisions", headers=moderator, json={"decisions": []}).status_code == 422


def test_reports_bring_an_approved_comment_back(client, moderator, frontend, runtime):
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article, status="approved")
    report = client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                         json={"reporter_id": "reader-9", "reason": "abuse", "note": "insultant"})
    assert report.status_code == 202
    again = client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                        json={"reporter_id": "reader-9", "reason": "spam"})
    assert again.status_code == 409
    assert client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                       json={"reporter_id": "reader-9", "reason": "because"}).status_code == 422
    assert client.post("/api/v1/comments/777777/reports", headers=frontend,
                       json={"reporter_id": "r", "reason": "spam"}).status_code == 404
    queue = client.get(f"{Q}/queue?reported=true", headers=moderator).json
    assert [i["comment"]["id"] for i in queue["items"]] == [comment.id]
    assert queue["items"][0]["reports"][0]["reason"] == "abuse"
    # Still public until a moderator rejects it.
    assert client.get("/api/v1/articles/a-1").json["comments"]["count"] == 1
    kept = decide(client, moderator, comment.id, "approve", expected_status="approved", reason="acceptable")
    assert kept.status_code == 200
    assert client.get(f"{Q}/queue", headers=moderator).json["total"] == 0  # reports cleared


def test_banned_words_reject_automatically_and_suspect_words_flag(runtime, settings, clock, connection, moderator):
    from moderation.db import Database

    runtime = Runtime(settings.replace(review={"banned_words": ["connard"], "suspect_words": ["mafia"]}),
                      clock=clock, database=Database(settings.database, runtime.db.engine, connection=connection))
    client = create_app(runtime=runtime).test_client()
    frontend = headers(make_key(runtime, "frontend"))
    make_article(runtime, "a-1")

    def post(body):
        return client.post("/api/v1/articles/a-1/comments", headers=frontend,
                           json={"author": {"id": "r", "name": "R"}, "body": body})

    for body in ("Quel Connard!", "CONNARD", "espèce de connârd"):
        response = post(body)
        assert response.status_code == 202 and response.json["status"] == "rejected", body
    assert post("Scunthorpe-connardise et connards").json["status"] == "pending"
    flagged = post("La Mafia du béton")
    assert flagged.json["status"] == "pending"
    queue = client.get(f"{Q}/queue", headers=moderator).json
    assert {tuple(i["flagged_words"]) for i in queue["items"]} == {(), ("mafia",)}
    entries = log_entries(runtime, action="reject")
    assert len(entries) == 3 and all(e.actor == "auto" and e.reason == "banned word: connard" for e in entries)


def test_ban_and_unban(client, moderator, frontend, runtime):
    make_article(runtime, "a-1")
    banned = client.post(f"{Q}/authors/troll-1/ban", headers=moderator, json={"reason": "spam"})
    assert banned.status_code == 200 and banned.json["banned"] is True
    posted = client.post("/api/v1/articles/a-1/comments", headers=frontend,
                         json={"author": {"id": "troll-1", "name": "T"}, "body": "Encore moi"})
    assert posted.status_code == 403 and posted.json["error"]["code"] == "author_banned"
    assert client.post(f"{Q}/authors/troll-1/unban", headers=moderator, json={}).json["banned"] is False
    posted = client.post("/api/v1/articles/a-1/comments", headers=frontend,
                         json={"author": {"id": "troll-1", "name": "T"}, "body": "Encore moi"})
    assert posted.status_code == 202
    assert [e.action for e in log_entries(runtime, author_id="troll-1")] == ["ban", "unban"]
    assert client.post(f"{Q}/authors/troll-1/ban", headers=frontend, json={}).status_code == 403


def test_erase_author(client, moderator, runtime):
    admin = headers(make_key(runtime, "admin", "dpo"))
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article, author_id="gdpr", author_name="Jean Dupont", body="Mon avis")
    decide(client, moderator, comment.id)
    assert client.post(f"{Q}/authors/gdpr/erase", headers=moderator).status_code == 403
    erased = client.post(f"{Q}/authors/gdpr/erase", headers=admin)
    assert erased.status_code == 200 and erased.json["erased_comments"] == 1
    with runtime.db.transaction(write=False) as session:
        row = session.get(Comment, comment.id)
        assert row.body == "" and row.author_name == "" and row.status == "approved"
    assert client.get("/api/v1/articles/a-1/comments").json["comments"] == []
    # The trail keeps its structure under a tombstone: the decision is still there, and the
    # erasure is added; the id itself finds nothing any more.
    assert log_entries(runtime, author_id="gdpr") == []
    tombstone = row.author_id
    assert tombstone.startswith("erased:")
    assert [e.action for e in log_entries(runtime, author_id=tombstone)] == ["approve", "erase"]


def test_audit_log_listing_and_append_only(client, moderator, runtime):
    article = make_article(runtime, "a-1")
    ids = [make_comment(runtime, article).id for _ in range(5)]
    for comment_id in ids:
        decide(client, moderator, comment_id, "reject")
    seen, cursor = [], None
    while True:
        page = client.get(f"{Q}/log?limit=2&action=reject" + (f"&cursor={cursor}" if cursor else ""),
                          headers=moderator).json
        seen += [entry["comment_id"] for entry in page["entries"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::-1]
    only = client.get(f"{Q}/log?comment_id={ids[0]}&actor=alice", headers=moderator).json["entries"]
    assert len(only) == 1 and only[0]["previous_status"] == "pending" and only[0]["new_status"] == "rejected"
    assert client.get(f"{Q}/log?cursor=bogus", headers=moderator).status_code == 422
    with pytest.raises(Exception, match="append-only"):
        with runtime.db.transaction() as session:
            session.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    with pytest.raises(Exception, match="append-only"):
        with runtime.db.transaction() as session:
            session.execute(text("DELETE FROM audit_log"))


def test_queue_validation(client, moderator, runtime):
    log_cursor = LOG_CURSORS.encode("log", [5])
    for query in ("order=random", "limit=500", "min_toxicity=2", "cursor=xyz", "reported=perhaps",
                  "min_toxicity=0.1&min_toxicity=0.2", f"cursor={log_cursor}"):
        response = client.get(f"{Q}/queue?{query}", headers=moderator)
        assert response.status_code == 422, query
    # A cursor carries the order it continues: it cannot be mixed up with another order.
    oldest_cursor = QUEUE_CURSORS.encode("oldest", [runtime.now(), 1])
    assert client.get(f"{Q}/queue?order=toxicity&cursor={oldest_cursor}", headers=moderator).status_code == 200


def test_total_is_exact_up_to_the_cap(client, moderator, runtime, monkeypatch):
    from moderation.review import service

    monkeypatch.setattr(service, "EXACT_TOTAL_LIMIT", 3)
    article = make_article(runtime, "a-1")
    for _ in range(3):
        make_comment(runtime, article)
    page = client.get(f"{Q}/queue", headers=moderator).json
    assert page["total"] == 3 and page["total_capped"] is False
    make_comment(runtime, article)
    page = client.get(f"{Q}/queue", headers=moderator).json
    assert page["total"] == 3 and page["total_capped"] is True


def test_queue_keyset_uses_the_partial_indexes(runtime):
    from sqlalchemy import text

    if not runtime.db.is_sqlite:
        pytest.skip("PostgreSQL plans are shown by bench/queue_latency.py on a million rows")
    with runtime.db.transaction(write=False) as session:
        plan = " ".join(str(r) for r in session.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM comments WHERE awaiting_review = 1 "
            "AND (sort_toxicity, created_at, id) < (0.5, '2026-01-01', 10) "
            "ORDER BY sort_toxicity DESC, created_at DESC, id DESC LIMIT 51")))
    assert "ix_comments_queue_toxicity" in plan and "TEMP B-TREE" not in plan


def test_author_id_with_control_characters_is_normalised_as_intake_does(client, moderator, frontend, runtime):
    """Intake stores "bad\x00id" as "badid"; banning "bad\x00id" must ban that same author."""
    make_article(runtime, "a-1")
    body = {"author": {"id": "bad\x00id", "name": "X"}, "body": "Bonjour"}
    assert client.post("/api/v1/articles/a-1/comments", headers=frontend, json=body).status_code == 202
    banned = client.post(f"{Q}/authors/ban", headers=moderator, json={"author_id": "bad\x00id"})
    assert banned.status_code == 200 and banned.json["author_id"] == "badid"
    again = client.post("/api/v1/articles/a-1/comments", headers=frontend, json={**body, "body": "Encore"})
    assert again.status_code == 403 and again.json["error"]["code"] == "author_banned"
    blank = client.post(f"{Q}/authors/ban", headers=moderator, json={"author_id": "\x00"})
    assert blank.status_code == 422 and "author_id" in blank.json["error"]["details"]


@pytest.mark.parametrize("query", ["actor=a%00b", "action=%00", "comment_id=1&action=re%00ject"])
def test_nul_in_log_filters_is_a_422_not_a_database_error(client, moderator, query):
    response = client.get(f"{Q}/log?{query}", headers=moderator)
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_error"


def test_nul_in_the_queue_language_filter_is_a_422(client, moderator):
    response = client.get(f"{Q}/queue?language=f%00r", headers=moderator)
    assert response.status_code == 422 and "language" in response.json["error"]["details"]
