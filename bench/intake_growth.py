"""What grows with the table on intake (issue 24, point 3): the plans of intake's statements
and the cost of a post, on an empty database and with N stored comments.

    .venv/bin/python -m bench.intake_growth [--database sqlite|postgres] [--stored 1000000] [--posts 2000]

Posts go through the service (comments.service.post_comment, one transaction each, as the
view opens it), so the figures are the database's share of intake; the archive is the same
as `make bench` stores (bench.common.seed_archive). Plans: EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL.
"""
from __future__ import annotations

import argparse
import tempfile
import time

from sqlalchemy import text

from bench.common import median, pg_database, seed_archive


def build(url: str):
    from moderation import migrate
    from moderation.config import Settings
    from moderation.db import Database, make_engine
    from moderation.runtime import Runtime

    settings = Settings().replace(database={"url": url}, closing={"run_scheduler": False},
                                  scoring={"backend": "fake", "run_worker": False}, webhooks={"run_worker": False})
    engine = make_engine(settings.database)
    migrate.upgrade(engine)
    return Runtime(settings, database=Database(settings.database, engine)), engine


def post_many(runtime, article_id: str, count: int, tag: str) -> list[float]:
    from moderation.comments import service as comments

    durations = []
    for i in range(count):
        new = comments.NewComment(author_id=f"r-{tag}-{i}", author_name="Lecteur",
                                  body=f"Commentaire {tag}-{i} : je ne suis pas d’accord avec la décision.")
        started = time.perf_counter()
        with runtime.db.transaction() as session:
            comments.post_comment(session, article_id, new, runtime.intake_rules, runtime.now())
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def plans(runtime, engine, article_id: str) -> list[str]:
    from moderation.comments import service as comments

    postgres = engine.dialect.name == "postgresql"
    now = runtime.now()
    params = {"article_id": article_id, "author_id": "r-plan", "digest": "0" * 64, "author_ban_key": "r-plan",
              "since": now}
    statements = [("intake checks", comments._INTAKE_CHECKS_LOCKED if postgres else comments._INTAKE_CHECKS, params)]
    lines = []
    with engine.connect() as connection:
        for name, statement, values in statements:
            compiled = statement.compile(dialect=engine.dialect)
            bound = {**compiled.params, **{k: v for k, v in values.items() if k in compiled.params}}
            sql = str(compiled)
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            if postgres:
                connection.execute(text("BEGIN"))
            rows = connection.exec_driver_sql(prefix + sql, bound if postgres else tuple(
                bound[k] for k in compiled.positiontup)).all()
            if postgres:
                connection.execute(text("ROLLBACK"))
            lines.append(f"{name}:")
            lines += ["    " + " | ".join(str(v) for v in row) for row in rows]
        insert_plan = ("EXPLAIN QUERY PLAN INSERT INTO comments (article_id, author_id, author_name, body, status, "
                       "created_at, version, awaiting_review, open_reports, sort_toxicity, score_attempts) VALUES "
                       "('x', 'a', 'n', 'b', 'pending', '2026-01-01', 1, 1, 0, -1, 0)")
        if not postgres:
            lines.append("insert: " + "; ".join(" | ".join(map(str, r)) for r in connection.exec_driver_sql(
                insert_plan).all()) or "insert: (no search)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=2000)
    args = parser.parse_args()
    url = (f"sqlite:///{tempfile.mkdtemp()}/growth.db" if args.database == "sqlite"
           else pg_database("moderation_bench_growth"))
    runtime, engine = build(url)
    from datetime import timedelta

    from moderation.articles import service as articles

    now = runtime.now()
    with runtime.db.transaction() as session:
        articles.upsert_article(session, "big", {"title": "Big", "published_at": now - timedelta(hours=1)}, now)
    empty = post_many(runtime, "big", args.posts, "empty")
    print(f"empty: median {median(empty):.3f} ms per post")
    print("\n".join(plans(runtime, engine, "big")))
    started = time.perf_counter()
    seed_archive(url, args.stored)
    print(f"seeded {args.stored:,} in {time.perf_counter() - started:.0f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    full = post_many(runtime, "big", args.posts, "full")
    print(f"{args.stored:,} stored: median {median(full):.3f} ms per post "
          f"({median(empty) / median(full):.2f} of the empty database's rate)")
    print("\n".join(plans(runtime, engine, "big")))


if __name__ == "__main__":
    main()
