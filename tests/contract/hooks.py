"""schemathesis hooks: date-times written with the years the document's pattern allows (the
listings' cursors need none: their pattern describes them exactly, and every match is a
position the server accepts), and Idempotency-Keys tied to their request.

Loaded by the fuzz test (tests/contract/test_fuzz.py) and, for the CLI, with
``SCHEMATHESIS_HOOKS=tests.contract.hooks``.
"""
import hashlib
import json
from datetime import datetime, timedelta, timezone

import schemathesis
from hypothesis import strategies as st

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
