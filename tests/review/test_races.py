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
