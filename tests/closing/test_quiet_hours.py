"""Quiet hours (issue 26): the schedule, exact to the second, in the site's time zone across
daylight-saving changes; posting paused, not closed; the 72-hour deadline; exempt articles."""
import itertools
from datetime import datetime, timedelta, timezone

import hypothesis
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from moderation.app import create_app
from moderation.clock import utc_iso
from moderation.closing.jobs import sweep, upcoming_deadline
from moderation.closing.policy import QuietHours
from moderation.closing.service import lock_due_threads, next_deadline
from moderation.config import ConfigError, load_settings
from moderation.runtime import Runtime
from tests.conftest import T0, base_settings
from tests.factories import headers, make_article, make_comment, make_key

SECOND = timedelta(seconds=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def schedule(daily=(), **by_day) -> QuietHours:
    return QuietHours.from_config(list(daily), by_day, "Europe/Zurich")


def pause(quiet: QuietHours, moment: datetime):
    return quiet.pause_at(moment)


# --- the schedule ---------------------------------------------------------------------------

def test_a_range_crossing_midnight_to_the_second():
    # Wednesday 25 November 2026, Zurich is on CET (UTC+1): 23:00 is 22:00 UTC.
    quiet = schedule(["23:00-06:00"])
    start, end = utc(2026, 11, 25, 22), utc(2026, 11, 26, 5)
    assert pause(quiet, start - SECOND) is None
    assert pause(quiet, start) == (start, end)
    assert pause(quiet, start + SECOND) == (start, end)
    assert pause(quiet, end - SECOND) == (start, end)
    assert pause(quiet, end) is None
    assert pause(quiet, end + SECOND) is None
    assert quiet.next_change(start - SECOND) == start
    assert quiet.next_change(start) == end
    assert quiet.next_change(end) == utc(2026, 11, 26, 22)


def test_several_ranges_a_day_and_one_inside_the_day():
    quiet = schedule(["12:00-13:30", "23:00-06:00"])
    assert pause(quiet, utc(2026, 11, 25, 11)) == (utc(2026, 11, 25, 11), utc(2026, 11, 25, 12, 30))
    assert pause(quiet, utc(2026, 11, 25, 12, 30)) is None
    assert pause(quiet, utc(2026, 11, 25, 3)) == (utc(2026, 11, 24, 22), utc(2026, 11, 25, 5))


def test_a_whole_day_and_touching_ranges_make_one_pause():
    quiet = schedule(["22:00-24:00", "00:00-07:00"])
    assert pause(quiet, utc(2026, 11, 25, 23)) == (utc(2026, 11, 25, 21), utc(2026, 11, 26, 6))


def test_weekdays_replace_the_daily_ranges_on_their_day():
    # Friday 27 November: the daily range; Saturday 28: later and longer; Sunday 29: none.
    quiet = schedule(["23:00-06:00"], sat=["22:00-08:00"], sun=[])
    friday_night = pause(quiet, utc(2026, 11, 27, 23))
    assert friday_night == (utc(2026, 11, 27, 22), utc(2026, 11, 28, 5))
    assert pause(quiet, utc(2026, 11, 28, 20, 59, 59)) is None
    assert pause(quiet, utc(2026, 11, 28, 21)) == (utc(2026, 11, 28, 21), utc(2026, 11, 29, 7))
    assert pause(quiet, utc(2026, 11, 29, 22, 30)) is None  # Sunday night: none
    assert pause(quiet, utc(2026, 11, 30, 22, 30)) == (utc(2026, 11, 30, 22), utc(2026, 12, 1, 5))


def test_overlapping_ranges_of_two_days_resume_at_the_end_of_both():
    quiet = schedule(["23:00-06:00"], sat=["05:00-09:00"])
    assert pause(quiet, utc(2026, 11, 28, 1)) == (utc(2026, 11, 27, 22), utc(2026, 11, 28, 8))


def test_spring_forward_night_has_no_two_o_clock():
    # Sunday 28 March 2027: at 02:00 CET (01:00 UTC) the clock jumps to 03:00 CEST.
    quiet = schedule(["23:00-06:00"])
    assert pause(quiet, utc(2027, 3, 28, 1)) == (utc(2027, 3, 27, 22), utc(2027, 3, 28, 4))  # 6 hours
    assert pause(quiet, utc(2027, 3, 28, 4) - SECOND) is not None
    assert pause(quiet, utc(2027, 3, 28, 4)) is None
    # A boundary the clock skips takes effect when the clock jumps past it.
    skipped = schedule(["02:30-04:00"])
    assert pause(skipped, utc(2027, 3, 28, 1) - SECOND) is None
    assert pause(skipped, utc(2027, 3, 28, 1)) == (utc(2027, 3, 28, 1), utc(2027, 3, 28, 2))
    assert pause(skipped, utc(2027, 3, 28, 2)) is None
    # The nights around it are an hour apart in UTC.
    assert pause(skipped, utc(2027, 3, 27, 1, 30)) == (utc(2027, 3, 27, 1, 30), utc(2027, 3, 27, 3))
    assert pause(skipped, utc(2027, 3, 29, 0, 30)) == (utc(2027, 3, 29, 0, 30), utc(2027, 3, 29, 2))


def test_fall_back_night_has_two_o_clock_twice():
    # Sunday 31 October 2027: at 03:00 CEST (01:00 UTC) the clock goes back to 02:00 CET.
    quiet = schedule(["23:00-06:00"])
    assert pause(quiet, utc(2027, 10, 31, 1)) == (utc(2027, 10, 30, 21), utc(2027, 10, 31, 5))  # 8 hours
    # A boundary at a time the clock shows twice takes effect the first time.
    twice = schedule(["01:30-02:30"])
    assert pause(twice, utc(2027, 10, 30, 23, 30) - SECOND) is None
    assert pause(twice, utc(2027, 10, 30, 23, 30)) == (utc(2027, 10, 30, 23, 30), utc(2027, 10, 31, 0, 30))
    assert pause(twice, utc(2027, 10, 31, 0, 30)) is None
    assert pause(twice, utc(2027, 10, 31, 1, 15)) is None  # 02:15 again, CET: open
    starts_twice = schedule(["02:30-03:00"])
    assert pause(starts_twice, utc(2027, 10, 31, 0, 30)) == (utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 2))
    assert pause(starts_twice, utc(2027, 10, 31, 1, 45)) is not None  # 02:45 CET, the second time


