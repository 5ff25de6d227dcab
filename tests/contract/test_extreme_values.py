"""Extreme values the contract fuzzing (test_fuzz.py) does not generate: real cursors around
out-of-range ids, floats and dates, and extreme publication dates and windows. Each must be a
4xx, never a 500."""
import os
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import headers, make_article, make_comment, make_key

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# --- cursors and extreme dates --------------------------------------------------------------
# The cursors' pattern is in the document, so the fuzzer draws them itself; these strategies
# add every string the pattern allows, extremes weighted (19-digit-free ids at their largest,
# times past 2100, exponents of 999), on every listing: each must be answered, never a 500.
# Extreme publication dates and windows come below.

_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
# Whole range, with extra weight at both ends where conversions to UTC overflow.
_NAIVE = st.one_of(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
                   st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 2)),
                   st.datetimes(min_value=datetime(9998, 12, 30), max_value=datetime(9999, 12, 31, 23, 59)))
_MOMENTS = st.builds(lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), _NAIVE, _OFFSETS)
# Windows in hours: any size, with weight around the one-year and ten-year marks.
_HOURS = st.one_of(st.floats(min_value=1e-6, max_value=1e7), st.integers(1, 10**7),
                   st.floats(min_value=8000, max_value=90000))


def _listings():
    from moderation.schemas import LOG_CURSORS, QUEUE_CURSORS, THREAD_CURSORS

    return {
        "thread-oldest": ("/api/v1/articles/a-1/comments?order=oldest&cursor=", THREAD_CURSORS.pattern),
        "thread-newest": ("/api/v1/articles/a-1/comments?order=newest&cursor=", THREAD_CURSORS.pattern),
        "queue": ("/api/v1/moderation/queue?cursor=", QUEUE_CURSORS.pattern),
        "log": ("/api/v1/moderation/log?cursor=", LOG_CURSORS.pattern),
    }


@pytest.mark.parametrize("listing", ["thread-oldest", "thread-newest", "queue", "log"])
def test_every_cursor_the_pattern_allows_is_answered(client, runtime, listing):
    from urllib.parse import quote

    article = make_article(runtime, "a-1")
    for _ in range(3):
        make_comment(runtime, article, status="approved")
    make_comment(runtime, article)
    auth = headers(make_key(runtime, "admin", "cursor-fuzzer"))
    path, pattern = _listings()[listing]
    extremes = st.from_regex(pattern.replace("{1,18}", "{18}").replace("{1,16}", "{16}").replace("{2,3}", "{3}"),
                             fullmatch=True)

    @given(cursor=st.one_of(st.from_regex(pattern, fullmatch=True), extremes))
    @settings(max_examples=EXAMPLES * 4, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(cursor):
        response = client.get(path + quote(cursor), headers=auth)
        assert response.status_code == 200, f"{cursor}: {response.status_code} {response.get_data(as_text=True)[:300]}"

    exercise()


def _assert_client_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        assert set(response.json["error"]) == {"code", "message", "details"}


def test_extreme_publication_dates_and_windows_are_never_a_server_error(client, runtime):
    auth = headers(make_key(runtime, "admin", "date-fuzzer"))
    counter = iter(range(10**9))

    @given(published_at=_MOMENTS,
           hours=st.one_of(st.none(), _HOURS), unlock_hours=st.one_of(st.none(), _HOURS))
    @settings(max_examples=EXAMPLES * 8, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(published_at, hours, unlock_hours):
        article_id = f"fuzz-{next(counter)}"
        body = {"title": "Fuzz", "published_at": published_at}
        if hours is not None:
            body["close_after_hours"] = hours
        put = client.put(f"/api/v1/articles/{article_id}", json=body, headers=auth)
        _assert_client_error(put, f"PUT {body}")
        if put.status_code in (200, 201):
            _assert_client_error(client.get(f"/api/v1/articles/{article_id}"), "GET article")
            unlock = client.post(f"/api/v1/articles/{article_id}/unlock", json={"close_after_hours": unlock_hours},
                                 headers=auth)
            _assert_client_error(unlock, f"unlock {unlock_hours}")

    exercise()
