"""`make bench`: our service, Isso 0.14 and the floor side by side, same machine, same load, same run.

For each row, each system runs under gunicorn with 2 workers on loopback and is driven by
wrk (Debian's package) with the Lua scripts in bench/lua; every row runs RUNS times after a
warm-up and the table reports medians and p99. Isso gets its own virtual environment
(bench/.venv-isso) and runs with pre-moderation on and its per-IP guard off (every request
comes from 127.0.0.1). Ours runs with its default configuration, rate limits included, on
SQLite and on PostgreSQL, with the scorer running (Detoxify on a checkpoint of
XLM-RoBERTa-base's shape, random weights, as costly as the real one, at its default of one
thread) and without it (scoring.run_worker off) for intake. The floor (bench/floor.py) is a
Flask app under our gunicorn settings answering the same bytes with no work behind them.

Rows: intake (16 connections), a thread read (?limit=100 of 200 approved), its revalidation
(If-None-Match: 304; Isso has no validator and serves the page), and intake with N stored
comments (1,000,000; written in one statement, then checkpointed/vacuumed as an archive is).

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

from bench.common import median, pg_database, seed_archive, write_results

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
    def __init__(self, database_url: str, label: str, scorer: bool = True) -> None:
        self.url, self.label = database_url, label
        self.env = {"MODERATION_DATABASE__URL": database_url, "MODERATION_SCORING__BACKEND": "detoxify",
                    "MODERATION_SCORING__CHECKPOINT": str(scoring_checkpoint()),
                    # This checkout's code, whichever checkout the virtual environment was installed from.
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        subprocess.run([MODERATION, "db", "upgrade"], env={**os.environ, **self.env}, check=True, cwd=WORK,
                       capture_output=True)
        created = subprocess.run([MODERATION, "keys", "create", "--role", "admin", "--name", f"bench-{time.time()}"],
                                 env={**os.environ, **self.env}, check=True, cwd=WORK, capture_output=True, text=True)
        self.key = created.stdout.strip().splitlines()[-1]
        self.start(scorer)

    def start(self, scorer: bool) -> None:
        """(Re)start the server, with the scoring worker running or not (same database)."""
        self.scorer = scorer
        self.port = free_port()
        env = {**self.env, "MODERATION_SCORING__RUN_WORKER": "true" if scorer else "false"}
        self.server = Server(f"ours-{self.label}", [str(Path(PYTHON).parent / "gunicorn"), "-w", "2", "-k",
                                                    "gthread", "--threads", "8", "-b", f"127.0.0.1:{self.port}",
                                                    "--control-socket", str(WORK / f"ours-{self.label}.ctl"),
                                                    "moderation.server:application()"],
                             env, self.port, "/healthz")

    def restart(self, scorer: bool) -> None:
        self.server.stop()
        self.start(scorer)

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
        self.article(article_id)
        seed_archive(self.url, count)

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


# --- the floor ------------------------------------------------------------------------

class Floor:
    """bench/floor.py under our gunicorn settings, serving the bytes of ours's thread page."""

    def __init__(self, body: bytes, etag: str) -> None:
        (WORK / "floor_thread.json").write_bytes(body)
        self.port = free_port()
        self.etag = etag
        self.server = Server("floor", [str(Path(PYTHON).parent / "gunicorn"), "-w", "2", "-k", "gthread",
                                       "--threads", "8", "-b", f"127.0.0.1:{self.port}",
                                       "--control-socket", str(WORK / "floor.ctl"), "bench.floor:app"],
                             {"BENCH_FLOOR_BODY": str(WORK / "floor_thread.json"), "BENCH_FLOOR_ETAG": etag,
                              "PYTHONPATH": str(ROOT)}, self.port, "/healthz")

    def stop(self) -> None:
        self.server.stop()


