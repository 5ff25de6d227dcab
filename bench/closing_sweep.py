"""Issue 3: one closing sweep over 1,000,000 articles with 10,000 due, on PostgreSQL and SQLite.

Layout of the archive: 970,000 locked threads (the past), 20,000 open and not due, 10,000
due (9,000 on the site window, 1,000 with their own). Reports the time of a sweep that locks
the 10,000 (median of 3, re-opening them between runs), of an idle sweep (nothing due,
median of 20), and the query plans.

    .venv/bin/python -m bench.closing_sweep [--articles 1000000] [--due 10000]
"""
from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timezone

from sqlalchemy import text

from bench.common import median, pg_database, timed, write_results
from moderation import migrate
from moderation.closing.policy import ClosingPolicy
from moderation.closing.service import lock_due_threads
from moderation.config import DatabaseSettings
from moderation.db import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def fill(db: Database, articles: int, due: int) -> None:
    """Generate rows inside the database (generate_series / a recursive CTE): fast and identical."""
    open_not_due = 2 * due
    locked = articles - due - open_not_due
    fixed_due = due // 10
    if db.is_sqlite:
        fmt = lambda expr: f"(strftime('%Y-%m-%d %H:%M:%S', {expr}) || '.000000')"  # noqa: E731
        now = "'2026-11-25 12:00:00'"
        series = "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
        ts = lambda hours_expr: fmt(f"datetime({now}, '-' || ({hours_expr}) || ' minutes')")  # noqa: E731
    else:
        series = "WITH s(i) AS (SELECT generate_series(1, {n})) "
        ts = lambda minutes_expr: f"(timestamptz '2026-11-25 12:00:00+00' - ({minutes_expr}) * interval '1 minute')"  # noqa: E731
    null_ts = "NULL" if db.is_sqlite else "CAST(NULL AS timestamptz)"
    statements = [
        # Locked archive: published 4 to ~700 days ago.
        (locked, f"SELECT 'old-' || i, 'Archive ' || i, {ts('5760 + i % 1000000')}, NULL, {ts('5760 + i % 1000000')}, "
                 f"{null_ts}, {ts('1440 + i % 1000')}, 'auto'"),
        # Open, not due: published in the last ~60 hours.
        (open_not_due, f"SELECT 'open-' || i, 'Open ' || i, {ts('i % 3600')}, NULL, {ts('i % 3600')}, {null_ts}, "
                       f"{null_ts}, NULL"),
        # Due on the site window: published 73 to ~90 hours ago.
        (due - fixed_due, f"SELECT 'due-' || i, 'Due ' || i, {ts('4380 + i % 1000')}, NULL, {ts('4380 + i % 1000')}, "
                          f"{null_ts}, {null_ts}, NULL"),
        # Due on their own 1-hour window.
        (fixed_due, f"SELECT 'fixed-' || i, 'Fixed ' || i, {ts('120 + i % 60')}, 1.0, {ts('120 + i % 60')}, "
                    f"{ts('60 + i % 60')}, {null_ts}, NULL"),
    ]
    with db.engine.begin() as connection:
        for count, select in statements:
            connection.execute(text(
                series.format(n=count) +
                "INSERT INTO articles (id, title, published_at, close_after_hours, window_opened_at, "
                "fixed_closes_at, locked_at, lock_reason, created_at, updated_at) "
                f"SELECT id, title, published_at, CAST(hours AS FLOAT), opened, fixed, locked, reason, published_at, "
                f"published_at "
                f"FROM ({_aliased(select)} FROM s) AS g"))
        connection.execute(text("ANALYZE"))


def _aliased(select: str) -> str:
    """Name the generated columns (SQLite has no "AS g(a, b)" column list)."""
    names = ["id", "title", "published_at", "hours", "opened", "fixed", "locked", "reason"]
    depth, parts, current = 0, [], ""
    for char in select[len("SELECT "):]:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    parts.append(current)
    return "SELECT " + ", ".join(f"{part.strip()} AS {name}" for part, name in zip(parts, names))


def reopen_due(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE articles SET locked_at = NULL, lock_reason = NULL "
                                "WHERE id LIKE 'due-%' OR id LIKE 'fixed-%'"))


def plans(db: Database, policy: ClosingPolicy) -> list[str]:
    cutoff = policy.site_window_cutoff(NOW).replace(tzinfo=None).isoformat(sep=" ")
    now = NOW.replace(tzinfo=None).isoformat(sep=" ")
    queries = [
        "SELECT id FROM articles WHERE locked_at IS NULL AND fixed_closes_at IS NULL "
        f"AND window_opened_at <= '{cutoff}' LIMIT 1000",
        "SELECT id FROM articles WHERE locked_at IS NULL AND fixed_closes_at IS NOT NULL "
        f"AND fixed_closes_at <= '{now}' LIMIT 1000",
    ]
    out = []
    with db.engine.connect() as connection:
        for query in queries:
            prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
            rows = connection.execute(text(prefix + query)).all()
            out.append(" | ".join(str(row[-1]) for row in rows))
    return out


def sweep(db: Database, policy: ClosingPolicy, now: datetime) -> int:
    with db.transaction() as session:
        return len(lock_due_threads(session, policy, now))


def run_backend(name: str, url: str, articles: int, due: int) -> dict:
    db = Database(DatabaseSettings(url=url, sqlite_synchronous="NORMAL"))
    migrate.upgrade(db.engine)
    fill_seconds, _ = timed(fill, db, articles, due)
    policy = ClosingPolicy(72)
    full, locked = [], 0
    for _ in range(3):
        seconds, locked = timed(sweep, db, policy, NOW)
        full.append(seconds)
        reopen_due(db)
    sweep(db, policy, NOW)  # lock them for the idle runs
    idle = [timed(sweep, db, policy, NOW)[0] for _ in range(20)]
    result = {"backend": name, "articles": articles, "due": due, "locked_per_sweep": locked,
              "fill_seconds": round(fill_seconds, 1), "sweep_seconds_median": median(full),
              "sweep_seconds_runs": full, "idle_sweep_ms_median": median(idle) * 1000, "plans": plans(db, policy)}
    db.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(run_backend("sqlite", f"sqlite:///{folder}/sweep.db", args.articles, args.due))
    results.append(run_backend("postgresql", pg_database("moderation_bench_sweep"), args.articles, args.due))
    lines = ["| database | articles | due | sweep locking them (median of 3) | idle sweep (median of 20) "
             "| index used |",
             "|---|---|---|---|---|---|"]
    for r in results:
        used = all("ix_articles_open" in plan for plan in r["plans"])
        lines.append(f"| {r['backend']} | {r['articles']:,} | {r['due']:,} | {r['sweep_seconds_median']:.2f} s | "
                     f"{r['idle_sweep_ms_median']:.2f} ms | {'yes' if used else 'NO'} |")
    lines.append("")
    for r in results:
        lines.append(f"Plans on {r['backend']}:")
        lines += [f"- `{plan}`" for plan in r["plans"]]
    write_results("closing_sweep", {"results": results}, "\n".join(lines))


if __name__ == "__main__":
    main()
