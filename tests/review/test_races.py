import threading

from sqlalchemy import func, select

from moderation.app import create_app
from moderation.audit.models import AuditEntry
from tests.factories import headers, make_article, make_comment, make_key


def test_two_moderators_deciding_at_once_get_one_200_and_one_409(committed_runtime):
    runtime = committed_runtime
    app = create_app(runtime=runtime)
    keys = [headers(make_key(runtime, "moderator", name)) for name in ("alice", "bob")]
    article = make_article(runtime, "a-1")
    for round_ in range(10):  # several rounds, so the race really happens
        comment = make_comment(runtime, article)
        barrier = threading.Barrier(2)
        statuses = []

        def moderate(key, action):
            client = app.test_client()
            barrier.wait()
            response = client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=key,
                                   json={"action": action})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=moderate, args=(keys[0], "approve")),
                   threading.Thread(target=moderate, args=(keys[1], "reject"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(statuses) == [200, 409], (round_, statuses)
    with runtime.db.transaction(write=False) as session:
        decisions = session.scalar(select(func.count()).select_from(AuditEntry)
                                   .where(AuditEntry.action.in_(["approve", "reject"])))
    assert decisions == 10  # one entry per applied decision, none for refused ones


def test_overlapping_bulk_decisions_in_opposite_orders_both_complete(committed_runtime):
    """Issue 10, point 3: rows are locked in one order, so two bulk requests over the same
    comments listed in opposite orders queue behind each other instead of deadlocking (which
    PostgreSQL ends by aborting one of them: a 503)."""
    runtime = committed_runtime
    app = create_app(runtime=runtime)
    keys = [headers(make_key(runtime, "moderator", name)) for name in ("alice", "bob")]
    article = make_article(runtime, "a-1")
    for round_ in range(5):
        ids = [make_comment(runtime, article).id for _ in range(40)]
        barrier = threading.Barrier(2)
        answers = []

        def bulk(key, order, action):
            decisions = [{"comment_id": i, "action": action} for i in order]
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/v1/moderation/decisions", headers=key, json={"decisions": decisions})
            answers.append((response.status_code, response.json))

        threads = [threading.Thread(target=bulk, args=(keys[0], ids, "approve")),
                   threading.Thread(target=bulk, args=(keys[1], list(reversed(ids)), "reject"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(status for status, _ in answers) == [200, 200], (round_, answers)
        # Every comment decided exactly once: by one request, refused (409) in the other.
        applied = sum(result["ok"] for _, body in answers for result in body["results"])
        assert applied == len(ids)
