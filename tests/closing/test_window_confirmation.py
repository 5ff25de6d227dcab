"""A window change that closes an open thread at once needs an explicit confirmation (issue 22,
safe hands): the rule is the closing policy's, applied by closing.service.set_window."""
from __future__ import annotations

from datetime import timedelta

import pytest

from moderation.articles.models import Article
from moderation.closing import service as closing
from moderation.closing.policy import ClosingPolicy
from tests.factories import make_article


@pytest.mark.parametrize("hours, closes_now", [(0.5, True), (2.0, True), (2.01, False), (48.0, False),
                                               (None, False)])
def test_the_policy_says_whether_a_window_closes_the_thread_now(runtime, hours, closes_now):
    article_id = make_article(runtime, "a-1", published_at=runtime.now() - timedelta(hours=2))
    policy = ClosingPolicy.from_settings(runtime.settings)
    with runtime.db.transaction(write=False) as session:
        article = session.get(Article, article_id)
        assert policy.window_change_closes_now(article, hours, runtime.now()) is closes_now


def test_a_closing_window_is_refused_unless_confirmed(runtime):
    article_id = make_article(runtime, "a-1", published_at=runtime.now() - timedelta(hours=2))
    policy = ClosingPolicy.from_settings(runtime.settings)
    with pytest.raises(closing.ConfirmationRequired) as refused, runtime.db.transaction() as session:
        closing.set_window(session, article_id, 1.0, "user:alice", runtime.now(), policy=policy, confirmed=False)
    assert refused.value.status == 409 and refused.value.code == "confirmation_required"
    with runtime.db.transaction(write=False) as session:
        article = session.get(Article, article_id)
        assert article.close_after_hours is None and policy.is_open(article, runtime.now())
    # A window that keeps it open needs no confirmation; a confirmed one closes it.
    with runtime.db.transaction() as session:
        closing.set_window(session, article_id, 10.0, "user:alice", runtime.now(), policy=policy, confirmed=False)
    with runtime.db.transaction() as session:
        closing.set_window(session, article_id, 1.0, "user:alice", runtime.now(), policy=policy, confirmed=True)
    with runtime.db.transaction(write=False) as session:
        assert not policy.is_open(session.get(Article, article_id), runtime.now())


def test_a_closed_thread_needs_no_confirmation(runtime):
    article_id = make_article(runtime, "a-1", published_at=runtime.now() - timedelta(hours=100))
    policy = ClosingPolicy.from_settings(runtime.settings)
    with runtime.db.transaction() as session:
        closing.set_window(session, article_id, 1.0, "user:alice", runtime.now(), policy=policy, confirmed=False)
