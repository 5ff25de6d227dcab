"""Featured comments (issue 22, point 6): moderators feature approved comments; the public
thread says which ones are, and can list them first; the change is audited, announced
(comment.featured / comment.unfeatured) and bumps the thread's version like every change
readers see."""
import pytest
from sqlalchemy import select

from moderation.audit.models import AuditEntry
from moderation.comments.models import Comment
from moderation.errors import Conflict
from moderation.events.models import DomainEvent
from moderation.review import service as review
from tests.factories import headers, make_article, make_comment, make_key

THREAD = "/api/v1/articles/a-1/comments"


@pytest.fixture
def thread(runtime, clock):
    article = make_article(runtime, "a-1")
    comments = []
    for n in range(5):
        comments.append(make_comment(runtime, article, status="approved", author_id=f"r-{n}"))
        clock.advance(minutes=1)
    return [c.id for c in comments]


def feature(runtime, comment_id, featured=True, actor="alice"):
    with runtime.db.transaction() as session:
        return review.feature(session, comment_id, featured, actor, runtime.now()).version


def events_of(runtime, *types):
    with runtime.db.transaction(write=False) as session:
        return [(e.type, e.data) for e in session.scalars(select(DomainEvent).where(DomainEvent.type.in_(types))
                                                           .order_by(DomainEvent.id))]


def test_the_thread_says_which_comments_are_featured(client, runtime, thread):
    feature(runtime, thread[2])
    comments = client.get(THREAD).json["comments"]
    assert [c["featured"] for c in comments] == [False, False, True, False, False]


def test_featured_first_lists_the_picks_first_in_each_order(client, runtime, thread):
    feature(runtime, thread[1])
    feature(runtime, thread[3])
    oldest = [c["id"] for c in client.get(THREAD + "?featured=first").json["comments"]]
    assert oldest == [thread[1], thread[3], thread[0], thread[2], thread[4]]
    newest = [c["id"] for c in client.get(THREAD + "?featured=first&order=newest").json["comments"]]
    assert newest == [thread[3], thread[1], thread[4], thread[2], thread[0]]


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_featured_first_pages_through_every_comment_once(client, runtime, thread, order):
    feature(runtime, thread[2])
    feature(runtime, thread[4])
    everything = [c["id"] for c in client.get(f"{THREAD}?featured=first&order={order}").json["comments"]]
    seen, cursor = [], None
    while True:
        page = client.get(f"{THREAD}?featured=first&order={order}&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200
        seen += [c["id"] for c in page.json["comments"]]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) == 5


def test_a_cursor_of_the_other_ordering_still_answers(client, runtime, thread):
    feature(runtime, thread[0])
    plain = client.get(THREAD + "?limit=2").json["next_cursor"]
    first = client.get(THREAD + "?limit=2&featured=first").json["next_cursor"]
    assert client.get(f"{THREAD}?featured=first&cursor={plain}").status_code == 200
    assert client.get(f"{THREAD}?cursor={first}").status_code == 200


def test_the_orderings_have_their_own_validators(client, thread):
    assert client.get(THREAD).headers["ETag"] != client.get(THREAD + "?featured=first").headers["ETag"]
    assert client.get(THREAD + "?featured=inline").headers["ETag"] != \
        client.get(THREAD + "?featured=first").headers["ETag"]


def test_featuring_bumps_the_thread_version_audits_and_announces(client, runtime, thread):
    tag = client.get(THREAD).headers["ETag"]
    feature(runtime, thread[0])
    assert client.get(THREAD, headers={"If-None-Match": tag}).status_code == 200
    tag = client.get(THREAD).headers["ETag"]
    feature(runtime, thread[0], featured=False)
    assert client.get(THREAD, headers={"If-None-Match": tag}).status_code == 200
    announced = events_of(runtime, "comment.featured", "comment.unfeatured")
    assert [(kind, data.get("comment_id")) for kind, data in announced] == [
        ("comment.featured", thread[0]), ("comment.unfeatured", thread[0])]
    reasons = [data["reason"] for _, data in events_of(runtime, "thread.changed")][-2:]
    assert reasons == ["comment_featured", "comment_unfeatured"]
    with runtime.db.transaction(write=False) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.comment_id == thread[0])
                                       .order_by(AuditEntry.id)))
    assert actions[-2:] == ["feature", "unfeature"]
    # The count readers see does not move.
    assert client.get(THREAD).json["count"] == 5


def test_featuring_twice_changes_nothing(runtime, thread):
    version = feature(runtime, thread[0])
    assert feature(runtime, thread[0]) == version
    assert len(events_of(runtime, "comment.featured")) == 1


def test_only_an_approved_comment_can_be_featured(runtime, thread):
    waiting = make_comment(runtime, "a-1")
    rejected = make_comment(runtime, "a-1", status="rejected")
    for comment in (waiting, rejected):
        with pytest.raises(Conflict), runtime.db.transaction() as session:
            review.feature(session, comment.id, True, "alice", runtime.now())
    assert events_of(runtime, "comment.featured") == []


def test_a_comment_leaving_the_thread_is_no_longer_featured(client, runtime, thread):
    feature(runtime, thread[0])
    with runtime.db.transaction() as session:
        review.decide(session, thread[0], "reject", "alice", "abuse", runtime.now(), expected_status="approved")
    with runtime.db.transaction() as session:
        review.decide(session, thread[0], "approve", "alice", None, runtime.now(), expected_status="rejected")
    assert [c["featured"] for c in client.get(THREAD).json["comments"]] == [False] * 5


def test_an_erased_comment_is_not_featured(runtime, thread):
    feature(runtime, thread[1])
    with runtime.db.transaction() as session:
        review.erase_author(session, "r-1", "dpo", runtime.now())
    with runtime.db.transaction(write=False) as session:
        assert session.get(Comment, thread[1]).featured_at is None


def test_webhook_endpoints_may_subscribe_to_the_featured_events(client, runtime):
    admin = headers(make_key(runtime, "admin", "dpo"))
    response = client.post("/api/v1/admin/webhooks", headers=admin, json={
        "url": "https://example.org/hook", "events": ["comment.featured", "comment.unfeatured"]})
    assert response.status_code == 201, response.json