def test_open_time_walks_over_pauses_both_ways():
    quiet = schedule(["23:00-06:00"])
    opened = utc(2026, 11, 25, 8)  # Wednesday 09:00
    # 14 h to 23:00, then 17 h each day: Thursday, Friday, Saturday; 7 h on Sunday from 06:00.
    assert quiet.open_until(opened, timedelta(hours=72)) == utc(2026, 11, 29, 12)
    assert quiet.open_since(utc(2026, 11, 29, 12), timedelta(hours=72)) == opened
    # Opened during a pause: the count starts when it ends.
    assert quiet.open_until(utc(2026, 11, 25, 2), timedelta(hours=1)) == utc(2026, 11, 25, 6)
    # A deadline that falls exactly on the start of a pause stays there.
    assert quiet.open_until(utc(2026, 11, 25, 21), timedelta(hours=1)) == utc(2026, 11, 25, 22)


def test_no_range_is_no_schedule():
    assert QuietHours.from_config([], {}, "Europe/Zurich") is None
    assert QuietHours.from_config([], {"sat": []}, "Europe/Zurich") is None


@pytest.mark.parametrize("environ,message", [
    ({"MODERATION_CLOSING__QUIET_HOURS": '["23:00"]'}, "closing.quiet_hours"),
    ({"MODERATION_CLOSING__QUIET_HOURS": '["25:00-06:00"]'}, "closing.quiet_hours"),
    ({"MODERATION_CLOSING__QUIET_HOURS": '["06:00-06:00"]'}, "closing.quiet_hours"),
    ({"MODERATION_CLOSING__QUIET_HOURS_BY_DAY": '{"saturday": ["22:00-08:00"]}'}, "closing.quiet_hours_by_day"),
    ({"MODERATION_CLOSING__QUIET_HOURS_BY_DAY": '{"sat": "22:00-08:00"}'}, "closing.quiet_hours_by_day.sat"),
    ({"MODERATION_CLOSING__QUIET_HOURS": '["00:00-24:00"]'}, "closing.quiet_hours: no time left open"),
])
def test_invalid_schedules_name_the_key(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ)


def test_schedule_from_config_defaults_to_none():
    settings = load_settings({})
    assert settings.closing.quiet_hours == [] and settings.closing.quiet_hours_by_day == {}
    assert settings.closing.extend_for_quiet_hours is False
    settings = load_settings({"MODERATION_CLOSING__QUIET_HOURS": '["23:00-06:00"]',
                              "MODERATION_CLOSING__QUIET_HOURS_BY_DAY": '{"sun": []}'})
    assert settings.closing.quiet_hours == ["23:00-06:00"]
    assert settings.closing.quiet_hours_by_day == {"sun": []}


