"""Issue 11, point 1: does scoring keep making progress while intake saturates the machine?

One invocation measures, on this machine, with the scorer running Detoxify on the
XLM-RoBERTa-base-shaped checkpoint of bench/scoring_throughput.py (random weights, as costly
as the real model) under gunicorn (2 workers, 8 threads, as in the README):

1. the unloaded intake rate: wrk posting new comments (bench/lua/ours_intake.lua, 32
   connections) with the scorer switched off;
2. the unloaded scoring rate: the scorer alone working through a backlog, no requests;
3. for each scorer setting (the old default, Linux's idle class at niceness 19, and the
   current defaults from config/default.toml; more with --setting), both at once: wrk at
   full speed and the scorer on a backlog, for --seconds (default 300).

It reports each loaded rate as a ratio of its unloaded rate. The scorer works on a backlog of
realistic comments (20 to 400 words, bench/scoring_throughput.comments) inserted before each
phase, so that every phase scores the same mix; intake's own comments queue behind it.
Target (issue 11): scoring keeps >= 0.25 of its unloaded rate while intake keeps >= 0.75.

    .venv/bin/python -m bench.loaded_scoring                # 5 minutes per phase, about 25 minutes
    .venv/bin/python -m bench.loaded_scoring --quick        # 20 s per phase, a smoke test
    .venv/bin/python -m bench.loaded_scoring --setting "nice5=scheduling=normal,niceness=5"
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import pg_database, write_results
from bench.run_all import LUA, MODERATION, PYTHON, WORK, Server, free_port, scoring_checkpoint
from bench.scoring_throughput import comments as realistic_comments
from bench.scoring_throughput import vocabulary

OLD = ("idle class, niceness 19 (old default)", {"scheduling": "idle", "niceness": "19", "max_busy_fraction": "1.0"})
TARGET_SCORING, TARGET_INTAKE = 0.25, 0.75


def current_defaults() -> tuple[str, dict[str, str]]:
    from moderation.config import load_settings

    scoring = load_settings({}).scoring
    label = f"{scoring.scheduling}, niceness {scoring.niceness}, max_busy_fraction {scoring.max_busy_fraction:g} (new)"
    return label, {"scheduling": scoring.scheduling, "niceness": str(scoring.niceness),
                   "max_busy_fraction": str(scoring.max_busy_fraction)}


def parse_setting(spec: str) -> tuple[str, dict[str, str]]:
    """"label=key=value,key=value" -> (label, {key: value}) for [scoring] keys."""
    label, _, pairs = spec.partition("=")
    values = dict(pair.split("=", 1) for pair in pairs.split(",") if pair)
    return label, values


class Bench:
    def __init__(self, url: str, checkpoint: Path, precision: str, connections: int) -> None:
        self.url, self.checkpoint, self.precision, self.connections = url, checkpoint, precision, connections
        self.engine = create_engine(url)
        self.base_env = {"MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "detoxify",
                         "MODERATION_SCORING__CHECKPOINT": str(checkpoint),
                         "MODERATION_SCORING__PRECISION": precision,
                         "MODERATION_SCORING__POLL_INTERVAL_SECONDS": "0.5",
                         "MODERATION_CLOSING__SWEEP_INTERVAL_SECONDS": "60"}
        env = {**os.environ, **self.base_env}
        subprocess.run([MODERATION, "db", "upgrade"], env=env, check=True, cwd=WORK, capture_output=True)
        created = subprocess.run(
            [MODERATION, "keys", "create", "--role", "frontend", "--name", f"loaded-{time.time()}"],
            env=env, check=True, cwd=WORK, capture_output=True, text=True)
        self.key = created.stdout.strip().splitlines()[-1]
        self.words = vocabulary(3000)
        self.inserted = 0
        now = datetime.now(timezone.utc)
        with self.engine.begin() as connection:
            for article in ("storm", "backlog"):
                connection.execute(text(
                    "INSERT INTO articles (id, title, published_at, window_opened_at, created_at, updated_at) "
                    "VALUES (:id, 'Bench', :now, :now, :now, :now)"), {"id": article, "now": _db_time(url, now)})

    def server(self, label: str, scoring: dict[str, str], run_worker: bool) -> Server:
        env = {**self.base_env, "MODERATION_SCORING__RUN_WORKER": "true" if run_worker else "false",
               **{f"MODERATION_SCORING__{key.upper()}": value for key, value in scoring.items()}}
        port = free_port()
        gunicorn = str(Path(PYTHON).parent / "gunicorn")
        return Server(f"loaded-{label.split()[0]}-{port}",
                      [gunicorn, "-w", "2", "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{port}",
                       "--control-socket", str(WORK / f"loaded-{port}.ctl"), "moderation.server:application()"],
                      env, port, "/healthz")

    def wait_until_scoring(self, server: Server, timeout: float = 300) -> None:
        """Until the scorer's model is loaded (/readyz of the worker that holds the scorer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _ in range(4):  # two workers: ask until the one that scores answers
                state = _readyz(server.port).get("checks", {}).get("scorer", {})
                if state.get("state") in ("ready", "degraded"):
                    return
                if state.get("state") == "unavailable":
                    raise RuntimeError(f"scorer unavailable: {state.get('reason')}")
            time.sleep(0.5)
        raise RuntimeError("the scorer did not load its model in time")

    def prefill(self, count: int) -> None:
        """``count`` unscored comments of the realistic mix on the backlog article."""
        texts = realistic_comments(self.words, count, seed=100 + self.inserted)
        now = _db_time(self.url, datetime.now(timezone.utc))
        rows = [{"author": f"backlog-{self.inserted + i}", "body": body, "now": now} for i, body in enumerate(texts)]
        with self.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO comments (article_id, author_id, author_name, body, status, created_at, awaiting_review, "
                "open_reports, sort_toxicity, score_attempts) "
                "VALUES ('backlog', :author, 'Lectrice', :body, 'pending', :now, :true, 0, -1.0, 0)"
                .replace(":true", "1" if self.url.startswith("sqlite") else "true")), rows)
        self.inserted += count

    def settle(self) -> None:
        """Mark whatever is still unscored as scored, so that the next phase starts on a fresh backlog."""
        now = _db_time(self.url, datetime.now(timezone.utc))
        with self.engine.begin() as connection:
            connection.execute(text("UPDATE comments SET scored_at = :now, claimed_by = NULL, claim_expires_at = NULL "
                                    "WHERE scored_at IS NULL"), {"now": now})

    def scored_between(self, start: datetime, end: datetime) -> int:
        with self.engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM comments WHERE article_id = 'backlog' AND scored_at >= :start "
                "AND scored_at < :end"), {"start": _db_time(self.url, start), "end": _db_time(self.url, end)}).scalar()

    def wrk(self, port: int, seconds: float) -> dict:
        output = subprocess.run(
            ["wrk", "-t2", f"-c{self.connections}", f"-d{int(seconds)}s", "--timeout", "10s", "-s",
             str(LUA / "ours_intake.lua"), f"http://127.0.0.1:{port}"],
            env={**os.environ, "BENCH_LUA_DIR": str(LUA), "BENCH_KEY": self.key, "BENCH_ARTICLE": "storm"},
            capture_output=True, text=True, timeout=seconds + 120)
        for line in output.stdout.splitlines():
            if line.startswith("WRK_JSON "):
                result = json.loads(line[len("WRK_JSON "):])
                result["accepted_per_second"] = (result["requests"] - result["errors"]) / result["seconds"]
                return result
        raise RuntimeError(f"wrk printed no summary: {output.stdout}\n{output.stderr}")


