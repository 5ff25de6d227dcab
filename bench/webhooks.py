"""Webhooks: what the outbox and delivery cost intake, and the delivery rate a worker sustains.

One run, on SQLite and on PostgreSQL, gunicorn with 2 workers on 127.0.0.1 driven by wrk:

* Intake rows. What is measured is intake (new comments, 16 connections, one in ten with a
  banned word so that intake itself publishes comment.rejected events) while a moderator
  approves comments at a steady rate (--approvals per second, bulk decisions of the API),
  because intake alone publishes only automatic rejections: the webhooks' work happens
  beside intake, not in it, and this measures what that work takes from it.
  - "webhooks off": [webhooks] enabled = false (no worker, no fan-out; the outbox is still
    written, it is part of every change);
  - "no endpoint": webhooks on, the one endpoint disabled (workers poll and fan out, deliver nothing);
  - "one endpoint, every event": the endpoint enabled and subscribed to every event type;
    the embedded workers deliver to a local receiver while intake runs.
  Rows run in rounds (off; then no endpoint and one endpoint on one server, the endpoint
  disabled / enabled between them), each round on freshly started servers, and costs are
  taken per round, then their median: runs here vary by ±15 % with the machine's other
  tenants, which paired rounds cancel, and the growing tables weigh on every row alike.
* Delivery rate: N events waiting in the outbox, then one `moderation webhooks worker`
  process (default settings: batches of 50, 4 requests in parallel) fans them out and
  delivers them to a local receiver; then N more with two worker processes.

The scorer is the "fake" backend (cheap and deterministic: what is measured is the
webhooks' cost, not the model's), and each row starts once it has scored every comment
left by the one before. The receiver (a threaded HTTP/1.1 server in this process) answers 204 and verifies one
signature in 10 with the standardwebhooks library, so that it is not the bottleneck.

    .venv/bin/python -m bench.webhooks                # full: 5 rounds of 20 s per row, N = 5,000
    .venv/bin/python -m bench.webhooks --quick        # 1 run of 3 s, N = 300: checks it works
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import median, pg_database, write_results
from bench.run_all import MODERATION, PYTHON, WORK, Server, _request, free_port, wrk

ARTICLE = "breaking"


class Receiver:
    """Counts deliveries by webhook-id; verifies every ``verify_every``-th signature."""

    def __init__(self, verify_every: int = 10) -> None:
        self.port = free_port()
        self.secret: str | None = None
        self.verify_every = verify_every
        self.ids: dict[str, int] = {}
        self.times: list[float] = []
        self.bad_signatures = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver._record(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def _record(self, body: bytes, headers: dict[str, str]) -> None:
        from standardwebhooks import Webhook, WebhookVerificationError

        with self._lock:
            count = sum(self.ids.values())
            self.ids[headers.get("webhook-id", "")] = self.ids.get(headers.get("webhook-id", ""), 0) + 1
            self.times.append(time.monotonic())
        if self.secret and count % self.verify_every == 0:
            try:
                Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                with self._lock:
                    self.bad_signatures += 1

    def distinct(self) -> int:
        with self._lock:
            return len(self.ids)

    def duplicates(self) -> int:
        with self._lock:
            return sum(n - 1 for n in self.ids.values())

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Approver(threading.Thread):
    """Approves pending comments at a steady rate through the API (bulk decisions, 5 per second)."""

    def __init__(self, port: int, key: str, pool: list[int], per_second: float) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.pool, self.per_second = port, key, pool, per_second
        self.approved = 0
        self.errors = 0
        self._halt = threading.Event()

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        interval, carry = 0.2, 0.0
        next_at = time.monotonic()
        while not self._halt.is_set():
            carry += self.per_second * interval
            take = int(carry)
            carry -= take
            ids = [self.pool.pop() for _ in range(min(take, len(self.pool)))]
            if ids:
                body = json.dumps({"decisions": [{"comment_id": i, "action": "approve"} for i in ids]})
                try:
                    connection.request("POST", "/api/v1/moderation/decisions", body=body,
                                       headers={"Authorization": f"Bearer {self.key}",
                                                "Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    if response.status == 200:
                        self.approved += len(ids)
                    else:
                        self.errors += 1
                except OSError:
                    self.errors += 1
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            next_at += interval
            self._halt.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        self._halt.set()
        self.join(30)


def _env(url: str, **extra: str) -> dict[str, str]:
    return {"MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "fake",
            "MODERATION_REVIEW__BANNED_WORDS": '["spamword"]',
            "MODERATION_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES": "true", **extra}


def _runtime(url: str):
    from moderation.config import load_settings
    from moderation.runtime import Runtime

    return Runtime(load_settings({**_env(url), "MODERATION_CONFIG": ""}))


def seed_pending(url: str, count: int) -> list[int]:
    """Pending comments on ARTICLE, made in-process through the intake service."""
    from moderation.comments import service as comments

    runtime = _runtime(url)
    ids: list[int] = []
    stamp = time.time_ns()
    for start in range(0, count, 500):
        with runtime.db.transaction() as session:
            for i in range(start, min(count, start + 500)):
                new = comments.NewComment(author_id=f"seed-{stamp}-{i}", author_name="Lectrice",
                                          body=f"Commentaire en attente {stamp}-{i}, à approuver.", parent_id=None)
                ids.append(comments.post_comment(session, ARTICLE, new, runtime.intake_rules, runtime.now()).id)
    runtime.db.dispose()
    return ids


def make_events(url: str, count: int) -> None:
    """``count`` comment.approved events waiting in the outbox."""
    from moderation.review import service as review

    ids = seed_pending(url, count)
    runtime = _runtime(url)
    for start in range(0, len(ids), 100):
        with runtime.db.transaction() as session:
            results = review.decide_many(session, [{"comment_id": i, "action": "approve"}
                                                   for i in ids[start:start + 100]], "bench", runtime.now())
            assert all(r.ok for r in results)
    runtime.db.dispose()


def _cli(url: str, *args: str) -> str:
    return subprocess.run([MODERATION, *args], env={**os.environ, **_env(url)}, check=True, cwd=WORK,
                          capture_output=True, text=True).stdout


def _server(label: str, url: str, **extra: str) -> Server:
    port = free_port()
    return Server(f"webhooks-{label}", [str(Path(PYTHON).parent / "gunicorn"), "-w", "2", "-k", "gthread",
                                        "--threads", "8", "-b", f"127.0.0.1:{port}",
                                        "--control-socket", str(WORK / f"webhooks-{label}.ctl"),
                                        "moderation.server:application()"],
                  _env(url, **extra), port, "/healthz")


def _call(server: Server, method: str, path: str, body: dict | None, key: str) -> dict:
    """An admin call, retried while the server is still starting (its first writes can wait on
    the scorer's start-up backlog for longer than the database timeout)."""
    deadline = time.monotonic() + 120
    while True:
        status, answer = _request(server.port, method, path, body, key)
        if status < 500 or time.monotonic() > deadline:
            assert status < 300, (method, path, status, answer)
            return answer
        time.sleep(0.5)


def _settle(server: Server) -> None:
    """Wait until the scorer has caught up with the comments seeded or posted before (a row
    must not pay for a backlog left by the one before it)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        connection.close()
        unscored = next((float(line.split()[-1]) for line in text.splitlines()
                         if line.startswith("moderation_comments_unscored ")), 0.0)
        if unscored == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("the scorer did not catch up")


def intake_row(server: Server, key: str, pool: list[int], args) -> dict:
    _settle(server)
    approver = Approver(server.port, key, pool, args.approvals)
    approver.start()
    try:
        result = wrk(server.port, "webhooks_intake.lua", 16, args.seconds,
                     {"BENCH_KEY": key, "BENCH_ARTICLE": ARTICLE})
    finally:
        approver.stop()
    result["approved"] = approver.approved
    result["approval_errors"] = approver.errors
    return result


def _warm_up(server: Server, key: str, args) -> None:
    wrk(server.port, "webhooks_intake.lua", 16, max(2, args.seconds // 4), {"BENCH_KEY": key, "BENCH_ARTICLE": ARTICLE})


def _drain(server: Server, endpoint: int, key: str, receiver: Receiver, timeout: float = 120) -> bool:
    """Wait until nothing is pending for the endpoint and the receiver has heard nothing new
    for a second (events not yet fanned out have no delivery row to be pending); whether
    that happened in time."""
    deadline = time.monotonic() + timeout
    seen, quiet_since = receiver.distinct(), time.monotonic()
    while time.monotonic() < deadline:
        if receiver.distinct() != seen:
            seen, quiet_since = receiver.distinct(), time.monotonic()
        page = _call(server, "GET", f"/api/v1/admin/webhooks/{endpoint}/deliveries?state=pending&limit=1", None, key)
        if not page["items"] and time.monotonic() - quiet_since >= 1.0:
            return True
        time.sleep(0.2)
    return False


def _summary(samples: list[dict]) -> dict:
    return {"rps": median([s["rps"] for s in samples]), "p50_ms": median([s["p50_ms"] for s in samples]),
            "p99_ms": median([s["p99_ms"] for s in samples]), "errors": sum(s["errors"] for s in samples),
            "approved": sum(s["approved"] for s in samples), "samples": samples}


def delivery_rate(url: str, receiver: Receiver, events: int, workers: int, label: str) -> dict:
    make_events(url, events)
    before = receiver.distinct()
    logs = [open(WORK / f"webhooks-{label}-worker-{n}.log", "ab") for n in range(workers)]
    started = time.monotonic()
    processes = [subprocess.Popen([MODERATION, "webhooks", "worker"], env={**os.environ, **_env(url)}, cwd=WORK,
                                  stdout=log, stderr=log, start_new_session=True) for log in logs]
    try:
        deadline = time.monotonic() + max(120, events / 20)
        while receiver.distinct() - before < events and time.monotonic() < deadline:
            time.sleep(0.05)
        finished = time.monotonic()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        for log in logs:
            log.close()
    delivered = receiver.distinct() - before
    first = receiver.times[before] if len(receiver.times) > before else finished
    return {"workers": workers, "events": events, "delivered": delivered,
            "seconds_from_start": round(finished - started, 2),
            "per_second": round((delivered - 1) / max(1e-9, finished - first), 1) if delivered > 1 else 0.0}


def run_backend(label: str, url: str, args) -> dict:
    _cli(url, "db", "upgrade")
    admin = _cli(url, "keys", "create", "--role", "admin", "--name", f"bench-{time.time_ns()}").strip().splitlines()[-1]
    runtime = _runtime(url)
    from datetime import timedelta

    from moderation.articles import service as articles

    with runtime.db.transaction() as session:
        fields = {"title": "Bench", "published_at": runtime.now() - timedelta(hours=1)}
        articles.upsert_article(session, ARTICLE, fields, runtime.now())
    runtime.db.dispose()
    per_row = int(args.approvals * args.seconds * 1.3) + 50
    pool = seed_pending(url, per_row * (3 * args.runs + 1))
    receiver = Receiver()
    result: dict[str, Any] = {"backend": label}
    try:
        # Rounds: off, then no endpoint and one endpoint on one server, each round on a freshly
        # started server. Costs are taken per round (paired) and then their median: a run
        # here varies by ±15 % with the machine's other tenants, which paired rounds cancel.
        endpoint = None
        off, none, one, delivered, drained = [], [], [], [], []
        for number in range(args.runs):
            print(f"{label}: round {number + 1} of {args.runs}", flush=True)
            server = _server(f"{label}-off", url, MODERATION_WEBHOOKS__ENABLED="false")
            try:
                _warm_up(server, admin, args)
                off.append(intake_row(server, admin, pool, args))
            finally:
                server.stop()
            separate = args.separate_worker is not None
            server = _server(f"{label}-on", url, **({"MODERATION_WEBHOOKS__RUN_WORKER": "false"} if separate else {}))
            worker = subprocess.Popen(["nice", "-n", str(args.separate_worker), MODERATION, "webhooks", "worker"],
                                      env={**os.environ, **_env(url)}, cwd=WORK, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True) if separate else None
            try:
                if endpoint is None:
                    created = _call(server, "POST", "/api/v1/admin/webhooks",
                                    {"url": receiver.url, "events": _event_types()}, admin)
                    receiver.secret, endpoint = created["secret"], created["id"]
                # The warm-up and the "no endpoint" row with the endpoint disabled: nothing is
                # queued for it, so no backlog spills into the next row.
                _call(server, "POST", f"/api/v1/admin/webhooks/{endpoint}/disable", {}, admin)
                _warm_up(server, admin, args)
                none.append(intake_row(server, admin, pool, args))
                _call(server, "POST", f"/api/v1/admin/webhooks/{endpoint}/enable", None, admin)
                before = receiver.distinct()
                one.append(intake_row(server, admin, pool, args))
                drained.append(_drain(server, endpoint, admin, receiver))  # everything published arrives
                delivered.append(receiver.distinct() - before)
                _call(server, "POST", f"/api/v1/admin/webhooks/{endpoint}/disable", {}, admin)
            finally:
                server.stop()
                if worker is not None:
                    os.killpg(worker.pid, signal.SIGTERM)
                    worker.wait(30)
        result["off"], result["no_endpoint"] = _summary(off), _summary(none)
        result["one_endpoint"] = {**_summary(one), "delivered_during_runs": delivered, "backlog_drained": all(drained)}
        result["paired_cost"] = {
            "one_vs_none": [1 - o["rps"] / n["rps"] for o, n in zip(one, none)],
            "none_vs_off": [1 - n["rps"] / f["rps"] for n, f in zip(none, off)],
            "one_vs_off": [1 - o["rps"] / f["rps"] for o, f in zip(one, off)]}
        server = _server(f"{label}-enable", url)  # the delivery rows below need it enabled
        try:
            _call(server, "POST", f"/api/v1/admin/webhooks/{endpoint}/enable", None, admin)
        finally:
            server.stop()
        print(f"{label}: delivery rate", flush=True)
        result["delivery"] = [delivery_rate(url, receiver, args.events, workers, label) for workers in (1, 2)]
        result["receiver"] = {"duplicates": receiver.duplicates(), "bad_signatures": receiver.bad_signatures}
    finally:
        receiver.stop()
    return result


def _event_types() -> list[str]:
    from moderation.events.service import EVENT_TYPES

    return list(EVENT_TYPES)


def table(results: list[dict], args) -> str:
    lines = ["| database | intake while approving | req/s (median) | p50 | p99 | errors | per round |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        for key, name in (("off", "webhooks off"), ("no_endpoint", "no endpoint"),
                          ("one_endpoint", "one endpoint, every event")):
            row = r[key]
            rounds = ", ".join(f"{s['rps']:.0f}" for s in row["samples"])
            lines.append(f"| {r['backend']} | {name} | {row['rps']:.0f} | {row['p50_ms']:.1f} ms | "
                         f"{row['p99_ms']:.1f} ms | {row['errors']} | {rounds} |")
    lines += ["", "| database | cost | median of the rounds | per round |", "|---|---|---|---|"]
    for r in results:
        for key, name in (("one_vs_none", "one endpoint vs no endpoint (the target)"),
                          ("none_vs_off", "no endpoint vs webhooks off"), ("one_vs_off", "one endpoint vs off")):
            costs = r["paired_cost"][key]
            lines.append(f"| {r['backend']} | {name} | {median(costs) * 100:+.1f} % | "
                         + ", ".join(f"{c * 100:+.1f} %" for c in costs) + " |")
    lines += ["", "| database | delivery workers | events | delivered | deliveries/s | duplicates | bad signatures |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        for d in r["delivery"]:
            lines.append(f"| {r['backend']} | {d['workers']} | {d['events']} | {d['delivered']} | "
                         f"{d['per_second']:.0f} | {r['receiver']['duplicates']} | {r['receiver']['bad_signatures']} |")
    return "\n".join([
        f"gunicorn with 2 workers on 127.0.0.1, wrk with 16 connections posting new comments (one in ten "
        f"auto-rejected) while {args.approvals:g} approvals/s go through the API; {args.runs} rounds of "
        f"{args.seconds} s per row, each round on freshly started servers (off, then no endpoint and one endpoint). "
        "Cost: the share of req/s lost against the row compared with, taken per round (paired), then the median "
        "(target: one endpoint vs no endpoint at most 10 %). The receiver runs on the same 2 cores. "
        "Delivery: N events waiting, then `moderation webhooks worker` processes deliver them to a local receiver.",
        "", *lines])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="rounds (off, no endpoint, one endpoint)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--approvals", type=float, default=20.0, help="approvals per second during intake")
    parser.add_argument("--events", type=int, default=5000, help="events for the delivery-rate rows")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--separate-worker", type=int, default=None, metavar="NICENESS",
                        help="deliver from a `moderation webhooks worker` process at this niceness instead of the "
                             "serving processes' embedded workers (written to webhooks_separate.*)")
    parser.add_argument("--quick", action="store_true", help="1 run of 3 s, 300 events: checks that it works")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.seconds, args.events = 1, 3, 300
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    WORK.mkdir(exist_ok=True)
    database = WORK / "webhooks.db"
    for suffix in ("", "-wal", "-shm", ".writer-lock"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    backends = [("SQLite", f"sqlite:///{database}")]
    if not args.no_postgres:
        backends.append(("PostgreSQL", pg_database("moderation_bench_webhooks")))
    results = [run_backend(label, url, args) for label, url in backends]
    if args.quick:  # a smoke test: printed, not recorded as figures
        print(table(results, args))
        print(json.dumps(results, indent=1, default=str)[:3000])
    else:
        name = "webhooks" if args.separate_worker is None else "webhooks_separate"
        write_results(name, {"args": vars(args), "results": results}, table(results, args))


if __name__ == "__main__":
    main()
