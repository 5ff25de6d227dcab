"""Safe hands (issue 22): ban, erase, lock and a window that closes the thread at once are
done only when explicitly confirmed (confirmed=1). Without it the server asks itself — a page
that works without JavaScript, whose focused default is Cancel — and changes nothing."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.articles.models import Article
from moderation.audit.models import AuditEntry
from moderation.review import bans
from tests.factories import make_article, make_comment


def _actions(runtime):
    with runtime.db.transaction(write=False) as session:
        return [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.actor.like("user:%"))
                                                  .order_by(AuditEntry.id))]


def _confirmation_page(response, action):
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    # Cancel (a link back) comes first and has the focus: Enter cancels.
    assert re.search(r'<a href="[^"]+" class="button" id="confirm-cancel" data-confirm-cancel autofocus>', html)
    assert f'action="{action}"' in html and '<input type="hidden" name="confirmed" value="1">' in html
    assert html.index("data-confirm-cancel") < html.index("data-confirm-ok")
    return html


def test_a_ban_without_confirmation_asks_and_changes_nothing(console, runtime):
    article = make_article(runtime, "a-1")
    make_comment(runtime, article, author_id="troll")
    asked = console.post("/console/authors/ban", {"author_id": "troll", "reject_waiting": "y", "reason": "insultes"})
    html = _confirmation_page(asked, "/console/authors/ban")
    assert '<input type="hidden" name="reason" value="insultes">' in html  # the form, repeated
    fragment = console.post("/console/authors/ban", {"author_id": "troll"}, htmx=True)
    assert fragment.status_code == 409
    with runtime.db.transaction(write=False) as session:
        assert bans.find_ban(session, "troll") is None
    assert _actions(runtime) == []
    done = console.post("/console/authors/ban", {"author_id": "troll", "reject_waiting": "y", "confirmed": "1"})
    assert done.status_code == 302 and _actions(runtime) == ["ban", "reject"]


def test_a_lock_without_confirmation_asks(console, runtime):
    make_article(runtime, "a-1")
    _confirmation_page(console.post("/console/articles/a-1/lock", {"reason": "trolls"}), "/console/articles/a-1/lock")
    with runtime.db.transaction(write=False) as session:
        assert session.get(Article, "a-1").locked_at is None
    assert console.post("/console/articles/a-1/lock", {"confirmed": "1"}).status_code == 302
    assert _actions(runtime) == ["lock"]


def test_an_erasure_without_confirmation_asks(admin_console, runtime):
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article, author_id="gone")
    _confirmation_page(admin_console.post("/console/authors/erase", {"author_id": "gone", "confirm": "gone"}),
                       "/console/authors/erase")
    with runtime.db.transaction(write=False) as session:
        assert session.get(type(comment), comment.id).erased_at is None


@pytest.mark.parametrize("hours, asks", [("1", True), ("5", False)])
def test_a_window_asks_only_when_it_closes_the_thread_now(console, runtime, hours, asks):
    make_article(runtime, "a-1", published_at=runtime.now() - timedelta(hours=2))
    response = console.post("/console/articles/a-1/window", {"close_after_hours": hours})
    if asks:
        html = _confirmation_page(response, "/console/articles/a-1/window")
        assert "closes the thread now" in html
        assert _actions(runtime) == []
        assert console.post("/console/articles/a-1/window",
                            {"close_after_hours": hours, "confirmed": "1"}).status_code == 302
    else:
        assert response.status_code == 302
    assert _actions(runtime) == ["window"]


def test_the_confirmation_page_is_in_french(console, runtime):
    make_article(runtime, "a-1")
    html = console.post("/console/articles/a-1/lock", {}, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Annuler" in html and "Fermer ce fil maintenant ?" in html


def test_undo_after_a_ban_lifts_it_and_brings_back_every_comment(console, runtime, clock):
    article = make_article(runtime, "a-1")
    waiting = [make_comment(runtime, article, author_id="troll").id for _ in range(2)]
    console.post("/console/authors/ban", {"author_id": "troll", "reject_waiting": "y", "confirmed": "1"}, htmx=True)
    clock.advance(timedelta(seconds=5))
    undone = console.post("/console/undo", {}, htmx=True)
    html = undone.get_data(as_text=True)
    assert undone.status_code == 200 and "Ban undone: 2 comments restored." in html
    assert all(f'id="card-{i}"' in html for i in waiting) and html.count('data-mode="waiting"') == 2
    with runtime.db.transaction(write=False) as session:
        assert bans.find_ban(session, "troll") is None
        from moderation.comments.models import Comment
        assert [session.get(Comment, i).status for i in waiting] == ["pending", "pending"]
    assert _actions(runtime) == ["ban", "reject", "reject", "unban", "undo", "undo"]


def test_undo_on_a_card_the_ban_rejected_undoes_the_whole_ban(console, runtime, clock):
    article = make_article(runtime, "a-1")
    first, second = (make_comment(runtime, article, author_id="troll").id for _ in range(2))
    console.post("/console/authors/ban", {"author_id": "troll", "reject_waiting": "y", "confirmed": "1"}, htmx=True)
    undone = console.post("/console/undo", {"comment_id": str(first)})
    assert undone.status_code == 302
    with runtime.db.transaction(write=False) as session:
        assert bans.find_ban(session, "troll") is None
    assert _actions(runtime)[-3:] == ["unban", "undo", "undo"]


def test_undo_of_a_ban_says_which_comments_it_left(console, runtime, clock):
    from moderation.review import service as review

    article = make_article(runtime, "a-1")
    first, second = (make_comment(runtime, article, author_id="troll").id for _ in range(2))
    console.post("/console/authors/ban", {"author_id": "troll", "reject_waiting": "y", "confirmed": "1"}, htmx=True)
    with runtime.db.transaction() as session:
        review.decide(session, second, "approve", "user:bob@example.ch", None, runtime.now(),
                      expected_status="rejected")
    with runtime.db.transaction() as session:  # Alice's own last action is still the ban's
        assert review.last_undoable_ban(session, "user:alice@example.ch", runtime.now(),
                                        timedelta(seconds=30)) is not None
    html = console.post("/console/undo", {}, htmx=True).get_data(as_text=True)
    assert "Ban undone: 1 comment restored. 1 changed since the ban was left as it is." in html
    assert f'id="card-{first}"' in html and f'id="card-{second}"' not in html
