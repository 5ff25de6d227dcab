"""Issue 10, points 9 and 10: erasure removes everything that identifies the author or repeats
their words, the audit log stays append-only otherwise, and any author id can be reached."""
import hashlib
import json

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select, text, update

from moderation.audit.models import AuditEntry
from moderation.comments.models import Comment
from moderation.events.models import DomainEvent
from moderation.review import service as review
from moderation.review.models import AuthorNote, BannedAuthor, Report
from moderation.webhooks.models import WebhookDelivery
from tests.factories import headers, make_article, make_key

Q = "/api/v1/moderation"
SECRET_WORDS = "Mon voisin Jean-Pierre Dubois, 12 rue des Alpes"


@pytest.fixture
def keys(runtime):
    return {"site": headers(make_key(runtime, "frontend", "site")),
            "alice": headers(make_key(runtime, "moderator", "alice")),
            "admin": headers(make_key(runtime, "admin", "dpo"))}


def post(client, key, author_id, body, name="Jean-Pierre Dubois", address="203.0.113.77"):
    idempotency_key = "k-" + hashlib.sha1(body.encode()).hexdigest()[:16]
    return client.post("/api/v1/articles/a-1/comments", headers={**key, "Idempotency-Key": idempotency_key},
                       json={"author": {"id": author_id, "name": name}, "body": body,
                             "reader_address": address})


def everything(runtime, *, but_erasure_event: bool = False):
    """Every row of the tables that can hold personal data, as text (the outbox and webhook
    payloads included; ``but_erasure_event``: without the one author.erased event, which
    carries the id until it is delivered)."""
    with runtime.db.transaction(write=False) as session:
        rows = []
        for model in (Comment, Report, AuditEntry, BannedAuthor, AuthorNote, DomainEvent, WebhookDelivery):
            query = select(model)
            if but_erasure_event and model is DomainEvent:
                query = query.where(DomainEvent.type != "author.erased")
            for row in session.scalars(query):
                rows.append({c.name: getattr(row, c.key) for c in model.__table__.columns})
        return json.dumps(rows, default=str, ensure_ascii=False)


