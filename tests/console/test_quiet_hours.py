"""The console shows quiet hours (issue 26, point 5, the minimum): a "paused until 06:00"
badge on the article list and the article page, in English and French."""
from datetime import datetime, timezone

import pytest

from moderation.articles.service import get_article
from moderation.closing.policy import ClosingPolicy
from moderation.console.service import open_articles
from tests.conftest import base_settings
from tests.factories import make_article

FRENCH = {"Accept-Language": "fr-CH,fr;q=0.9"}


@pytest.fixture
def settings(database_url):
    # Sessions outlast the days the clock moves here.
    return base_settings(database_url, closing={"quiet_hours": ["23:00-06:00"]}, console={"session_hours": 1000})


def test_paused_until_badge_on_the_article_list_and_page(console, runtime, clock):
    make_article(runtime, "a-1", title="Votations du 30 novembre")
    make_article(runtime, "live", title="En direct")
    with runtime.db.transaction() as session:
        get_article(session, "live").quiet_hours = False
    assert "paused until" not in console.get("/console/articles").get_data(as_text=True)
    clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=timezone.utc))  # Wednesday 23:30 in Zurich
    listing = console.get("/console/articles").get_data(as_text=True)
    assert listing.count("paused until 06:00") == 1  # the live blog is exempt
    assert "paused until 06:00" in console.get("/console/articles/a-1").get_data(as_text=True)
    assert "paused until" not in console.get("/console/articles/live").get_data(as_text=True)
    french = console.get("/console/articles/a-1", headers=FRENCH).get_data(as_text=True)
    assert "en pause jusqu’à 06:00" in french
    assert "en pause jusqu’à 06:00" in console.get("/console/articles", headers=FRENCH).get_data(as_text=True)


def test_a_thread_that_closes_during_the_pause_says_so(console, runtime, clock):
    # Published Wednesday 03:00: its 72 hours end on Saturday at 03:00, inside quiet hours.
    make_article(runtime, "a-1", published_at=datetime(2026, 11, 25, 2, tzinfo=timezone.utc))
    clock.set(datetime(2026, 11, 28, 1, tzinfo=timezone.utc))
    assert "paused until it closes" in console.get("/console/articles/a-1").get_data(as_text=True)
    french = console.get("/console/articles/a-1", headers=FRENCH).get_data(as_text=True)
    assert "en pause jusqu’à la fermeture" in french


def test_the_list_keeps_threads_that_extension_keeps_open(runtime, session, clock):
    policy = ClosingPolicy.from_settings(runtime.settings.replace(closing={"extend_for_quiet_hours": True}))
    # One hour from Wednesday 22:30: half an hour before the pause, half an hour after it.
    make_article(runtime, "own", published_at=datetime(2026, 11, 25, 21, 30, tzinfo=timezone.utc), close_after_hours=1)
    make_article(runtime, "site", published_at=datetime(2026, 11, 22, 12, tzinfo=timezone.utc))  # Sunday 13:00
    clock.set(datetime(2026, 11, 26, 1, tzinfo=timezone.utc))  # both past their unextended deadline
    rows = open_articles(session, policy, clock.now(), "closing")
    assert [(row.article.id, row.paused, row.closes_at) for row in rows] == [
        ("own", True, datetime(2026, 11, 26, 5, 30, tzinfo=timezone.utc)),
        ("site", True, datetime(2026, 11, 26, 16, tzinfo=timezone.utc))]  # 10 + 3 x 17 + 11 hours
    assert open_articles(session, runtime.policy, clock.now(), "closing") == []


def test_queue_cards_show_the_pause_ahead_and_the_pause_now(console, runtime, clock):
    """A moderator working the queue sees when each thread pauses tonight, and that it is
    paused once it is (issue 26, point 5: the cards and the queue's time-left)."""
    from tests.factories import make_comment

    make_article(runtime, "a-1", title="Votations du 30 novembre")
    make_comment(runtime, "a-1")
    clock.set(datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc))  # Wednesday 19:00 in Zurich
    queue = console.get("/console/queue").get_data(as_text=True)
    assert "pauses at 23:00" in queue and "paused until" not in queue
    assert "en pause dès 23:00" in console.get("/console/queue", headers=FRENCH).get_data(as_text=True)
    clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=timezone.utc))  # 23:30: paused
    queue = console.get("/console/queue").get_data(as_text=True)
    assert "paused until 06:00" in queue and "pauses at" not in queue
