"""`make bench`: our service and Isso 0.14 side by side, same machine, same load, same run.

For each row, each system runs under gunicorn with 2 workers on loopback and is driven by
wrk (Debian's package) with the Lua scripts in bench/lua; every row runs RUNS times after a
warm-up and the table reports medians. Isso gets its own virtual environment
(bench/.venv-isso) and runs with pre-moderation on and its per-IP guard off (every request
comes from 127.0.0.1). Ours runs with its default configuration, rate limits included, and
with the scorer active: Detoxify on a checkpoint of XLM-RoBERTa-base's shape (random
weights; as costly as the real one), at its default of one thread.

    make bench                      # everything, about 20 minutes
    .venv/bin/python -m bench.run_all --quick    # shorter runs, for a smoke test
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import median, pg_database, write_results

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
ISSO_VENV = BENCH / ".venv-isso"
LUA = BENCH / "lua"
PYTHON = sys.executable
MODERATION = str(Path(PYTHON).parent / "moderation")


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if not (ISSO_VENV / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run([str(ISSO_VENV / "bin" / "pip"), "install", "-q", "isso==0.14.0", "gunicorn"], check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int, health: str) -> None:
        self.name, self.port = name, port
        self.log = open(WORK / f"{name}.log", "ab")
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=self.log, stderr=self.log,
                                        start_new_session=True, cwd=WORK)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log.name}")
            if _get(port, health) == 200:
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{name} did not start; see {self.log.name}")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def _get(port: int, path: str) -> int | None:
    import http.client

    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
        return status
    except OSError:
        return None


def _request(port: int, method: str, path: str, body: dict | None = None, key: str | None = None) -> tuple[int, dict]:
    import http.client

    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, (json.loads(raw) if raw else {})


def wrk(port: int, script: str, connections: int, seconds: int, env: dict[str, str]) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s",
         str(LUA / script), f"http://127.0.0.1:{port}"],
        env={**os.environ, "BENCH_LUA_DIR": str(LUA), **env}, capture_output=True, text=True, timeout=seconds + 60)
    for line in output.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):])
    raise RuntimeError(f"wrk printed no summary: {output.stdout}\n{output.stderr}")


def measure(port: int, script: str, connections: int, env: dict[str, str], runs: int, seconds: int) -> dict:
    wrk(port, script, connections, max(2, seconds // 3), env)  # warm-up
    samples = [wrk(port, script, connections, seconds, env) for _ in range(runs)]
    return {"rps": median([s["rps"] for s in samples]), "p50_ms": median([s["p50_ms"] for s in samples]),
            "p99_ms": median([s["p99_ms"] for s in samples]), "errors": sum(s["errors"] for s in samples),
            "requests": sum(s["requests"] for s in samples), "runs": samples}


# --- our service ----------------------------------------------------------------------

def scoring_checkpoint() -> Path:
    """The XLM-RoBERTa-base-shaped checkpoint the scorer runs on during the intake rows."""
    folder = BENCH / ".cache" / "xlmr-base-shape"
    path = folder / "xlmr-base-shape.ckpt"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        from bench.scoring_throughput import build_checkpoint, vocabulary

        built = build_checkpoint(folder, vocabulary(3000))
        assert built == path
    return path


class Ours:
    def __init__(self, database_url: str, label: str) -> None:
        self.url, self.label = database_url, label
        self.env = {"MODERATION_DATABASE__URL": database_url, "MODERATION_SCORING__BACKEND": "detoxify",
                    "MODERATION_SCORING__CHECKPOINT": str(scoring_checkpoint())}
        subprocess.run([MODERATION, "db", "upgrade"], env={**os.environ, **self.env}, check=True, cwd=WORK,
                       capture_output=True)
        created = subprocess.run([MODERATION, "keys", "create", "--role", "admin", "--name", f"bench-{time.time()}"],
                                 env={**os.environ, **self.env}, check=True, cwd=WORK, capture_output=True, text=True)
        self.key = created.stdout.strip().splitlines()[-1]
        self.port = free_port()
        self.server = Server(f"ours-{label}", [str(Path(PYTHON).parent / "gunicorn"), "-w", "2", "-k", "gthread",
                                               "--threads", "8", "-b", f"127.0.0.1:{self.port}",
                                               "--control-socket", str(WORK / f"ours-{label}.ctl"),
                                               "moderation.server:application()"],
                             self.env, self.port, "/healthz")

    def article(self, article_id: str) -> None:
        status, body = _request(self.port, "PUT", f"/api/v1/articles/{article_id}",
                                {"title": "Bench", "published_at": _now_iso()}, self.key)
        assert status in (200, 201), body

    def seed_thread(self, article_id: str, approved: int) -> str:
        self.article(article_id)
        ids = []
        for i in range(approved):
            status, body = _request(self.port, "POST", f"/api/v1/articles/{article_id}/comments",
                                    {"author": {"id": f"seed-{i}", "name": f"Lectrice {i}"},
                                     "body": f"Commentaire approuvé numéro {i}, assez long pour être réaliste."},
                                    self.key)
            assert status == 202, body
            ids.append(body["id"])
        for start in range(0, len(ids), 100):
            status, body = _request(self.port, "POST", "/api/v1/moderation/decisions",
                                    {"decisions": [{"comment_id": c, "action": "approve"}
                                                   for c in ids[start:start + 100]]}, self.key)
            assert status == 200 and all(r["ok"] for r in body["results"]), body
        return f"/api/v1/articles/{article_id}/comments?limit=100"

    def seed_million(self, article_id: str, count: int) -> None:
        """Stored comments (decided, as an archive is), spread over 1,000 articles."""
        from sqlalchemy import create_engine, text

        self.article(article_id)
        engine = create_engine(self.url)
        sqlite = self.url.startswith("sqlite")
        series = ("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) " if sqlite
                  else "WITH s(i) AS (SELECT generate_series(1, :n)) ")
        created = "'2026-01-01 00:00:00.000000'" if sqlite else "timestamptz '2026-01-01 00:00+00'"
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO articles (id, title, published_at, window_opened_at, created_at, updated_at) "
                + series.replace(":n", "1000") + f"SELECT 'archive-' || i, 'Archive', {created}, {created}, {created}, "
                f"{created} FROM s"))
            connection.execute(text(
                series + "INSERT INTO comments (article_id, author_id, author_name, body, status, created_at, "
                "awaiting_review, open_reports, sort_toxicity, scored_at, body_digest) "
                f"SELECT 'archive-' || (1 + i % 1000), 'old-' || (i % 100000), 'Ancien', "
                f"'Commentaire archivé ' || i, CASE WHEN i % 3 = 0 THEN 'rejected' ELSE 'approved' END, {created}, "
                f"{'0' if sqlite else 'false'}, 0, 0.1, {created}, NULL FROM s"), {"n": count})
        engine.dispose()

    def stop(self) -> None:
        self.server.stop()


def _now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


# --- Isso -----------------------------------------------------------------------------

class Isso:
    def __init__(self) -> None:
        self.db = WORK / "isso.db"
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        self.port = free_port()
        config = WORK / "isso.cfg"
        config.write_text(
            f"[general]\ndbpath = {self.db}\nhost = http://127.0.0.1:{self.port}/\n"
            "[moderation]\nenabled = true\n[guard]\nenabled = false\n[server]\n"
            f"listen = http://127.0.0.1:{self.port}/\n")
        self.server = Server("isso", [str(ISSO_VENV / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.port}",
                                      "--control-socket", str(WORK / "isso.ctl"), "isso.run"],
                             {"ISSO_SETTINGS": str(config)}, self.port, "/info")

    def new(self, uri: str, text: str) -> dict:
        status, body = _request(self.port, "POST", f"/new?uri={uri}", {"text": text, "author": "Lectrice",
                                                                          "title": "Bench"})
        assert status in (201, 202), (status, body)
        return body

    def seed_thread(self, uri: str, approved: int) -> str:
        for i in range(approved):
            self.new(uri, f"Commentaire approuvé numéro {i}, assez long pour être réaliste.")
        with sqlite3.connect(self.db) as connection:  # approve them, as its admin would
            connection.execute("UPDATE comments SET mode = 1 WHERE tid = (SELECT id FROM threads WHERE uri = ?)",
                               (uri,))
        return f"/?uri={uri}&limit=100"

    def seed_million(self, uri: str, count: int) -> None:
        self.new(uri, "Premier commentaire.")
        with sqlite3.connect(self.db) as connection:
            connection.execute("INSERT INTO threads (uri, title) SELECT '/archive-' || value, 'Archive' FROM "
                               "json_each((SELECT json_group_array(i) FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL "
                               "SELECT i + 1 FROM s WHERE i < 1000) SELECT i FROM s)))")
            connection.execute(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) "
                "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author, email, "
                "website, likes, dislikes, voters, notification) "
                "SELECT 2 + i % 1000, NULL, 1767225600.0, NULL, CASE WHEN i % 3 = 0 THEN 4 ELSE 1 END, '127.0.0.0', "
                "'Commentaire archivé ' || i, 'Ancien', NULL, NULL, 0, 0, x'00', 0 FROM s", (count,))

    def stop(self) -> None:
        self.server.stop()


# --- the run --------------------------------------------------------------------------

def run(args) -> dict:
    rows: list[dict] = []

    def row(name: str, system: str, result: dict) -> None:
        rows.append({"row": name, "system": system, **{k: v for k, v in result.items() if k != "runs"},
                     "samples": result["runs"]})
        print(f"  {name:<34} {system:<18} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
              f"p99 {result['p99_ms']:6.1f} ms  errors {result['errors']}", flush=True)

    systems = [("ours (SQLite)", lambda: Ours(f"sqlite:///{WORK / 'ours.db'}", "sqlite")), ("Isso 0.14", Isso)]
    if not args.no_postgres:
        systems.insert(1, ("ours (PostgreSQL)", lambda: Ours(pg_database("moderation_bench_http"), "postgres")))
    for system_name, build in systems:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{WORK / 'ours.db'}{suffix}").unlink(missing_ok=True)
        print(f"{system_name}:", flush=True)
        system = build()
        try:
            is_isso = isinstance(system, Isso)
            script = "isso_intake.lua" if is_isso else "ours_intake.lua"
            env = {"BENCH_KEY": getattr(system, "key", ""), "BENCH_ARTICLE": "/breaking" if is_isso else "breaking"}
            if is_isso:
                system.new("/breaking", "Premier commentaire.")
            else:
                system.article("breaking")
            for connections in (16, 64):
                row(f"new comments, {connections} connections", system_name,
                    measure(system.port, script, connections, env, args.runs, args.seconds))
            path = system.seed_thread("/thread-200" if is_isso else "thread-200", 200)
            row("read a thread (100 of 200 approved)", system_name,
                measure(system.port, "read.lua", 16, {"BENCH_PATH": path}, args.runs, args.seconds))
            system.seed_million("/big" if is_isso else "big", args.stored)
            row(f"new comments, 16 conn., {args.stored:,} stored", system_name,
                measure(system.port, script, 16, {**env, "BENCH_ARTICLE": "/big" if is_isso else "big"},
                        args.runs, args.seconds))
        finally:
            system.stop()
    return {"rows": rows}


def table(results: dict, args) -> str:
    by_row: dict[str, dict[str, dict]] = {}
    for r in results["rows"]:
        by_row.setdefault(r["row"], {})[r["system"]] = r
    lines = ["| workload | system | req/s | p50 | p99 | errors | ours ÷ Isso (req/s) |",
             "|---|---|---|---|---|---|---|"]
    for name, systems in by_row.items():
        isso = systems.get("Isso 0.14")
        for system, r in systems.items():
            ratio = "" if system.startswith("Isso") or not isso else f"{r['rps'] / isso['rps']:.2f}×"
            lines.append(f"| {name} | {system} | {r['rps']:.0f} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | "
                         f"{r['errors']} | {ratio} |")
    return "\n".join([
        f"Each system under gunicorn with 2 workers on 127.0.0.1, driven by wrk (2 threads) with bench/lua; "
        f"median of {args.runs} runs of {args.seconds} s after a warm-up. Ours: default configuration, scorer "
        f"active (Detoxify, XLM-RoBERTa-base shape, 1 thread). Isso 0.14: pre-moderation on, guard off.", "",
        *lines])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1 run of 3 s, 20,000 stored")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.seconds, args.stored = 1, 3, 20_000
    WORK.mkdir(exist_ok=True)
    ensure_tools()
    results = run(args)
    results["command"] = " ".join(["python -m bench.run_all", *sys.argv[1:]])
    write_results("http", results, table(results, args))
    from bench.report import write_report

    write_report()


if __name__ == "__main__":
    main()