ZONES = ["Europe/Zurich", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
_ranges = st.lists(st.tuples(st.integers(0, 23), st.sampled_from([0, 30]), st.integers(0, 23),
                             st.sampled_from([0, 30])).filter(lambda r: r[:2] != r[2:]), min_size=1, max_size=3)


def _text(ranges) -> list[str]:
    return [f"{a:02d}:{b:02d}-{c:02d}:{d:02d}" for a, b, c, d in ranges]


@hypothesis_settings(max_examples=200, deadline=None)
@given(ranges=_ranges, saturday=st.none() | _ranges, zone=st.sampled_from(ZONES),
       moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1),
                           timezones=st.just(timezone.utc)),
       window=st.integers(1, 400 * 3600))
def test_pauses_boundaries_and_open_time_agree(ranges, saturday, zone, moment, window):
    by_day = {} if saturday is None else {"sat": _text(saturday)}
    try:
        quiet = QuietHours.from_config(_text(ranges), by_day, zone)
    except ConfigError:
        return  # a schedule config refuses (no time left open)
    hypothesis.assume(quiet is not None)
    found = quiet.pause_at(moment)
    if found is not None:
        start, end = found
        assert start <= moment < end
        assert quiet.pause_at(start) == found and quiet.pause_at(end) is None
        assert quiet.pause_at(start - timedelta(microseconds=1)) is None  # touching pauses are one
        assert quiet.next_change(moment) == end
    else:
        following = quiet.next_change(moment)
        assert following > moment and quiet.pause_at(following)[0] == following
        assert quiet.pause_at(following - timedelta(microseconds=1)) is None
    open_time = timedelta(seconds=window)
    closes = quiet.open_until(moment, open_time)
    quiet_time = sum((min(e, closes) - s for s, e in itertools.takewhile(lambda p: p[0] < closes,
                                                                         quiet.after(moment))), timedelta())
    assert closes - moment - quiet_time == open_time
    assert quiet.open_since(closes, open_time) >= moment
    assert quiet.open_until(quiet.open_since(closes, open_time), open_time) == closes


# --- through the API: paused, not closed --------------------------------------------------

@pytest.fixture
def settings(database_url):
    return base_settings(database_url, closing={"quiet_hours": ["23:00-06:00"]})


@pytest.fixture
def frontend(runtime):
    return headers(make_key(runtime, "frontend"))


@pytest.fixture
def moderator(runtime):
    return headers(make_key(runtime, "moderator"))


@pytest.fixture
def extended(settings, clock, runtime):
    """The same database with [closing] extend_for_quiet_hours = true."""
    return Runtime(settings.replace(closing={"extend_for_quiet_hours": True}), clock=clock, database=runtime.db)


_bodies = itertools.count()


def post(client, frontend, article_id="a-1"):
    return client.post(f"/api/v1/articles/{article_id}/comments", headers=frontend,
                       json={"author": {"id": "r1", "name": "Léa"}, "body": f"Bonsoir n°{next(_bodies)}"})


def status(client, article_id="a-1"):
    return client.get(f"/api/v1/articles/{article_id}").json["comments"]


def test_posting_pauses_and_resumes_to_the_second(client, frontend, moderator, runtime, clock):
    make_article(runtime, "a-1", published_at=T0)
    comment = make_comment(runtime, "a-1", status="approved")
    pause, resume = utc(2026, 11, 25, 22), utc(2026, 11, 26, 5)  # Wednesday 23:00 to Thursday 06:00
    clock.set(pause - SECOND)
    assert post(client, frontend).status_code == 202
    assert status(client) == {**status(client), "open": True, "paused": False, "resumes_at": None}
    for moment in (pause, pause + SECOND, resume - SECOND):
        clock.set(moment)
        refused = post(client, frontend)
        assert refused.status_code == 409
        assert refused.json["error"] == {
            "code": "comments_paused", "message": refused.json["error"]["message"],
            "details": {"resumes_at": "2026-11-26T05:00:00Z", "closes_at": "2026-11-28T08:00:00Z"}}
        now = status(client)
        assert (now["open"], now["paused"], now["resumes_at"]) == (True, True, "2026-11-26T05:00:00Z")
    # Paused, not closed: readers read and report, moderators decide.
    assert client.get("/api/v1/articles/a-1/comments").json["count"] == 1
    assert client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                       json={"reporter_id": "reader-9", "reason": "spam"}).status_code == 202
    decided = client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator,
                          json={"action": "reject", "expected_status": "approved", "reason": "spam"})
    assert decided.status_code == 200
    for moment in (resume, resume + SECOND):
        clock.set(moment)
        assert post(client, frontend).status_code == 202
        now = status(client)
        assert (now["open"], now["paused"], now["resumes_at"]) == (True, False, None)


