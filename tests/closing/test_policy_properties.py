"""Property tests of the deadline arithmetic: time zones, DST changes, fractional windows."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.articles.models import Article
from moderation.articles.schemas import ArticleIn
from moderation.closing import policy as rules
from moderation.closing.policy import ClosingPolicy

ZONES = ["Europe/Zurich", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                       timezones=st.sampled_from([ZoneInfo(z) for z in ZONES]))
windows = st.floats(min_value=1 / 3600, max_value=10 * 365 * 24, allow_nan=False, allow_infinity=False)


def article(published: datetime, override: float | None = None) -> Article:
    published = published.astimezone(timezone.utc)
    return Article(id="a", published_at=published, window_opened_at=published, close_after_hours=override,
                   fixed_closes_at=rules.fixed_closes_at(published, override))


@settings(max_examples=300, deadline=None)
@given(published=moments, window=windows)
def test_deadline_is_elapsed_time_not_wall_clock(published, window):
    """A window is real elapsed time: a DST change does not add or remove an hour."""
    closes_at = ClosingPolicy(window).closes_at(article(published))
    assert closes_at.utcoffset() == timedelta(0)
    elapsed = closes_at - published.astimezone(timezone.utc)
    assert abs(elapsed - timedelta(hours=window)) <= timedelta(microseconds=1)


@settings(max_examples=300, deadline=None)
@given(published=moments, window=windows, zone=st.sampled_from(ZONES))
def test_same_instant_in_any_zone_gives_the_same_deadline(published, window, zone):
    elsewhere = published.astimezone(ZoneInfo(zone))
    policy = ClosingPolicy(window)
    assert policy.closes_at(article(published)) == policy.closes_at(article(elsewhere))


@settings(max_examples=300, deadline=None)
@given(published=moments, window=windows, override=st.none() | windows)
def test_open_until_the_deadline_and_closed_from_it(published, window, override):
    policy = ClosingPolicy(window)
    thread = article(published, override)
    closes_at = policy.closes_at(thread)
    assert policy.is_open(thread, closes_at - timedelta(microseconds=1))
    assert not policy.is_open(thread, closes_at)
    assert not policy.is_open(thread, closes_at + timedelta(seconds=1))
    if override is not None:
        assert closes_at == thread.published_at + rules.hours(override)


@settings(max_examples=200, deadline=None)
@given(a=windows, b=windows)
def test_longer_windows_close_later(a, b):
    low, high = sorted((a, b))
    assert rules.hours(low) <= rules.hours(high)


@settings(max_examples=200, deadline=None)
@given(published=moments)
def test_api_parses_any_offset_to_the_same_utc_instant(published):
    loaded = ArticleIn().load({"title": "T", "published_at": published.isoformat()})
    # Compared in UTC: Python never calls an ambiguous (DST fold) local time equal across zones.
    assert loaded["published_at"] == published.astimezone(timezone.utc)
    assert loaded["published_at"].utcoffset() == timedelta(0)


def test_zurich_dst_end_example():
    """Published Saturday noon before the clocks go back: closes 72 real hours later,
    which is 11:00 local on Tuesday, not 12:00."""
    zurich = ZoneInfo("Europe/Zurich")
    published = datetime(2026, 10, 24, 12, 0, tzinfo=zurich)
    closes_at = ClosingPolicy(72).closes_at(article(published))
    assert closes_at.astimezone(zurich) == datetime(2026, 10, 27, 11, 0, tzinfo=zurich)