def test_erasure_removes_every_trace_of_the_author(client, runtime, keys):
    make_article(runtime, "a-1")
    author = "jp/dubois%20 é"  # "/", "%", a space and non-ASCII: the route must carry it
    mine = post(client, keys["site"], author, f"{SECRET_WORDS}, est un voleur.").json["id"]
    other = post(client, keys["site"], "someone-else", "Un autre avis, sans rapport.", name="Anne",
                 address="198.51.100.3").json["id"]
    # A report on their comment, quoting it; a report they filed as a reader.
    client.post(f"/api/v1/comments/{mine}/reports", headers=keys["site"],
                json={"reporter_id": "witness", "reason": "abuse", "note": f"Il écrit « {SECRET_WORDS} »"})
    client.post(f"{Q}/comments/{other}/decision", headers=keys["alice"], json={"action": "approve"})
    client.post(f"/api/v1/comments/{other}/reports", headers=keys["site"],
                json={"reporter_id": author, "reason": "spam", "note": "Signalé par Jean-Pierre Dubois"})
    # Decisions and a ban whose free-text reasons quote them.
    client.post(f"{Q}/comments/{mine}/decision", headers=keys["alice"],
                json={"action": "reject", "reason": f"Données personnelles : {SECRET_WORDS}"})
    banned = client.post(f"{Q}/authors/ban", headers=keys["alice"],
                         json={"author_id": author, "reason": "Jean-Pierre Dubois insulte ses voisins"})
    assert banned.status_code == 200 and banned.json["author_id"] == author
    # A moderator's note about them (issue 22): deleted with them, and its audit entry blanked.
    with runtime.db.transaction() as session:
        review.add_author_note(session, author, "Jean-Pierre Dubois, déjà averti", "user:alice@example.ch",
                               runtime.now())
    before = everything(runtime)
    assert "Jean-Pierre Dubois" in before and "203.0.113.77" in before

    erased = client.post(f"{Q}/authors/erase", headers=keys["admin"], json={"author_id": author})
    assert erased.status_code == 200
    assert erased.json["erased"] == {"comments": 1, "reports_on_comments": 1, "reports_filed": 1,
                                     "idempotency_keys": 1, "reader_addresses": 1, "audit_reasons": 3,
                                     "ban_reasons": 1, "author_notes": 1}
    after = everything(runtime, but_erasure_event=True)
    key_of_mine = "k-" + hashlib.sha1(f"{SECRET_WORDS}, est un voleur.".encode()).hexdigest()[:16]
    assert key_of_mine in before
    for trace in ("Jean-Pierre Dubois", "Dubois", "rue des Alpes", "203.0.113.77", key_of_mine,
                  json.dumps(author, ensure_ascii=False)[1:-1]):
        assert trace not in after, trace
    with runtime.db.transaction(write=False) as session:
        comment = session.get(Comment, mine)
        assert comment.body == "" and comment.author_name == "" and comment.body_digest is None
        assert comment.idempotency_key is None and comment.reader_address is None
        assert comment.erased_at is not None and not comment.awaiting_review
        # What the reader filed stays in effect without saying who: the other comment still waits.
        filed = session.scalars(select(Report).where(Report.comment_id == other)).one()
        assert filed.reporter_id is None and filed.note is None and filed.reason == "spam"
        assert session.get(Comment, other).awaiting_review and session.get(Comment, other).open_reports == 1
        # The ban stays, as a keyed hash of the id, without its reason.
        assert session.get(BannedAuthor, author) is None
        [ban] = session.scalars(select(BannedAuthor)).all()
        assert ban.author_id.startswith("hmac:") and ban.reason is None
        # The author's comment, the audit entries about them: one tombstone, the same everywhere.
        tombstone = session.get(Comment, mine).author_id
        assert tombstone.startswith("erased:") and tombstone != author
        assert {e.author_id for e in session.scalars(select(AuditEntry).where(AuditEntry.action != "approve"))} == {
            tombstone}
        # The trail keeps its structure; the erasure itself is on record with counts only.
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["approve", "reject", "ban", "note", "erase"]
        erase_entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert erase_entry.reason is None and erase_entry.details["comments"] == 1
    # The public thread and the queue no longer show the erased comment.
    thread = client.get("/api/v1/articles/a-1/comments").json
    assert all(c["id"] != mine for c in thread["comments"])
    # The same id is still refused at intake, though it is stored nowhere.
    refused = post(client, keys["site"], author, "Me revoilà.")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "author_banned"
    # Once delivered (here: no webhook endpoint, nothing will read it), author.erased goes too.
    from moderation.runtime import Runtime
    from moderation.webhooks import jobs

    jobs.prune(Runtime(runtime.settings.replace(webhooks={"enabled": False}), clock=runtime.clock,
                       database=runtime.db))
    assert json.dumps(author, ensure_ascii=False)[1:-1] not in everything(runtime)


def test_banned_erased_and_banned_again_keeps_one_ban_and_unban_lifts_it(client, runtime, keys):
    make_article(runtime, "a-1")
    for _ in range(2):
        assert client.post(f"{Q}/authors/ban", headers=keys["alice"], json={"author_id": "troll"}).status_code == 200
        assert client.post(f"{Q}/authors/erase", headers=keys["admin"], json={"author_id": "troll"}).status_code == 200
    with runtime.db.transaction(write=False) as session:
        assert [b.author_id[:5] for b in session.scalars(select(BannedAuthor))] == ["hmac:"]
    assert post(client, keys["site"], "troll", "Encore moi").status_code == 403
    assert client.post(f"{Q}/authors/unban", headers=keys["alice"], json={"author_id": "troll"}).json["banned"] is False
    assert post(client, keys["site"], "troll", "Enfin libre").status_code == 202