@pytest.mark.parametrize("night,pause,resume", [
    ("spring", utc(2027, 3, 27, 22), utc(2027, 3, 28, 4)),  # 23:00 CET to 06:00 CEST: 6 hours
    ("autumn", utc(2027, 10, 30, 21), utc(2027, 10, 31, 5)),  # 23:00 CEST to 06:00 CET: 8 hours
])
def test_the_nights_the_clocks_change(client, frontend, runtime, clock, night, pause, resume):
    make_article(runtime, night, published_at=pause - timedelta(hours=2))
    clock.set(pause - SECOND)
    assert post(client, frontend, night).status_code == 202
    clock.set(pause)
    assert post(client, frontend, night).json["error"]["details"]["resumes_at"] == utc_iso(resume)
    clock.set(resume - SECOND)
    assert post(client, frontend, night).json["error"]["code"] == "comments_paused"
    clock.set(resume)
    assert post(client, frontend, night).status_code == 202


def test_a_retry_of_a_comment_stored_before_the_pause_still_gets_it(client, frontend, runtime, clock):
    make_article(runtime, "a-1", published_at=T0)
    clock.set(utc(2026, 11, 25, 21, 59))
    body = {"author": {"id": "r1", "name": "Léa"}, "body": "Juste avant"}
    sent = headers(frontend["Authorization"].removeprefix("Bearer "), **{"Idempotency-Key": "k-1"})
    first = client.post("/api/v1/articles/a-1/comments", headers=sent, json=body)
    clock.set(utc(2026, 11, 25, 22, 1))
    again = client.post("/api/v1/articles/a-1/comments", headers=sent, json=body)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json["id"] == first.json["id"]


def test_a_deadline_inside_quiet_hours_closes_the_thread_then(client, frontend, runtime, clock):
    # Published Wednesday 03:00, during quiet hours: the 72 hours end Saturday 03:00, inside them.
    make_article(runtime, "a-1", published_at=utc(2026, 11, 25, 2))
    deadline = utc(2026, 11, 28, 2)
    clock.set(deadline - SECOND)
    refused = post(client, frontend)
    assert refused.json["error"]["code"] == "comments_paused"
    # It will not resume: it closes before the pause ends.
    assert refused.json["error"]["details"] == {"resumes_at": None, "closes_at": "2026-11-28T02:00:00Z"}
    now = status(client)
    assert (now["open"], now["paused"], now["resumes_at"], now["closes_at"]) == (
        True, True, None, "2026-11-28T02:00:00Z")
    clock.set(deadline)
    assert post(client, frontend).json["error"]["code"] == "comments_closed"
    now = status(client)
    assert (now["open"], now["paused"], now["resumes_at"]) == (False, False, None)
    assert sweep(runtime) == ["a-1"]
    clock.set(utc(2026, 11, 28, 5))  # the pause is over; the thread stays closed
    assert post(client, frontend).json["error"]["code"] == "comments_closed"


def test_extend_for_quiet_hours_adds_the_paused_time_to_the_deadline(extended, frontend, clock):
    client = create_app(runtime=extended).test_client()
    make_article(extended, "a-1", published_at=utc(2026, 11, 25, 2))
    # From Wednesday 03:00: 17 h open on Wednesday, Thursday, Friday and Saturday (06:00-23:00),
    # 4 more on Sunday from 06:00: 72 hours of open time end on Sunday 29 at 10:00 (09:00 UTC).
    deadline = utc(2026, 11, 29, 9)
    assert status(client)["closes_at"] == "2026-11-29T09:00:00Z"
    clock.set(utc(2026, 11, 28, 2))  # the 72 hours since publication are over; paused
    refused = post(client, frontend)
    assert refused.json["error"]["details"] == {"resumes_at": "2026-11-28T05:00:00Z",
                                                "closes_at": "2026-11-29T09:00:00Z"}
    assert sweep(extended) == []
    clock.set(deadline - SECOND)
    assert post(client, frontend).status_code == 202
    assert sweep(extended) == []
    assert upcoming_deadline(extended) == deadline
    clock.set(deadline)
    assert post(client, frontend).json["error"]["code"] == "comments_closed"
    assert sweep(extended) == ["a-1"]


