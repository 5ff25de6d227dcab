"""Issue 12: the console's queue page (HTML) on PostgreSQL with 1,000,000 waiting comments:
p50/p99 render time of the first page and of a deep page (page 1,000), most toxic first and
oldest first. Target: p99 < 50 ms.

Requests go through the whole Flask app in-process as a logged-in moderator (session check,
queue_page, tab counts, templates); only the network hop is left out. The data is
bench/queue_latency.py's.

    .venv/bin/python -m bench.console_queue [--comments 1000000] [--requests 200]
    .venv/bin/python -m bench.console_queue --quick        # 20,000 comments, 20 requests: a check it runs
"""
from __future__ import annotations

import argparse
import re
import time
from datetime import datetime, timezone

from sqlalchemy import text

from bench.common import median, percentile, pg_database, write_results
from bench.queue_latency import NOW, fill
from moderation import migrate
from moderation.accounts import service as accounts
from moderation.app import create_app
from moderation.clock import FrozenClock
from moderation.config import Settings
from moderation.runtime import Runtime
from moderation.schemas import encode_cursor

PAGE = 25  # [console] page_size
ORDERS = {"toxicity": ("sort_toxicity DESC, created_at DESC, id DESC", ["sort_toxicity", "created_at", "id"]),
          "oldest": ("created_at ASC, id ASC", ["created_at", "id"])}


def cursor_for_page(runtime: Runtime, order: str, page: int) -> str | None:
    if page == 1:
        return None
    sql, keys = ORDERS[order]
    with runtime.db.engine.connect() as connection:
        row = connection.execute(text(f"SELECT {', '.join(keys)} FROM comments WHERE awaiting_review "
                                      f"ORDER BY {sql} OFFSET {(page - 1) * PAGE - 1} LIMIT 1")).one()
    values = [v.astimezone(timezone.utc).isoformat() if isinstance(v, datetime) else v for v in row]
    return encode_cursor([f"console:waiting:{order}", *values])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="20,000 comments, 20 requests, deep page 10")
    args = parser.parse_args()
    if args.quick:
        args.comments, args.articles, args.requests = 20_000, 500, 20
    deep = 10 if args.quick else 1000
    url = pg_database("moderation_bench_console")
    settings = Settings().replace(database={"url": url}, scoring={"backend": "none", "run_worker": False},
                                  closing={"run_scheduler": False}, ratelimit={"enabled": False},
                                  console={"secret_key": "bench-" + "x" * 40})
    runtime = Runtime(settings, clock=FrozenClock(NOW))
    migrate.upgrade(runtime.db.engine)
    started = time.perf_counter()
    fill(runtime, args.comments, args.articles)
    fill_seconds = time.perf_counter() - started
    password = "a bench password"
    with runtime.db.transaction() as session:
        accounts.create_account(session, "bench@example.ch", "Bench", "moderator", NOW, password=password)
    client = create_app(runtime=runtime).test_client()
    login = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    assert client.post("/console/login", data={"email": "bench@example.ch", "password": password,
                                               "csrf_token": token}).status_code == 302
    rows, results = [], []
    for order in ORDERS:
        for page in (1, deep):
            cursor = cursor_for_page(runtime, order, page)
            path = f"/console/queue?order={order}" + (f"&cursor={cursor}" if cursor else "")
            latencies = []
            for i in range(args.requests + 10):
                t0 = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - t0
                assert response.status_code == 200
                if i >= 10:  # warm-up
                    latencies.append(elapsed * 1000)
            cards = response.get_data(as_text=True).count('class="card ')
            assert cards == PAGE, cards
            results.append({"order": order, "page": page, "p50_ms": median(latencies),
                            "p99_ms": percentile(latencies, 0.99), "bytes": len(response.data)})
            rows.append(f"| {order} | {page:,} | {median(latencies):.1f} ms | {percentile(latencies, 0.99):.1f} ms |")
    markdown = "\n".join([
        f"GET /console/queue (HTML, {PAGE} cards), PostgreSQL, {args.comments:,} waiting comments over "
        f"{args.articles:,} articles, {args.requests} requests per row (after 10 warm-up), in-process Flask "
        f"client, logged in.", "", "| order | page | p50 | p99 |", "|---|---|---|---|", *rows])
    write_results("console_queue" + ("_quick" if args.quick else ""),
                  {"comments": args.comments, "fill_seconds": fill_seconds, "results": results}, markdown)


if __name__ == "__main__":
    main()
