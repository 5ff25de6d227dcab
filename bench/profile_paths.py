"""Profile of the two hot paths, in process: N thread reads and N comment posts through the
Flask test client on SQLite, under cProfile, with the statements each request sends.

    .venv/bin/python -m bench.profile_paths [--requests 500] [--top 15] [--database-url URL]
    # before/after: the older checkout writes a file, this one compares with it
    cd OLD && PYTHONPATH=$PWD python /path/to/this/bench/profile_paths.py --output /tmp/before.json
    python -m bench.profile_paths --compare /tmp/before.json

Rate limits are on (the default configuration, in-memory storage); the scorer is not running
(this measures the request, not the machine). Prints, per path: ms per request (wall, without
and with the profiler), SQL statements per request, function calls per request and the top
functions by own time; ``--json`` writes them to bench/results/profile_paths.json.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

from bench.common import RESULTS, _commit, machine


def build(database_url: str | None):
    from moderation import migrate
    from moderation.app import create_app
    from moderation.config import Settings
    from moderation.db import Database, make_engine
    from moderation.runtime import Runtime

    url = database_url or f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    settings = Settings().replace(database={"url": url}, closing={"run_scheduler": False},
                                  scoring={"backend": "fake", "run_worker": False},
                                  webhooks={"run_worker": False})
    engine = make_engine(settings.database)
    migrate.upgrade(engine)
    runtime = Runtime(settings, database=Database(settings.database, engine))
    return create_app(runtime=runtime), runtime, engine


def seed(runtime, approved: int) -> str:
    from moderation.articles import service as articles
    from moderation.comments import service as comments
    from moderation.comments.models import Comment
    from moderation.review import state

    now = runtime.now()
    with runtime.db.transaction() as session:
        articles.upsert_article(session, "profiled", {"title": "Profil", "published_at": now - timedelta(hours=1)},
                                now)
        for i in range(approved):
            accepted = comments.post_comment(session, "profiled", comments.NewComment(
                author_id=f"seed-{i}", author_name=f"Lectrice {i}",
                body=f"Commentaire approuvé numéro {i}, assez long pour être réaliste."), runtime.intake_rules, now)
            state.decide(session, session.get(Comment, accepted.id), "approve", "bench", None, now)
    return "profiled"


def key(runtime) -> str:
    from moderation.auth import service as auth

    with runtime.db.transaction() as session:
        return auth.create_key(session, f"profile-{time.time()}", "admin", runtime.now())


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


def profile(name: str, requests: int, call, counter: StatementCounter, top: int) -> dict:
    for i in range(20):  # warm-up: statement caches, imports, first connections
        call(-1 - i)
    started = time.perf_counter()
    for i in range(requests):
        call(i)
    plain_ms = (time.perf_counter() - started) * 1000 / requests
    before = counter.count
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(requests):
        call(requests + i)
    profiler.disable()
    profiled_ms = (time.perf_counter() - started) * 1000 / requests
    statements = (counter.count - before) / requests
    stats = pstats.Stats(profiler)
    calls = stats.total_calls / requests
    rows = []
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in sorted(
            stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]:
        rows.append({"function": f"{Path(filename).name}:{line}({function})", "calls_per_request": ncalls / requests,
                     "own_ms_per_request": tottime * 1000 / requests, "cum_ms_per_request": cumtime * 1000 / requests})
    cumulative = []
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in sorted(
            stats.stats.items(), key=lambda item: item[1][3], reverse=True):
        if "site-packages" in filename and "flask" not in filename or len(cumulative) >= top:
            continue
        cumulative.append({"function": f"{Path(filename).name}:{line}({function})",
                           "calls_per_request": ncalls / requests, "cum_ms_per_request": cumtime * 1000 / requests})
    stream = io.StringIO()
    stats.stream = stream
    print(f"== {name}: {plain_ms:.3f} ms/request ({profiled_ms:.3f} under cProfile), "
          f"{statements:.2f} statements/request, {calls:.0f} function calls/request")
    for row in rows:
        print(f"   {row['own_ms_per_request']:7.4f} ms own  {row['cum_ms_per_request']:7.4f} ms cum  "
              f"{row['calls_per_request']:8.1f} calls  {row['function']}")
    return {"path": name, "ms_per_request": plain_ms, "ms_per_request_profiled": profiled_ms,
            "statements_per_request": statements, "calls_per_request": calls, "top_own": rows,
            "top_cumulative": cumulative}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--database-url")
    parser.add_argument("--output", help="write the figures to this JSON file")
    parser.add_argument("--compare", help="a previous --output file: write the before/after summary "
                                          "(bench/results/profile_paths.md)")
    args = parser.parse_args()
    app, runtime, engine = build(args.database_url)
    article = seed(runtime, 200)
    api_key = key(runtime)
    client = app.test_client()
    counter = StatementCounter(engine)
    read_path = f"/api/v1/articles/{article}/comments?limit=50"
    etag = client.get(read_path).headers["ETag"]

    def read(_i: int) -> None:
        response = client.get(read_path)
        assert response.status_code == 200, response.data

    def revalidate(_i: int) -> None:
        response = client.get(read_path, headers={"If-None-Match": etag})
        assert response.status_code == 304, response.status_code

    headers = {"Authorization": f"Bearer {api_key}"}
    nonce = time.time_ns()

    def post(i: int) -> None:
        response = client.post(f"/api/v1/articles/{article}/comments", headers=headers, json={
            "author": {"id": f"r{nonce}-{i}", "name": f"Lecteur {i}"},
            "body": f"Commentaire {nonce}-{i} : je ne suis pas d’accord avec la décision du Conseil fédéral."})
        assert response.status_code == 202, response.data

    results = []
    if hasattr(runtime, "thread_bodies"):  # since issue 24: the per-process page cache
        from moderation.caching.service import BodyCache

        kept, runtime.thread_bodies = runtime.thread_bodies, BodyCache(0)  # every read a miss
        results.append(profile("read ?limit=50, page not kept", args.requests, read, counter, args.top))
        runtime.thread_bodies = kept
    results += [profile("read ?limit=50", args.requests, read, counter, args.top),
               profile("revalidate (304)", args.requests, revalidate, counter, args.top),
               profile("post a comment", args.requests, post, counter, args.top)]
    if args.output:
        Path(args.output).write_text(json.dumps(
            {"machine": machine(), "commit": _commit(), "database": engine.dialect.name, "requests": args.requests,
             "paths": results}, indent=2) + "\n")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        after = {"machine": machine(), "commit": _commit(), "requests": args.requests, "paths": results}
        markdown = compare(before, after)
        (RESULTS / "profile_paths.md").write_text(markdown + "\n")
        (RESULTS / "profile_paths.json").write_text(json.dumps({"machine": machine(), "commit": _commit(),
                                                                 "before": before, "after": after}, indent=2) + "\n")
        print(markdown)


def compare(before: dict, after: dict) -> str:
    """The before/after summary docs/benchmarks.md shows (bench/report.py)."""
    lines = [f"In process: Flask test client, SQLite, rate limits on, {after['requests']} requests per path after "
             f"20 of warm-up; before = commit {before['commit']}, after = commit {after['commit']}, run back to "
             f"back. The ms are this shared machine's (noisy: load average {os.getloadavg()[0]:.0f} at the end); "
             "calls and statements (BEGIN included) per request are exact.", "",
             "| path | ms/request before | after | function calls/request before | after | "
             "SQL statements/request before | after |", "|---|---|---|---|---|---|---|"]
    old = {p["path"]: p for p in before["paths"]}
    for path in after["paths"]:
        was = old.get(path["path"], old.get(path["path"].replace(", page not kept", "")))
        lines.append(f"| {path['path']} | {was['ms_per_request']:.2f} | {path['ms_per_request']:.2f} | "
                     f"{was['calls_per_request']:.0f} | {path['calls_per_request']:.0f} | "
                     f"{was['statements_per_request']:.1f} | {path['statements_per_request']:.1f} |")
    for label, data in (("before", before), ("after", after)):
        for path in data["paths"]:
            if path["path"] == "post a comment" or path["path"].startswith("read ?limit=50"):
                top = ", ".join(f"{row['function']} {row['own_ms_per_request']:.2f} ms "
                                f"({row['calls_per_request']:.0f}×)" for row in path["top_own"][:6])
                lines.append(f"- {label}, {path['path']}, top own time under cProfile: {top}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
