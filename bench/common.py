"""Shared helpers for the benchmarks: databases to fill, timing and result files."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text

RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pg_database(name: str) -> str:
    """A fresh, empty PostgreSQL database for a benchmark; returns its URL."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def write_results(name: str, data: dict, markdown: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    data = {"machine": machine(), "commit": _commit(), **data}
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown + "\n")
    print(markdown)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=10).stdout.strip()
    except Exception:
        return "unknown"


def seed_archive(url: str, count: int, articles: int = 1000) -> None:
    """``count`` stored comments (decided, as an archive is) spread over ``articles`` articles,
    written by SQL in one statement: what the intake benchmarks call "N stored"."""
    engine = create_engine(url)
    sqlite = url.startswith("sqlite")
    series = ("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) " if sqlite
              else "WITH s(i) AS (SELECT generate_series(1, :n)) ")
    created = "'2026-01-01 00:00:00.000000'" if sqlite else "timestamptz '2026-01-01 00:00+00'"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO articles (id, title, published_at, window_opened_at, created_at, updated_at) "
            + series.replace(":n", str(int(articles))) + f"SELECT 'archive-' || i, 'Archive', {created}, {created}, "
            f"{created}, {created} FROM s"))
        connection.execute(text(
            series + "INSERT INTO comments (article_id, author_id, author_name, body, status, created_at, "
            "awaiting_review, open_reports, sort_toxicity, scored_at, body_digest) "
            f"SELECT 'archive-' || (1 + i % {int(articles)}), 'old-' || (i % 100000), 'Ancien', "
            f"'Commentaire archivé ' || i, CASE WHEN i % 3 = 0 THEN 'rejected' ELSE 'approved' END, {created}, "
            f"{'0' if sqlite else 'false'}, 0, 0.1, {created}, NULL FROM s"), {"n": count})
    # An archive has long been checkpointed (SQLite: its WAL written back) and vacuumed and
    # analysed (PostgreSQL); without this, the rows just written are measured being tidied
    # up (autovacuum, a WAL checkpoint of the whole insert) instead of intake.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)" if sqlite else "VACUUM ANALYZE"))
    engine.dispose()