def test_extension_of_a_thread_with_its_own_window(extended, clock):
    # One hour, from Wednesday 22:30: half an hour before the pause, half an hour after it.
    make_article(extended, "own", published_at=utc(2026, 11, 25, 21, 30), close_after_hours=1)
    make_article(extended, "site", published_at=utc(2026, 11, 25, 8))  # Sunday 13:00 (12:00 UTC)
    assert upcoming_deadline(extended) == utc(2026, 11, 26, 5, 30)
    clock.set(utc(2026, 11, 26, 5, 30) - SECOND)
    assert sweep(extended) == []
    clock.set(utc(2026, 11, 26, 5, 30))
    assert sweep(extended) == ["own"]
    assert upcoming_deadline(extended) == utc(2026, 11, 29, 12)
    clock.set(utc(2026, 11, 29, 12) - SECOND)
    assert sweep(extended) == []
    clock.set(utc(2026, 11, 29, 12))
    assert sweep(extended) == ["site"]


def test_an_exempt_article_never_pauses_and_keeps_its_deadline(client, extended, frontend, clock):
    registered = client.put("/api/v1/articles/live", headers=frontend,
                            json={"title": "En direct", "published_at": T0.isoformat(), "quiet_hours": False})
    assert registered.status_code == 201 and registered.json["quiet_hours"] is False
    clock.set(utc(2026, 11, 25, 22, 30))
    assert post(client, frontend, "live").status_code == 202
    assert status(client, "live")["paused"] is False
    # The frontend re-sending the article without the field does not change it.
    client.put("/api/v1/articles/live", headers=frontend, json={"title": "En direct", "published_at": T0.isoformat()})
    assert client.get("/api/v1/articles/live").json["quiet_hours"] is False
    assert post(client, frontend, "live").status_code == 202
    # Quiet hours do not extend its window either.
    extended_client = create_app(runtime=extended).test_client()
    assert status(extended_client, "live")["closes_at"] == "2026-11-28T08:00:00Z"
    clock.set(utc(2026, 11, 28, 8))
    assert sweep(extended) == ["live"]
    # And back to observing them.
    put = client.put("/api/v1/articles/live", headers=frontend,
                     json={"title": "En direct", "published_at": T0.isoformat(), "quiet_hours": True})
    assert put.json["quiet_hours"] is True


def test_the_openapi_document_describes_comments_paused(client):
    doc = client.get("/api/v1/openapi.json").json
    conflict = doc["paths"]["/api/v1/articles/{article_id}/comments"]["post"]["responses"]["409"]
    assert "comments_paused" in conflict["description"] and "resumes_at" in conflict["description"]
    examples = conflict["content"]["application/json"]["examples"]
    assert examples["comments_paused"]["value"]["error"]["code"] == "comments_paused"
    assert "resumes_at" in examples["comments_paused"]["value"]["error"]["details"]
    schemas = doc["components"]["schemas"]
    thread = schemas["ThreadStatusOut"]
    assert {"paused", "resumes_at"} <= set(thread["required"])
    assert thread["properties"]["paused"]["type"] == "boolean"
    assert "quiet_hours" in schemas["ArticleIn"]["properties"]
    assert "quiet_hours" in schemas["ArticleOut"]["required"]


def test_the_sweep_reads_extended_own_windows_page_by_page(extended, clock, session):
    # Two threads of one hour from Wednesday 22:30 and two of three hours from 21:30: their
    # unextended deadlines all passed by Thursday 05:00; the sweep reads them one by one.
    for number, minutes in enumerate((0, 0, -60, -60)):
        make_article(extended, f"own-{number}", close_after_hours=1 if minutes == 0 else 3,
                     published_at=utc(2026, 11, 25, 21, 30) + timedelta(minutes=minutes))
    clock.set(utc(2026, 11, 26, 5, 30))
    assert sorted(lock_due_threads(session, extended.policy, clock.now(), batch_size=1)) == ["own-0", "own-1"]
    assert next_deadline(session, extended.policy) == utc(2026, 11, 26, 6, 30)
    clock.set(utc(2026, 11, 26, 6, 30))
    assert sorted(lock_due_threads(session, extended.policy, clock.now(), batch_size=1)) == ["own-2", "own-3"]
    assert next_deadline(session, extended.policy) is None