def _db_time(url: str, moment: datetime):
    # SQLite columns hold naive UTC text in one fixed format (moderation.db.UTCDateTime).
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if url.startswith("sqlite") \
        else moment


def _readyz(port: int) -> dict:
    import http.client

    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/readyz")
        body = connection.getresponse().read()
        connection.close()
        return json.loads(body)
    except (OSError, ValueError):
        return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300, help="length of each measured phase")
    parser.add_argument("--quick", action="store_true", help="20-second phases: checks that the script works")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--precision", default="float32", choices=["float32", "int8"])
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    parser.add_argument("--setting", action="append", default=[],
                        help='another scorer setting to compare: "label=key=value,key=value" ([scoring] keys)')
    args = parser.parse_args()
    seconds = 20.0 if args.quick else args.seconds
    WORK.mkdir(exist_ok=True)
    if args.postgres:
        url = pg_database("bench_loaded_scoring")
    else:
        db_file = WORK / "loaded.db"
        for suffix in ("", "-wal", "-shm", ".writer-lock"):
            if os.path.exists(f"{db_file}{suffix}"):
                os.remove(f"{db_file}{suffix}")
        url = f"sqlite:///{db_file}"
    settings = [OLD, current_defaults(), *[parse_setting(spec) for spec in args.setting]]
    bench = Bench(url, scoring_checkpoint(), args.precision, args.connections)
    warmup = min(10.0, seconds / 4)

    print(f"unloaded intake: {seconds:g} s of wrk, scorer off", flush=True)
    server = bench.server("intake", {}, run_worker=False)
    try:
        bench.wrk(server.port, warmup)
        intake_alone = bench.wrk(server.port, seconds)
    finally:
        server.stop()
    bench.settle()

    print(f"unloaded scoring: {seconds:g} s, no requests", flush=True)
    bench.prefill(int(60 * seconds) + 200)  # more than the fastest scorer gets through
    server = bench.server("scoring", settings[1][1], run_worker=True)
    try:
        bench.wait_until_scoring(server)
        time.sleep(warmup)
        start = datetime.now(timezone.utc)
        time.sleep(seconds)
        end = datetime.now(timezone.utc)
        scoring_alone = bench.scored_between(start, end) / (end - start).total_seconds()
    finally:
        server.stop()
    bench.settle()
    if scoring_alone <= 0:
        raise RuntimeError("the scorer scored nothing on an idle machine; see bench/.work/loaded-*.log")

    rows = []
    for label, values in settings:
        print(f"loaded, {label}: {seconds:g} s of wrk with the scorer on a backlog", flush=True)
        bench.prefill(int(60 * seconds) + 200)
        server = bench.server(label, values, run_worker=True)
        try:
            bench.wait_until_scoring(server)
            bench.wrk(server.port, warmup)
            start = datetime.now(timezone.utc)
            intake = bench.wrk(server.port, seconds)
            end = datetime.now(timezone.utc)
            scoring = bench.scored_between(start, end) / (end - start).total_seconds()
            ready = _readyz(server.port).get("checks", {}).get("backlog")
        finally:
            server.stop()
        bench.settle()
        rows.append({"setting": label, "values": values, "intake_per_second": intake["accepted_per_second"],
                     "intake_ratio": intake["accepted_per_second"] / intake_alone["accepted_per_second"],
                     "intake_p99_ms": intake["p99_ms"], "intake_errors": intake["errors"],
                     "scoring_per_second": scoring, "scoring_ratio": scoring / scoring_alone, "backlog_at_end": ready})
        print(json.dumps(rows[-1]), flush=True)

    lines = [
        f"Scorer share under a saturating intake load: gunicorn 2 workers x 8 threads, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, wrk {args.connections} connections posting comments, "
        f"Detoxify on the XLM-RoBERTa-base-shaped checkpoint ({args.precision}, 1 thread), {seconds:g} s per phase "
        f"after {warmup:g} s of warm-up.",
        "",
        f"Unloaded: intake {intake_alone['accepted_per_second']:.0f} comments/s (scorer off); scoring "
        f"{scoring_alone:.2f} comments/s (no requests).",
        "",
        "| scorer setting | intake/s | intake ÷ unloaded | p99 | scored/s | scoring ÷ unloaded | target met |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = row["scoring_ratio"] >= TARGET_SCORING and row["intake_ratio"] >= TARGET_INTAKE
        lines.append(f"| {row['setting']} | {row['intake_per_second']:.0f} | {row['intake_ratio']:.2f} | "
                     f"{row['intake_p99_ms']:.0f} ms | {row['scoring_per_second']:.2f} | {row['scoring_ratio']:.2f} | "
                     f"{'yes' if met else 'no'} |")
    lines += ["", f"Target: scoring >= {TARGET_SCORING:.2f} of its unloaded rate while intake keeps >= "
              f"{TARGET_INTAKE:.2f} of its own. Command: `.venv/bin/python -m bench.loaded_scoring"
              f"{' --quick' if args.quick else ''}{' --postgres' if args.postgres else ''}`."]
    # A quick run only shows that the script works: it never overwrites the real figures.
    data = {"seconds": seconds, "url_kind": url.split(":")[0], "precision": args.precision,
            "connections": args.connections, "intake_alone": intake_alone, "scoring_alone_per_second": scoring_alone,
            "rows": rows}
    write_results("loaded_scoring_quick" if args.quick else "loaded_scoring", data, "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
