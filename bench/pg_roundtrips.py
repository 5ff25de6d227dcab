"""What a public read's database access costs on PostgreSQL apart from its one statement.

`make bench` found thread reads and revalidations on PostgreSQL at 8-25 % of the floor where
SQLite reaches 22-65 %, and a revalidation (one indexed lookup) no faster than a full read:
the cost is in the round trips around the lookup, not in the page. This times, in process,
the thread-version lookup as the service runs it (make_engine: pool_pre_ping on; a read
transaction: BEGIN, the SELECT, ROLLBACK) against the same lookup without the pre-ping
and/or outside a transaction (autocommit), on a real article row.

    .venv/bin/python -m bench.pg_roundtrips [--requests 5000]
"""
from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from bench.common import median, percentile, pg_database, write_results
from moderation.config import DatabaseSettings
from moderation.db import make_engine

LOOKUP = text("SELECT thread_version FROM bench_articles WHERE id = :id")


def one_lookup(engine, autocommit: bool) -> None:
    with engine.connect() as connection:
        if autocommit:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(LOOKUP, {"id": "breaking"}).scalar_one()
        if not autocommit:
            connection.rollback()


def measure(engine, autocommit: bool, requests: int) -> list[float]:
    for _ in range(200):  # warm-up: the pool's connection, the server's plan cache
        one_lookup(engine, autocommit)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        one_lookup(engine, autocommit)
        times.append((time.perf_counter() - started) * 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    url = pg_database("bench_roundtrips")
    setup = make_engine(DatabaseSettings(url=url))
    with setup.begin() as connection:
        connection.execute(text("CREATE TABLE bench_articles (id text PRIMARY KEY, thread_version bigint NOT NULL)"))
        connection.execute(text("INSERT INTO bench_articles VALUES ('breaking', 7)"))
    setup.dispose()
    rows = []
    for pre_ping in (True, False):
        engine = make_engine(DatabaseSettings(url=url))
        # make_engine fixes pool_pre_ping=True; the pool's own flag is the only switch left.
        engine.pool._pre_ping = pre_ping
        for autocommit in (False, True):
            times = measure(engine, autocommit, args.requests)
            rows.append({"pre_ping": pre_ping, "autocommit": autocommit, "median_us": median(times),
                         "p99_us": percentile(times, 0.99)})
        engine.dispose()
    base = rows[0]["median_us"]
    lines = [f"The thread-version lookup on PostgreSQL 127.0.0.1, in process, one thread, {args.requests} lookups "
             "per row after 200 of warm-up; the first row is how the service reads today.", "",
             "| pool pre-ping | transaction | median | p99 | ÷ today |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {'on' if row['pre_ping'] else 'off'} | "
                     f"{'none (autocommit)' if row['autocommit'] else 'BEGIN … ROLLBACK'} | "
                     f"{row['median_us']:.0f} µs | {row['p99_us']:.0f} µs | {row['median_us'] / base:.2f} |")
    write_results("pg_roundtrips", {"requests": args.requests, "rows": rows}, "\n".join(lines))


if __name__ == "__main__":
    main()
