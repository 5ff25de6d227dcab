from datetime import datetime, timedelta, timezone

from moderation.articles.models import Article
from moderation.closing import policy as rules
from moderation.closing.policy import ClosingPolicy

PUBLISHED = datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)


def article(**fields):
    opened = fields.pop("window_opened_at", PUBLISHED)
    override = fields.pop("close_after_hours", None)
    return Article(id="a", published_at=PUBLISHED, window_opened_at=opened, close_after_hours=override,
                   fixed_closes_at=rules.fixed_closes_at(opened, override), **fields)


def test_site_window_is_72_hours_and_the_deadline_itself_is_closed():
    policy = ClosingPolicy(72)
    deadline = PUBLISHED + timedelta(hours=72)
    assert policy.closes_at(article()) == deadline
    assert policy.is_open(article(), deadline - timedelta(seconds=1))
    assert not policy.is_open(article(), deadline)
    assert not policy.is_open(article(), deadline + timedelta(seconds=1))


def test_override_and_fractions():
    assert ClosingPolicy(72).closes_at(article(close_after_hours=0.5)) == PUBLISHED + timedelta(minutes=30)
    assert ClosingPolicy(0.25).closes_at(article()) == PUBLISHED + timedelta(minutes=15)
    assert rules.hours(1 / 3) == timedelta(minutes=20)


def test_locked_thread_is_closed_before_its_deadline():
    assert not ClosingPolicy(72).is_open(article(locked_at=PUBLISHED), PUBLISHED + timedelta(hours=1))


def test_reopened_window_counts_from_reopening():
    reopened = PUBLISHED + timedelta(days=5)
    assert rules.window_opened_at(PUBLISHED, reopened) == reopened
    assert rules.window_opened_at(reopened + timedelta(hours=1), reopened) == reopened + timedelta(hours=1)
    assert rules.window_opened_at(PUBLISHED, None) == PUBLISHED