def _page(port: int, path: str) -> tuple[bytes, str]:
    """A page's bytes and its ETag ("" when the server sends none)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body, etag = response.read(), response.getheader("ETag") or ""
    connection.close()
    return body, etag


# --- the run --------------------------------------------------------------------------

INTAKE = "new comments, 16 connections"
READ = "read a thread (100 of 200 approved)"
REVALIDATE = "revalidate it (If-None-Match)"


def run(args) -> dict:
    rows: list[dict] = []
    stored = f"new comments, 16 conn., {args.stored:,} stored"

    def row(name: str, system: str, result: dict) -> None:
        rows.append({"row": name, "system": system, **{k: v for k, v in result.items() if k != "runs"},
                     "samples": result["runs"]})
        print(f"  {name:<40} {system:<30} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
              f"p99 {result['p99_ms']:6.1f} ms  errors {result['errors']}", flush=True)

    def go(port: int, script: str, env: dict[str, str]) -> dict:
        return measure(port, script, 16, env, args.runs, args.seconds)

    floor_page: tuple[bytes, str] | None = None
    databases = [("SQLite", lambda: f"sqlite:///{WORK / 'ours.db'}", "sqlite")]
    if not args.no_postgres:
        databases.append(("PostgreSQL", lambda: pg_database("moderation_bench_http"), "postgres"))
    for database, url, label in databases:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{WORK / 'ours.db'}{suffix}").unlink(missing_ok=True)
        name = f"ours ({database})"
        print(f"{name}:", flush=True)
        ours = Ours(url(), label, scorer=False)
        try:
            env = {"BENCH_KEY": ours.key, "BENCH_ARTICLE": "breaking"}
            ours.article("breaking")
            row(INTAKE, f"{name}, no scorer", go(ours.port, "ours_intake.lua", env))
            path = ours.seed_thread("thread-200", 200)
            body, etag = _page(ours.port, path)
            floor_page = floor_page or (body, etag)
            row(READ, name, go(ours.port, "read.lua", {"BENCH_PATH": path}))
            row(REVALIDATE, name, go(ours.port, "revalidate.lua", {"BENCH_PATH": path, "BENCH_ETAG": etag}))
            ours.restart(scorer=True)
            row(INTAKE, f"{name}, scorer running", go(ours.port, "ours_intake.lua", env))
            ours.seed_million("big", args.stored)
            big = {**env, "BENCH_ARTICLE": "big"}
            row(stored, f"{name}, scorer running", go(ours.port, "ours_intake.lua", big))
            ours.restart(scorer=False)
            row(stored, f"{name}, no scorer", go(ours.port, "ours_intake.lua", big))
        finally:
            ours.stop()

    print("floor (Flask, same gunicorn settings):", flush=True)
    assert floor_page is not None
    floor = Floor(*floor_page)
    try:
        env = {"BENCH_KEY": "", "BENCH_ARTICLE": "breaking"}
        path = "/api/v1/articles/thread-200/comments?limit=100"
        row(INTAKE, "floor", go(floor.port, "ours_intake.lua", env))
        row(READ, "floor", go(floor.port, "read.lua", {"BENCH_PATH": path}))
        row(REVALIDATE, "floor", go(floor.port, "revalidate.lua", {"BENCH_PATH": path, "BENCH_ETAG": floor.etag}))
    finally:
        floor.stop()

    print("Isso 0.14:", flush=True)
    isso = Isso()
    try:
        env = {"BENCH_ARTICLE": "/breaking"}
        isso.new("/breaking", "Premier commentaire.")
        row(INTAKE, "Isso 0.14", go(isso.port, "isso_intake.lua", env))
        path = isso.seed_thread("/thread-200", 200)
        row(READ, "Isso 0.14", go(isso.port, "read.lua", {"BENCH_PATH": path}))
        _, etag = _page(isso.port, path)
        row(REVALIDATE, "Isso 0.14", go(isso.port, "revalidate.lua", {"BENCH_PATH": path,
                                                                       "BENCH_ETAG": etag or '"none"'}))
        isso.seed_million("/big", args.stored)
        row(stored, "Isso 0.14", go(isso.port, "isso_intake.lua", {"BENCH_ARTICLE": "/big"}))
    finally:
        isso.stop()
    return {"rows": rows, "stored": args.stored}


def table(results: dict, args) -> str:
    by_row: dict[str, dict[str, dict]] = {}
    for r in results["rows"]:
        by_row.setdefault(r["row"], {})[r["system"]] = r
    lines = ["| workload | system | req/s | p50 | p99 | errors | ÷ Isso (req/s) | ÷ floor (req/s) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, systems in by_row.items():
        isso, floor = systems.get("Isso 0.14"), systems.get("floor")
        for system, r in systems.items():
            # A system that completed nothing in a run (a 0) has no ratio rather than a crash.
            to_isso = ("" if system in ("Isso 0.14", "floor") or not isso or not isso["rps"]
                       else f"{r['rps'] / isso['rps']:.2f}×")
            to_floor = "" if system == "floor" or not floor or not floor["rps"] else f"{r['rps'] / floor['rps']:.0%}"
            lines.append(f"| {name} | {system} | {r['rps']:.0f} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | "
                         f"{r['errors']} | {to_isso} | {to_floor} |")
    growth = []
    stored = f"new comments, 16 conn., {results['stored']:,} stored"
    for system, r in by_row.get(stored, {}).items():
        empty = by_row.get(INTAKE, {}).get(system)
        if empty and empty["rps"]:
            growth.append(f"- {system}: intake with {results['stored']:,} stored is {r['rps'] / empty['rps']:.0%} "
                          f"of intake on an empty database.")
    return "\n".join([
        f"Each system under gunicorn with 2 workers on 127.0.0.1 (ours and the floor: gthread, 8 threads), driven "
        f"by wrk (2 threads, 16 connections) with bench/lua; median of {args.runs} runs of {args.seconds} s after a "
        f"warm-up. Ours: default configuration, rate limits on; scorer running: Detoxify, XLM-RoBERTa-base shape, "
        f"1 thread. Isso 0.14: pre-moderation on, guard off; it sends no validator, so its revalidation is a full "
        f"read. Floor: bench/floor.py, the same bytes with no work behind them.", "",
        *lines, "", *growth])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1 run of 3 s, 20,000 stored (a smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.seconds, args.stored = 1, 3, 20_000
    WORK.mkdir(exist_ok=True)
    ensure_tools()
    results = run(args)
    results["command"] = " ".join(["python -m bench.run_all", *sys.argv[1:]])
    if args.quick:  # a smoke test: its own results (not committed), docs/benchmarks.md untouched
        write_results("http_quick", results, table(results, args))
        return
    write_results("http", results, table(results, args))
    from bench.report import write_report

    write_report()


if __name__ == "__main__":
    main()
