"""The subject-access export (GDPR art. 15, FADP art. 25): everything stored about an author,
as one JSON document, streamed, for admins and on the command line."""
import json
import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import insert

from moderation.comments.models import Comment
from moderation.review import service as review
from tests.factories import headers, make_article, make_comment, make_key

EXPORT = "/api/v1/moderation/authors/export"


@pytest.fixture
def keys(runtime):
    return {"site": headers(make_key(runtime, "frontend", "site")),
            "alice": headers(make_key(runtime, "moderator", "alice")),
            "admin": headers(make_key(runtime, "admin", "dpo"))}


def test_export_holds_comments_scores_reports_ban_and_audit(client, runtime, keys):
    article = make_article(runtime, "a-1")
    mine = make_comment(runtime, article, author_id="jp@example.ch", author_name="Jean-Pierre", body="Mon avis")
    other = make_comment(runtime, article, author_id="other-reader", body="Un autre")
    client.post(f"/api/v1/moderation/comments/{other.id}/decision", headers=keys["alice"], json={"action": "approve"})
    client.post(f"/api/v1/comments/{other.id}/reports", headers=keys["site"],
                json={"reporter_id": "jp@example.ch", "reason": "spam", "note": "Je signale"})
    client.post(f"/api/v1/moderation/comments/{mine.id}/decision", headers=keys["alice"],
                json={"action": "reject", "reason": "insulte"})
    client.post("/api/v1/moderation/authors/ban", headers=keys["alice"],
                json={"author_id": "jp@example.ch", "reason": "récidive"})
    with runtime.db.transaction() as session:  # issue 22: moderators' notes are the author's data too
        review.add_author_note(session, "jp@example.ch", "Averti par téléphone", "user:alice@example.ch",
                               runtime.now())
        review.add_author_note(session, "other-reader", "Pas lui", "user:alice@example.ch", runtime.now())

    response = client.post(EXPORT, headers=keys["admin"], json={"author_id": "jp@example.ch"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.is_streamed
    document = json.loads(response.get_data(as_text=True))
    assert document["author_id"] == "jp@example.ch"
    [comment] = document["comments"]
    assert comment["id"] == mine.id and comment["body"] == "Mon avis" and comment["status"] == "rejected"
    assert comment["author_name"] == "Jean-Pierre"
    [report] = document["reports_filed"]
    assert report["comment_id"] == other.id and report["note"] == "Je signale"
    assert document["ban"]["reason"] == "récidive"
    assert [note["body"] for note in document["moderator_notes"]] == ["Averti par téléphone"]
    actions = [entry["action"] for entry in document["audit_entries"]]
    assert actions[:4] == ["reject", "ban", "note", "export"]
    assert "other-reader" not in json.dumps(document)  # nobody else's data
    assert "alice" not in json.dumps(document)  # nor which moderator acted: the newsroom's
    assert all(entry["automatic"] is False for entry in document["audit_entries"])
    # The document the reference promises.
    spec = client.get("/api/v1/openapi.json").json
    assert "200" in spec["paths"][EXPORT]["post"]["responses"]


def test_only_admins_export(client, keys):
    assert client.post(EXPORT, headers=keys["alice"], json={"author_id": "x"}).status_code == 403
    assert client.post(EXPORT, headers=keys["admin"], json={}).status_code == 422


def test_export_of_any_number_of_comments_is_paged_not_loaded_at_once(client, runtime, keys):
    from moderation.privacy import service

    article = make_article(runtime, "a-1")
    first = make_comment(runtime, article, author_id="prolific")
    with runtime.db.transaction(write=False) as session:
        template = {c.key: getattr(session.get(Comment, first.id), c.key) for c in Comment.__table__.columns
                    if c.key not in ("id", "idempotency_key", "idempotency_owner", "request_digest")}
    count = service.PAGE * 3 + 7
    with runtime.db.transaction() as session:
        session.execute(insert(Comment), [{**template, "body": f"n° {n}"} for n in range(count - 1)])
    response = client.post(EXPORT, headers=keys["admin"], json={"author_id": "prolific"})
    pieces = list(response.response)
    document = json.loads(b"".join(p if isinstance(p, bytes) else p.encode() for p in pieces))
    assert len(document["comments"]) == count
    assert len({c["id"] for c in document["comments"]}) == count
    assert len(pieces) > count // service.PAGE  # produced piece by piece


def test_cli_export_writes_a_private_file(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           "MODERATION_SCORING__BACKEND": "none"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    assert run("db", "upgrade").returncode == 0
    out = tmp_path / "export.json"
    done = run("authors", "export", "jp@example.ch", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    document = json.loads(out.read_text())
    assert document["author_id"] == "jp@example.ch" and document["comments"] == []
    assert [e["action"] for e in document["audit_entries"]] == ["export"]
    printed = run("authors", "export", "jp@example.ch")
    assert json.loads(printed.stdout)["author_id"] == "jp@example.ch"