def test_an_author_with_more_comments_than_a_statement_has_parameters_can_be_erased(client, runtime, keys):
    """PostgreSQL takes at most 65,535 bound parameters: erasure works by predicates."""
    from sqlalchemy import insert

    make_article(runtime, "a-1")
    first = post(client, keys["site"], "prolific", "Le premier.").json["id"]
    with runtime.db.transaction(write=False) as session:
        template = {c.key: getattr(session.get(Comment, first), c.key) for c in Comment.__table__.columns
                    if c.key not in ("id", "idempotency_key", "idempotency_owner", "request_digest")}
    with runtime.db.transaction() as session:
        session.execute(insert(Comment), [{**template, "body": f"n° {n}", "body_digest": None}
                                          for n in range(70_000)])
    erased = client.post(f"{Q}/authors/erase", headers=keys["admin"], json={"author_id": "prolific"})
    assert erased.status_code == 200, erased.json
    assert erased.json["erased"]["comments"] == 70_001
    with runtime.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Comment).where(Comment.author_id == "prolific")) == 0
        assert session.scalar(select(func.count()).select_from(Comment).where(Comment.body != "")) == 0


def test_every_id_intake_accepts_can_be_banned_unbanned_and_erased(client, runtime, keys):
    make_article(runtime, "a-1")
    for author in ["a/b", "a%2Fb", "100%", "with space", "Zoë Müller", "日本語", "../etc", "a/", "/a", "?x=1#y"]:
        assert post(client, keys["site"], author, f"Bonjour de {author}").status_code == 202
        assert client.post(f"{Q}/authors/ban", headers=keys["alice"],
                           json={"author_id": author}).json["banned"] is True
        refused = post(client, keys["site"], author, f"Encore {author}")
        assert refused.status_code == 403 and refused.json["error"]["code"] == "author_banned"
        assert client.post(f"{Q}/authors/unban", headers=keys["alice"],
                           json={"author_id": author}).json["banned"] is False
        assert post(client, keys["site"], author, f"De retour, {author}").status_code == 202
        erased = client.post(f"{Q}/authors/erase", headers=keys["admin"], json={"author_id": author})
        assert erased.status_code == 200 and erased.json["erased"]["comments"] == 2, author


def test_the_author_routes_are_documented_with_the_id_in_the_body(client):
    spec = client.get("/api/v1/openapi.json").json
    for action in ("ban", "unban", "erase"):
        operation = spec["paths"][f"{Q}/authors/{action}"]["post"]
        schema_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
        assert "author_id" in schema["required"]
        assert spec["paths"][f"{Q}/authors/{{author_id}}/{action}"]["post"]["deprecated"] is True


def test_moderators_cannot_erase(client, runtime, keys):
    response = client.post(f"{Q}/authors/erase", headers=keys["alice"], json={"author_id": "x"})
    assert response.status_code == 403


def test_the_audit_log_refuses_any_other_change(runtime, keys, client):
    make_article(runtime, "a-1")
    comment = post(client, keys["site"], "someone", "Un avis").json["id"]
    client.post(f"{Q}/comments/{comment}/decision", headers=keys["alice"], json={"action": "reject", "reason": "x"})
    attempts = [
        update(AuditEntry).values(reason=None),  # a redaction without erasure's marker
        update(AuditEntry).values(reason="rewritten"),
        update(AuditEntry).values(actor="mallory"),
    ]
    for statement in attempts:
        with pytest.raises(sqlalchemy.exc.DBAPIError):
            with runtime.db.transaction() as session:
                session.execute(statement)
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        with runtime.db.transaction() as session:
            session.execute(text("DELETE FROM audit_log"))


