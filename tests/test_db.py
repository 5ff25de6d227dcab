"""One transaction model, the same under the test fixture and in production.

Each test runs twice per database: with ``runtime`` (the rolled-back test transaction) and
with ``committed_runtime`` (production configuration: real commits; on SQLite the writer
queue and BEGIN IMMEDIATE).
"""
import threading

import pytest
from sqlalchemy import func, select

from moderation import signals
from moderation.app import create_app
from moderation.articles.models import Article
from moderation.db import NestedWriteError, after_commit
from tests.factories import headers, make_article, make_comment, make_key


@pytest.fixture(params=["test-transaction", "committed"])
def any_runtime(request, backend):  # backend: parametrised statically, as getfixturevalue needs
    return request.getfixturevalue("runtime" if request.param == "test-transaction" else "committed_runtime")


def _count_articles(runtime) -> int:
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Article))


def test_a_nested_write_joins_the_outer_transaction(any_runtime):
    runtime = any_runtime
    with runtime.db.transaction() as outer:
        make_article(runtime, "outer-1")
        with runtime.db.transaction() as inner:
            assert inner is outer  # the same session and connection: no second writer to wait for
            make_article(runtime, "inner-1")
    assert _count_articles(runtime) == 2


def test_an_error_in_a_nested_block_undoes_only_that_block(any_runtime):
    runtime = any_runtime
    with runtime.db.transaction():
        make_article(runtime, "kept")
        with pytest.raises(ZeroDivisionError):
            with runtime.db.transaction():
                make_article(runtime, "undone")
                1 / 0
    with runtime.db.transaction(write=False) as session:
        assert set(session.scalars(select(Article.id))) == {"kept"}


def test_an_error_in_the_outer_block_undoes_the_nested_one_too(any_runtime):
    runtime = any_runtime
    with pytest.raises(ZeroDivisionError):
        with runtime.db.transaction():
            with runtime.db.transaction():
                make_article(runtime, "nested")
            1 / 0
    assert _count_articles(runtime) == 0


def test_a_write_inside_a_read_only_transaction_fails_at_once(any_runtime):
    runtime = any_runtime
    with runtime.db.transaction(write=False):
        with pytest.raises(NestedWriteError):
            with runtime.db.transaction():
                pass


def test_hooks_run_after_the_outermost_commit_only(any_runtime):
    runtime = any_runtime
    ran = []
    with runtime.db.transaction() as session:
        with runtime.db.transaction():
            after_commit(session, lambda: ran.append("inner"))
        assert ran == []  # the inner block's end commits nothing
        after_commit(session, lambda: ran.append("outer"))
        assert ran == []
    assert ran == ["inner", "outer"]


def test_a_rolled_back_savepoint_drops_only_its_own_hooks(any_runtime):
    runtime = any_runtime
    ran = []
    with runtime.db.transaction() as session:
        after_commit(session, lambda: ran.append("before"))
        with pytest.raises(ZeroDivisionError):
            with session.begin_nested():
                after_commit(session, lambda: ran.append("rolled back"))
                with session.begin_nested():
                    after_commit(session, lambda: ran.append("rolled back with its parent"))
                1 / 0
        with session.begin_nested():
            after_commit(session, lambda: ran.append("after"))
    assert ran == ["before", "after"]


def test_no_hook_runs_when_the_transaction_rolls_back(any_runtime):
    runtime = any_runtime
    ran = []
    with pytest.raises(ZeroDivisionError):
        with runtime.db.transaction() as session:
            after_commit(session, lambda: ran.append("never"))
            1 / 0
    assert ran == []


def test_a_bulk_decision_with_a_refused_item_still_announces_the_others(any_runtime):
    """Each item is a savepoint; the refused one in the middle must not drop the hooks
    (here: the outbox's wake-up of webhook delivery) of the items before and after it."""
    runtime = any_runtime
    moderator = headers(make_key(runtime, "moderator"))
    article = make_article(runtime)
    first, refused, last = (make_comment(runtime, article) for _ in range(3))
    client = create_app(runtime=runtime).test_client()
    assert client.post(f"/api/v1/moderation/comments/{refused.id}/decision", headers=moderator,
                       json={"action": "reject"}).status_code == 200
    announced = []

    def receiver(sender):
        announced.append(sender)

    signals.events_published.connect(receiver, sender=runtime.db)
    try:
        response = client.post("/api/v1/moderation/decisions", headers=moderator, json={"decisions": [
            {"comment_id": first.id, "action": "approve"},
            {"comment_id": refused.id, "action": "approve"},  # already rejected: 409 for this item
            {"comment_id": last.id, "action": "approve"}]})
    finally:
        signals.events_published.disconnect(receiver, sender=runtime.db)
    assert [r["ok"] for r in response.json["results"]] == [True, False, True]
    assert len(announced) == 4  # each approval: comment.approved and thread.changed


def test_nested_transactions_in_production_never_wait_on_themselves(committed_runtime):
    """Before, the inner transaction took a second connection; on SQLite its BEGIN IMMEDIATE
    waited for the outer one's write lock and ended in "database is locked" (a 503)."""
    runtime = committed_runtime
    done = threading.Event()

    def nested():
        with runtime.db.transaction():
            make_article(runtime, "a")
            with runtime.db.transaction():
                make_article(runtime, "b")
        done.set()

    thread = threading.Thread(target=nested)
    thread.start()
    thread.join(60)
    assert done.is_set()
    assert _count_articles(runtime) == 2


def test_threads_do_not_share_a_transaction(committed_runtime):
    runtime = committed_runtime
    seen = []
    with runtime.db.transaction() as outer:
        thread = threading.Thread(target=lambda: seen.append(runtime.db.in_transaction))
        thread.start()
        thread.join(30)
        assert runtime.db.in_transaction and outer is not None
    assert seen == [False]
