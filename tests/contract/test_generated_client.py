"""A client generated from the served OpenAPI document (openapi-python-client, as a site's
developers would) drives the frontend's whole flow and the moderators' against a real server,
on SQLite and PostgreSQL."""
import importlib
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from tests.factories import make_key
from tests.servers import free_port, start_server, stop_server


@pytest.fixture
def generated(tmp_path, committed_runtime, settings):
    """The server, and the package generated from its own /api/v1/openapi.json."""
    port = free_port()
    server = start_server(settings.database.url, port, tmp_path, MODERATION_WEBHOOKS__RUN_WORKER="false")
    try:
        document = tmp_path / "openapi.json"
        document.write_bytes(requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=30).content)
        package = f"moderation_client_{uuid.uuid4().hex[:8]}"
        bin_dir = Path(sys.executable).parent
        result = subprocess.run(
            [str(bin_dir / "openapi-python-client"), "generate", "--path", str(document), "--meta", "none",
             "--output-path", str(tmp_path / package)],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"})
        assert result.returncode == 0, result.stdout + result.stderr
        sys.path.insert(0, str(tmp_path))
        try:
            yield importlib.import_module(package), f"http://127.0.0.1:{port}"
        finally:
            sys.path.remove(str(tmp_path))
    finally:
        stop_server(server)


def _call(module_name, package, **kwargs):
    module = importlib.import_module(f"{package.__name__}.api.{module_name}")
    return module.sync_detailed(**kwargs)


def test_the_frontends_and_moderators_flows_through_a_generated_client(generated, committed_runtime):
    package, base_url = generated
    models = importlib.import_module(f"{package.__name__}.models")
    client_module = importlib.import_module(f"{package.__name__}.client")
    site = client_module.AuthenticatedClient(base_url=base_url, token=make_key(committed_runtime, "frontend"))
    moderator = client_module.AuthenticatedClient(base_url=base_url, token=make_key(committed_runtime, "moderator"))

    # The frontend: register the article, post with an idempotency key (twice), read, report.
    article = _call("articles.article_resource_put", package, client=site, article_id="2026-11-27-budget",
                    body=models.ArticleIn(title="Budget 2027", published_at=datetime.now(timezone.utc)))
    assert article.status_code == 201 and article.parsed.comments.open_ is True
    key = str(uuid.uuid4())
    new_comment = models.NewCommentIn(author=models.AuthorIn(id="reader-7", name="Zoë"),
                                      body="Très clair, merci.", reader_address="203.0.113.7")
    posted = _call("comments.thread_comments_post", package, client=site, article_id="2026-11-27-budget",
                   body=new_comment, idempotency_key=key)
    assert posted.status_code == 202 and posted.parsed.status == "pending"
    again = _call("comments.thread_comments_post", package, client=site, article_id="2026-11-27-budget",
                  body=new_comment, idempotency_key=key)
    assert again.status_code == 202 and again.parsed.id == posted.parsed.id
    other = _call("comments.thread_comments_post", package, client=site, article_id="2026-11-27-budget",
                  body=models.NewCommentIn(author=models.AuthorIn(id="reader-8", name="Luca"), body="Bof."))
    assert other.status_code == 202
    thread = _call("comments.thread_comments_get", package, client=site, article_id="2026-11-27-budget")
    assert thread.status_code == 200 and thread.parsed.count == 0  # nothing approved yet

    # The moderators: the queue, a decision with the version seen, then bulk. The background
    # scorer bumps each comment's version when it scores it: wait until it has (a moderator
    # deciding meanwhile would rightly get a conflict).
    deadline = time.monotonic() + 120
    while True:
        queue = _call("moderation.queue_get", package, client=moderator)
        if all(item.scoring.state == "scored" for item in queue.parsed.items) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert queue.status_code == 200 and queue.parsed.total == 2
    item = next(i for i in queue.parsed.items if i.comment.id == posted.parsed.id)
    decided = _call("moderation.decision_post", package, client=moderator, comment_id=posted.parsed.id,
                    body=models.DecisionIn(action=models.DecisionInAction("approve"),
                                           expected_version=item.comment.version))
    assert decided.status_code == 200 and decided.parsed.comment.status == "approved"
    stale = _call("moderation.decision_post", package, client=moderator, comment_id=posted.parsed.id,
                  body=models.DecisionIn(action=models.DecisionInAction("reject"),
                                         expected_version=item.comment.version))
    assert stale.status_code == 409 and stale.parsed.error.code == "conflict"
    bulk = _call("moderation.decisions_post", package, client=moderator, body=models.BulkDecisionsIn(decisions=[
        models.BulkDecisionItem(comment_id=other.parsed.id, action=models.BulkDecisionItemAction("reject"),
                                reason="spam")]))
    assert bulk.status_code == 200 and [r.ok for r in bulk.parsed.results] == [True]

    # Readers see the approved comment, and one of them reports it: it comes back to the queue.
    thread = _call("comments.thread_comments_get", package, client=site, article_id="2026-11-27-budget")
    assert [c.body for c in thread.parsed.comments] == ["Très clair, merci."]
    report = _call("reports.reports_post", package, client=site, comment_id=posted.parsed.id,
                   body=models.ReportIn(reporter_id="reader-9", reason=models.ReportInReason("abuse")))
    assert report.status_code == 202
    queue = _call("moderation.queue_get", package, client=moderator)
    assert [i.comment.id for i in queue.parsed.items] == [posted.parsed.id]
    assert len(queue.parsed.items[0].reports) == 1
