"""Issue 5: GET /moderation/queue on PostgreSQL with 1,000,000 waiting comments over 10,000
articles: median and 99th-percentile latency of page 1 and page 1,000 in each order.

Requests go through the whole Flask app in-process (routing, auth, schemas, SQL,
serialisation); only the network hop is left out. Page 1,000 is reached with the cursor
the API itself returns for it (computed once with OFFSET, as a moderator's client would
have been handed it after 999 pages).

    .venv/bin/python -m bench.queue_latency [--comments 1000000] [--requests 200]
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

from sqlalchemy import text

from bench.common import median, percentile, pg_database, write_results
from moderation import migrate
from moderation.app import create_app
from moderation.auth import service as auth
from moderation.clock import FrozenClock
from moderation.config import Settings
from moderation.runtime import Runtime
from moderation.schemas import encode_listing_cursor

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
LIMIT = 50


def fill(runtime: Runtime, comments: int, articles: int) -> None:
    with runtime.db.engine.begin() as connection:
        connection.execute(text(
            f"INSERT INTO articles (id, title, published_at, window_opened_at, created_at, updated_at) "
            f"SELECT 'a-' || i, 'Article ' || i, t, t, t, t FROM (SELECT i, timestamptz '2026-11-25 00:00+00' "
            f"- (i % 60) * interval '1 hour' AS t FROM generate_series(1, {articles}) AS i) AS g"))
        connection.execute(text("SELECT setseed(0.42)"))
        # 90% scored, the rest unscored; a few reported; authors shared across comments.
        connection.execute(text(
            f"INSERT INTO comments (id, article_id, author_id, author_name, body, status, created_at, awaiting_review, "
            f"open_reports, language, toxicity, sort_toxicity, scored_at) "
            f"SELECT i, 'a-' || (i % {articles} + 1), 'author-' || (i % 50000), 'Lecteur ' || (i % 50000), "
            f"'Commentaire numéro ' || i || ' sur un sujet brûlant de la votation.', 'pending', "
            f"timestamptz '2026-11-25 00:00+00' - (i * interval '200 milliseconds'), true, "
            f"CASE WHEN i % 97 = 0 THEN 1 ELSE 0 END, CASE WHEN i % 5 = 0 THEN 'de' ELSE 'fr' END, "
            f"tox, COALESCE(tox, -1), CASE WHEN tox IS NULL THEN NULL ELSE timestamptz '2026-11-25 00:00+00' END "
            f"FROM (SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE random() END AS tox "
            f"FROM generate_series(1, {comments}) AS i) AS g"))
        connection.execute(text(
            "INSERT INTO comment_scores (comment_id, model, scores, scored_at) "
            "SELECT id, 'detoxify-multilingual', json_build_object('toxicity', toxicity, 'severe_toxicity', "
            "toxicity / 4, 'insult', toxicity / 2), scored_at FROM comments WHERE toxicity IS NOT NULL"))
        connection.execute(text(f"SELECT setval('comments_id_seq', {comments})"))
        # Some decided history for the author counts.
        connection.execute(text(
            "UPDATE comments SET status = CASE WHEN id % 2 = 0 THEN 'approved' ELSE 'rejected' END, "
            "awaiting_review = false WHERE id % 50 = 1"))
    with runtime.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


ORDER_COLUMNS = {"oldest": "created_at ASC, id ASC", "newest": "created_at DESC, id DESC",
                 "toxicity": "sort_toxicity DESC, created_at DESC, id DESC"}
KEYS = {"oldest": ["created_at", "id"], "newest": ["created_at", "id"],
        "toxicity": ["sort_toxicity", "created_at", "id"]}


def cursor_for_page(runtime: Runtime, order: str, page: int) -> str | None:
    if page == 1:
        return None
    with runtime.db.engine.connect() as connection:
        row = connection.execute(text(
            f"SELECT {', '.join(KEYS[order])} FROM comments WHERE awaiting_review ORDER BY {ORDER_COLUMNS[order]} "
            f"OFFSET {(page - 1) * LIMIT - 1} LIMIT 1")).one()
    values = [v.astimezone(timezone.utc) if isinstance(v, datetime) else v for v in row]
    return encode_listing_cursor(f"queue:{order}", values)


def plan(runtime: Runtime, order: str) -> str:
    with runtime.db.engine.connect() as connection:
        rows = connection.execute(text(
            f"EXPLAIN SELECT * FROM comments WHERE awaiting_review ORDER BY {ORDER_COLUMNS[order]} LIMIT 51")).all()
    return " | ".join(row[0].strip() for row in rows[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = pg_database("moderation_bench_queue")
    settings = Settings().replace(database={"url": url}, scoring={"backend": "none", "run_worker": False},
                                  closing={"run_scheduler": False}, ratelimit={"enabled": False})
    runtime = Runtime(settings, clock=FrozenClock(NOW))
    migrate.upgrade(runtime.db.engine)
    started = time.perf_counter()
    fill(runtime, args.comments, args.articles)
    fill_seconds = time.perf_counter() - started
    with runtime.db.transaction() as session:
        key = auth.create_key(session, "bench-moderator", "moderator", NOW)
    client = create_app(runtime=runtime).test_client()
    headers = {"Authorization": f"Bearer {key}"}
    rows, results = [], []
    for order in ("oldest", "newest", "toxicity"):
        for page in (1, 1000):
            cursor = cursor_for_page(runtime, order, page)
            url_ = f"/api/v1/moderation/queue?order={order}&limit={LIMIT}" + (f"&cursor={cursor}" if cursor else "")
            latencies = []
            for i in range(args.requests + 10):
                t0 = time.perf_counter()
                response = client.get(url_, headers=headers)
                elapsed = time.perf_counter() - t0
                assert response.status_code == 200 and len(response.json["items"]) == LIMIT, response.json
                if i >= 10:  # warm-up
                    latencies.append(elapsed * 1000)
            total = response.json["total"]
            results.append({"order": order, "page": page, "p50_ms": median(latencies),
                            "p99_ms": percentile(latencies, 0.99), "total": total, "plan": plan(runtime, order)})
            rows.append(f"| {order} | {page:,} | {median(latencies):.1f} ms | {percentile(latencies, 0.99):.1f} ms |")
    markdown = "\n".join([
        f"GET /api/v1/moderation/queue, PostgreSQL, {args.comments:,} waiting comments over {args.articles:,} "
        f"articles, limit {LIMIT}, {args.requests} requests per row (after 10 warm-up), in-process Flask client.",
        "", "| order | page | p50 | p99 |", "|---|---|---|---|", *rows, "",
        "Plans (first lines):", *[f"- {r['order']}: `{r['plan']}`" for r in results if r["page"] == 1]])
    write_results("queue_latency", {"comments": args.comments, "fill_seconds": fill_seconds, "results": results},
                  markdown)


if __name__ == "__main__":
    main()
