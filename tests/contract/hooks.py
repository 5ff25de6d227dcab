"""schemathesis hooks: how to make the values whose format the document names but JSON Schema
cannot describe: the listings' cursors. Only strings this API made are cursors, so the fuzzer
is told how they are made; every value in them is within the ranges the server accepts.

Loaded by the fuzz test (tests/contract/test_fuzz.py) and, for the CLI, with
``SCHEMATHESIS_HOOKS=tests.contract.hooks``.
"""
import hashlib
import json
from datetime import datetime, timedelta, timezone

import schemathesis
from hypothesis import strategies as st

from moderation.schemas import encode_cursor, encode_listing_cursor

ids = st.integers(min_value=1, max_value=2**63 - 1)
times = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 12, 30),
                     timezones=st.just(timezone.utc))
toxicities = st.one_of(st.just(-1.0), st.floats(min_value=0, max_value=1, allow_nan=False))

thread_cursors = st.builds(lambda moment, comment_id: encode_cursor([moment.isoformat(), comment_id]), times, ids)
queue_cursors = st.one_of(
    st.builds(lambda order, moment, comment_id: encode_listing_cursor(f"queue:{order}", [moment, comment_id]),
              st.sampled_from(["oldest", "newest"]), times, ids),
    st.builds(lambda toxicity, moment, comment_id: encode_listing_cursor("queue:toxicity", [toxicity, moment,
                                                                                            comment_id]),
              toxicities, times, ids),
)
log_cursors = ids.map(lambda entry_id: encode_listing_cursor("log", [entry_id]))

schemathesis.openapi.format("thread-cursor", thread_cursors)
schemathesis.openapi.format("queue-cursor", queue_cursors)
schemathesis.openapi.format("log-cursor", log_cursors)
for listing in ("deliveries", "attempts"):  # the webhooks' admin listings: [listing, id]
    schemathesis.openapi.format(f"{listing}-cursor", ids.map(lambda entry_id, listing=listing:
                                                            encode_cursor([listing, entry_id])))

# RFC 3339 date-times written with a year 1970-2100 and any offset: what the document's input
# date-times accept (format date-time plus a pattern on the year, which generating from the
# format alone would almost never meet).
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone.utc if minutes == 0 else timezone(timedelta(minutes=minutes)))
date_times = st.builds(lambda moment, offset: moment.replace(tzinfo=timezone.utc).astimezone(offset).isoformat(),
                       st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 12, 30)), offsets)
schemathesis.openapi.format("date-time", date_times)


@schemathesis.hook
def map_case(ctx, case):
    """An Idempotency-Key names one request: the draft requires a client never to send the same
    key with another request (the server refuses it, 422). The fuzzer draws keys freely, so each
    drawn key is made specific to the request it comes with; a replay of the very same request
    keeps its key, and so still exercises the retry path."""
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and key:
        request = json.dumps([case.path_parameters, case.body], sort_keys=True, default=str, ensure_ascii=True)
        digest = hashlib.sha256(request.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        headers["Idempotency-Key"] = f"{key[:180]}.{digest}"
    return case
