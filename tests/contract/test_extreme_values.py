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


# --- opaque cursors and extreme dates -----------------------------------------------------
# schemathesis sees a cursor as an opaque string and almost never produces one this API could
# decode, and it keeps dates within what its generator likes. These strategies build real
# cursors (the base64 JSON that encode_cursor writes) around out-of-range ids, floats and
# dates, and extreme published_at / close_after_hours values: each must be a 4xx, never a 500.

_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
# Whole range, with extra weight at both ends where conversions to UTC overflow.
_NAIVE = st.one_of(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
                   st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 2)),
                   st.datetimes(min_value=datetime(9998, 12, 30), max_value=datetime(9999, 12, 31, 23, 59)))
_MOMENTS = st.builds(lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), _NAIVE, _OFFSETS)
_IDS = st.one_of(st.integers(), st.integers(min_value=2**63 - 2, max_value=2**64 + 2))
_FLOATS = st.floats(allow_nan=True, allow_infinity=True)
# Windows in hours: any size, with weight around the one-year and ten-year marks.
_HOURS = st.one_of(st.floats(min_value=1e-6, max_value=1e7), st.integers(1, 10**7),
                   st.floats(min_value=8000, max_value=90000))
# One field extreme at a time, so that each kind of value is searched (and reported) on its own.
_SOME_MOMENT = st.just("2026-11-25T08:00:00+00:00")
_SOME_ID = st.just(1)


def _cursor(values: list) -> str:
    from moderation.schemas import encode_cursor

    return encode_cursor(values)


def _listings(moments, ids, floats):
    return {
        "thread-oldest": st.tuples(st.just("/api/v1/articles/a-1/comments?order=oldest&cursor="),
                                   st.tuples(moments, ids)),
        "thread-newest": st.tuples(st.just("/api/v1/articles/a-1/comments?order=newest&cursor="),
                                   st.tuples(moments, ids)),
        "queue-oldest": st.tuples(st.just("/api/v1/moderation/queue?order=oldest&cursor="),
                                  st.tuples(st.just("queue:oldest"), moments, ids)),
        "queue-newest": st.tuples(st.just("/api/v1/moderation/queue?order=newest&cursor="),
                                  st.tuples(st.just("queue:newest"), moments, ids)),
        "queue-toxicity": st.tuples(st.just("/api/v1/moderation/queue?order=toxicity&cursor="),
                                    st.tuples(st.just("queue:toxicity"), floats, moments, ids)),
        "log": st.tuples(st.just("/api/v1/moderation/log?cursor="), st.tuples(st.just("log"), ids)),
    }


_EXTREME = {
    "ids": _listings(_SOME_MOMENT, _IDS, st.just(0.5)),
    "dates": _listings(_MOMENTS, _SOME_ID, st.just(0.5)),
    "floats": _listings(_SOME_MOMENT, _SOME_ID, _FLOATS),
}


def _assert_client_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        assert set(response.json["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("extreme", sorted(_EXTREME))
@pytest.mark.parametrize("listing", sorted(_EXTREME["ids"]))
def test_decodable_cursors_with_extreme_values_are_never_a_server_error(client, runtime, listing, extreme):
    article = make_article(runtime, "a-1")
    for _ in range(3):
        make_comment(runtime, article, status="approved")
    make_comment(runtime, article)
    auth = headers(make_key(runtime, "admin", "cursor-fuzzer"))

    @given(case=_EXTREME[extreme][listing])
    @settings(max_examples=EXAMPLES * 2, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(case):
        path, values = case
        url = path + _cursor(list(values))
        _assert_client_error(client.get(url, headers=auth), f"{url} {values}")

    exercise()


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