def test_even_erasure_can_only_blank_reasons(runtime, keys, client):
    """With the marker present, the trigger still refuses anything but reason := NULL."""
    from moderation.audit.models import AuditRedaction

    make_article(runtime, "a-1")
    comment = post(client, keys["site"], "someone", "Un avis").json["id"]
    client.post(f"{Q}/comments/{comment}/decision", headers=keys["alice"], json={"action": "reject", "reason": "x"})
    for values in ({"actor": "mallory"}, {"reason": "rewritten"}, {"new_status": "approved"}):
        with pytest.raises(sqlalchemy.exc.DBAPIError):
            with runtime.db.transaction() as session:
                session.add(AuditRedaction())
                session.flush()
                session.execute(update(AuditEntry).values(**values))


def test_erasing_readers_never_collides_with_other_reports(client, runtime, keys):
    """Found by the contract fuzzing: an erased reader's reports were relabelled "erased-<id>",
    which a client may also send as a reporter id; the same comment then held two equal
    (comment, reporter) pairs and erasure failed. The reporter is now simply NULL."""
    make_article(runtime, "a-1")
    comment = post(client, keys["site"], "writer", "Un avis à signaler").json["id"]
    client.post(f"{Q}/comments/{comment}/decision", headers=keys["alice"], json={"action": "approve"})
    first = client.post(f"/api/v1/comments/{comment}/reports", headers=keys["site"],
                        json={"reporter_id": "0", "reason": "spam"}).json["id"]
    for reporter in (f"erased-{first}", "1"):
        assert client.post(f"/api/v1/comments/{comment}/reports", headers=keys["site"],
                           json={"reporter_id": reporter, "reason": "spam"}).status_code == 202
    for reader in ("0", "1"):
        erased = client.post(f"{Q}/authors/erase", headers=keys["admin"], json={"author_id": reader})
        assert erased.status_code == 200 and erased.json["erased"]["reports_filed"] == 1
    with runtime.db.transaction(write=False) as session:
        reports = session.scalars(select(Report).where(Report.comment_id == comment))
        reporters = sorted(str(r.reporter_id) for r in reports)
    assert reporters == ["None", "None", f"erased-{first}"]
    assert client.get(f"{Q}/queue", headers=keys["alice"]).json["items"][0]["reports"][0]["reporter_id"] is None


def test_a_report_filed_during_an_erasure_never_outlives_it(committed_runtime, backend):
    """PostgreSQL, exact interleaving: a report is written (its transaction still open, the
    comment's row locked) when the erasure starts; it commits once the erasure waits for that
    lock. The erasure must then see and delete it: a report's note may quote the erased words."""
    import threading
    import time

    from moderation.review import service as review
    from tests.factories import make_comment

    if backend != "postgres":
        pytest.skip("SQLite's single writer runs the two one after the other")
    runtime = committed_runtime
    comment = make_comment(runtime, make_article(runtime, "a-1"), author_id="jp")
    reported, commit_report, errors = threading.Event(), threading.Event(), []

    def report():
        try:
            with runtime.db.transaction() as session:
                review.report_comment(session, comment.id, "reader-2", "other", f"Il cite {SECRET_WORDS}",
                                      runtime.now())
                reported.set()
                commit_report.wait(60)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def erase():
        try:
            with runtime.db.transaction() as session:
                review.erase_author(session, "jp", "dpo", runtime.now())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    reporter = threading.Thread(target=report)
    reporter.start()
    assert reported.wait(30)
    eraser = threading.Thread(target=erase)
    eraser.start()
    deadline = time.monotonic() + 60
    with runtime.db.engine.connect() as probe:  # until the erasure waits for the report's lock
        while not probe.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                     "AND datname = current_database()")).scalar():
            assert time.monotonic() < deadline, "the erasure never waited for the report"
            time.sleep(0.05)
    commit_report.set()
    reporter.join(60)
    eraser.join(60)
    assert errors == []
    with runtime.db.transaction(write=False) as session:
        assert session.scalars(select(Report).where(Report.comment_id == comment.id)).all() == []
        erased = session.get(Comment, comment.id)
        assert erased.erased_at is not None and erased.open_reports == 0 and erased.body == ""
