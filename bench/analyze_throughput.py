"""Issue 16: POST /v1alpha1/comments:analyze throughput and latency, dynamic batching vs one
request at a time, float32 and int8, in one run.

The server is the real thing: gunicorn with 2 workers (gthread, 16 threads each) on SQLite,
the XLM-RoBERTa-base-shaped Detoxify checkpoint of bench/scoring_throughput.py (random
weights, as costly as the real model), one model copy on the machine (the worker holding it
serves the other over the local socket). Requests are Coral's exact analyze body, one
comment each, drawn from the realistic mix of bench/scoring_throughput.py (20-400 words).

For each precision and each path ([analyzer] batching = true / false):
  * closed loop at 1, 4 and 16 concurrent clients (each sends its next request when the
    previous one is answered): requests/s, p50, p99, mean batch size;
  * the highest request rate sustained with p99 under 1 s: open-loop arrivals at a fixed
    rate (latency counted from the scheduled send time, so a slow server cannot slow the
    load), rates stepped up by 25 % until p99 >= 1 s or an error, then bisected.

And, issue 21, a batch of 10 against 10 single requests, one client: 10 texts as one
``POST /batch`` in Google's multipart format (what google-api-python-client's
new_batch_http_request() sends; the 10 are scored in one call to the analyzer), as 10
requests one after another, and as 10 requests at once on 10 connections: texts/s and the
time until all 10 are answered.

The deadline is set to 60 s so that nothing is refused and the latency itself is measured.

    .venv/bin/python -m bench.analyze_throughput            # the full run (about 25 minutes)
    .venv/bin/python -m bench.analyze_throughput --quick    # tiny model, few requests: checks it works
    .venv/bin/python -m bench.analyze_throughput --batch-only   # only the batch of 10 vs 10 singles
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import percentile, write_results
from bench.run_all import WORK, Server, free_port

MODERATION = str(Path(sys.executable).parent / "moderation")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
ANALYZE = "/v1alpha1/comments:analyze"


def coral_body(text: str) -> bytes:
    """Coral's formatBody for comments:analyze (coralproject/talk, services/perspective/perspective.ts)."""
    return json.dumps({"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {"TOXICITY": {}},
                       "languages": ["fr"]}).encode()


class Client:
    """One keep-alive connection, as Coral's HTTP agent keeps one."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.path = port, f"{ANALYZE}?key={key}"
        self.connection: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> int:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.connection.request("POST", self.path, body=body, headers={"Content-Type": "application/json"})
                response = self.connection.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return 0
        return 0


BATCH_OF = 10


def batch_body(texts: list[str], key: str) -> tuple[str, bytes]:
    """Google's batch of Coral's analyze bodies, as google-api-python-client lays it out (LF
    line ends, a Content-ID of a random base and the request's number, the key in each URL)."""
    boundary = "===============" + str(random.randrange(10**18)) + "=="
    base = os.urandom(8).hex()
    lines = []
    for number, text in enumerate(texts, 1):
        body = coral_body(text).decode()
        lines += [f"--{boundary}", "Content-Type: application/http", "MIME-Version: 1.0",
                  "Content-Transfer-Encoding: binary", f"Content-ID: <{base} + {number}>", "",
                  f"POST {ANALYZE}?key={key}&alt=json HTTP/1.1", "Content-Type: application/json",
                  "MIME-Version: 1.0", "accept: application/json", "Host: 127.0.0.1",
                  f"content-length: {len(body.encode())}", "", body]
    lines.append(f"--{boundary}--")
    return f'multipart/mixed; boundary="{boundary}"', ("\n".join(lines) + "\n").encode()


def batch_vs_single(port: int, key: str, texts: list[str], seconds: float, max_rounds: int) -> list[dict]:
    """Rounds of BATCH_OF texts, each way for ``seconds``: one batch, singles one after another,
    singles at once. Latency: until the round's last answer."""
    from concurrent.futures import ThreadPoolExecutor

    results = []
    rng = random.Random(21)
    clients = [Client(port, key) for _ in range(BATCH_OF)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def one_batch(round_texts: list[str]) -> int:
        nonlocal connection
        content_type, body = batch_body(round_texts, key)
        try:
            connection.request("POST", "/batch", body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            answer = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            return BATCH_OF
        if response.status != 200:
            return BATCH_OF
        return BATCH_OF - len(re.findall(r"^HTTP/1\.1 200 ", answer, re.M))

    def one_after_another(round_texts: list[str]) -> int:
        return sum(clients[0].post(coral_body(text)) != 200 for text in round_texts)

    with ThreadPoolExecutor(BATCH_OF) as pool:
        def at_once(round_texts: list[str]) -> int:
            statuses = pool.map(lambda pair: pair[0].post(coral_body(pair[1])), zip(clients, round_texts))
            return sum(status != 200 for status in statuses)

        for way, send in ((f"one batch of {BATCH_OF}", one_batch),
                          (f"{BATCH_OF} singles one after another", one_after_another),
                          (f"{BATCH_OF} singles at once", at_once)):
            send([rng.choice(texts) for _ in range(BATCH_OF)])  # warm: connections open, code paths run
            latencies: list[float] = []
            errors = 0
            before = batch_stats(port)
            started = time.monotonic()
            while time.monotonic() - started < seconds and len(latencies) < max_rounds:
                round_started = time.monotonic()
                failed = send([rng.choice(texts) for _ in range(BATCH_OF)])
                latencies.append(time.monotonic() - round_started)
                errors += failed
            elapsed = time.monotonic() - started
            after = batch_stats(port)
            batches = after[1] - before[1]
            results.append({"way": way, "rounds": len(latencies), "errors": errors, "seconds": elapsed,
                            "texts_per_s": (len(latencies) * BATCH_OF - errors) / elapsed,
                            "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
                            "mean_batch": (after[0] - before[0]) / batches if batches else None})
    connection.close()
    return results


def batch_stats(port: int) -> tuple[float, float]:
    """(sum, count) of the batch-size histogram, added up over the workers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    total = re.search(r"^moderation_analyze_batch_size_sum (\S+)$", text, re.M)
    count = re.search(r"^moderation_analyze_batch_size_count (\S+)$", text, re.M)
    return (float(total.group(1)) if total else 0.0, float(count.group(1)) if count else 0.0)


def closed_loop(port: int, key: str, texts: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    sent = [0]

    def run(number: int) -> None:
        client = Client(port, key)
        rng = random.Random(number)
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            started = time.monotonic()
            status = client.post(coral_body(rng.choice(texts)))
            elapsed = time.monotonic() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    before = batch_stats(port)
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = batch_stats(port)
    batches = after[1] - before[1]
    return {"clients": clients, "requests": len(latencies), "errors": errors[0], "seconds": elapsed,
            "rps": len(latencies) / elapsed, "p50_ms": percentile(latencies, 0.5) * 1000 if latencies else None,
            "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else None,
            "mean_batch": (after[0] - before[0]) / batches if batches else None}


def open_loop(port: int, key: str, texts: list[str], rate: float, seconds: float) -> dict:
    """Requests scheduled at ``rate`` per second; latency from the scheduled time (no coordinated omission)."""
    count = max(1, int(rate * seconds))
    start = time.monotonic() + 0.2
    schedule = [start + i / rate for i in range(count)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    position = [0]

    def run(number: int) -> None:
        client = Client(port, key)
        rng = random.Random(1000 + number)
        while True:
            with lock:
                if position[0] >= count:
                    return
                when = schedule[position[0]]
                position[0] += 1
            delay = when - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            status = client.post(coral_body(rng.choice(texts)))
            with lock:
                if status == 200:
                    latencies.append(time.monotonic() - when)
                else:
                    errors[0] += 1

    senders = min(64, count)
    threads = [threading.Thread(target=run, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    p99 = percentile(latencies, 0.99) if latencies else float("inf")
    return {"rate": rate, "requests": len(latencies), "errors": errors[0], "p99_ms": p99 * 1000,
            "ok": errors[0] == 0 and p99 < 1.0}


def highest_rate(port: int, key: str, texts: list[str], start: float, seconds: float, steps: int,
                 bisections: int) -> tuple[float | None, list[dict]]:
    tried: list[dict] = []
    good, bad = None, None
    rate = start
    for _ in range(steps):
        result = open_loop(port, key, texts, rate, seconds)
        tried.append(result)
        if result["ok"]:
            good = rate
            rate *= 1.25
        else:
            bad = rate
            break
    if good is None and bad is not None:  # even the first rate was too much: go down
        rate = bad
        for _ in range(steps):
            rate /= 1.5
            result = open_loop(port, key, texts, rate, seconds)
            tried.append(result)
            if result["ok"]:
                good = rate
                break
            bad = rate
    if good is not None and bad is not None:
        for _ in range(bisections):
            middle = (good + bad) / 2
            result = open_loop(port, key, texts, middle, seconds)
            tried.append(result)
            if result["ok"]:
                good = middle
            else:
                bad = middle
    return good, tried


def wait_for_analyzer(port: int, key: str, timeout: float = 600) -> None:
    client = Client(port, key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.post(coral_body("Le modèle est-il prêt ?")) == 200:
            return
        time.sleep(0.5)
    raise RuntimeError("the analyzer did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny model, few requests: checks that it works")
    parser.add_argument("--threads", type=int, default=2, help="torch threads ([scoring] threads)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=None, help="duration of each closed-loop run")
    parser.add_argument("--rate-seconds", type=float, default=None, help="duration of each open-loop rate")
    parser.add_argument("--precisions", default="float32,int8")
    parser.add_argument("--batch-only", action="store_true",
                        help=f"only the batch of {BATCH_OF} vs {BATCH_OF} single requests")
    args = parser.parse_args()
    quick = args.quick
    seconds = args.seconds or (3 if quick else 30)
    rate_seconds = args.rate_seconds or (2 if quick else 20)
    max_requests = 40 if quick else 10**9
    concurrencies = [1, 4, 16]

    WORK.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="analyze-bench-", dir=WORK))
    if quick:
        from tests.scoring.checkpoint import SENTENCES, make_checkpoint

        checkpoint = make_checkpoint(tmp / "tiny")
        texts = SENTENCES * 4
        shape = "tiny random XLM-RoBERTa (2 layers, hidden 32): --quick, a smoke test, not a measurement"
    else:
        from bench.run_all import scoring_checkpoint
        from bench.scoring_throughput import comments, vocabulary

        checkpoint = scoring_checkpoint()
        texts = comments(vocabulary(3000), 200, seed=3)
        shape = "XLM-RoBERTa-base shape (12 layers, hidden 768; random weights)"

    db = tmp / "bench.db"
    base_env = {"MODERATION_DATABASE__URL": f"sqlite:///{db}", "MODERATION_SCORING__CHECKPOINT": str(checkpoint),
                "MODERATION_SCORING__THREADS": str(args.threads),
                "MODERATION_SCORING__BATCH_SIZE": str(args.batch_size),
                "MODERATION_SCORING__LANGUAGES": '["fr", "de", "it", "en"]',
                "MODERATION_CLOSING__RUN_SCHEDULER": "false", "MODERATION_RATELIMIT__ENABLED": "false",
                "MODERATION_API__KEY_CACHE_SECONDS": "300", "MODERATION_ANALYZER__DEADLINE_SECONDS": "60",
                "MODERATION_ANALYZER__MAX_QUEUE": "100000"}
    cli_env = {**os.environ, **base_env, "MODERATION_SCORING__BACKEND": "none"}
    subprocess.run([MODERATION, "db", "upgrade"], env=cli_env, check=True, capture_output=True)
    created = subprocess.run([MODERATION, "keys", "create", "--role", "analyzer", "--name", "bench"], env=cli_env,
                             check=True, capture_output=True, text=True)
    key = created.stdout.strip().splitlines()[-1]

    results: dict = {"shape": shape, "threads": args.threads, "batch_size": args.batch_size, "runs": []}
    try:
        run_all(args, results, base_env, tmp, key, texts, seconds, rate_seconds, max_requests, concurrencies)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the database and sockets; server logs stay in bench/.work
    # A quick run never replaces the real figures, and a --batch-only run has its own
    # (bench/report.py reads analyze_throughput and analyze_batch).
    name = "analyze_throughput_quick" if quick else "analyze_batch" if args.batch_only else "analyze_throughput"
    write_results(name, results, render(results, quick))


def run_all(args, results: dict, base_env: dict, tmp: Path, key: str, texts: list[str], seconds: float,
            rate_seconds: float, max_requests: int, concurrencies: list[int]) -> None:
    quick = args.quick
    for precision in args.precisions.split(","):
        for batching in (True, False):
            path = "dynamic batching" if batching else "one at a time"
            metrics = tmp / f"metrics-{precision}-{batching}"
            metrics.mkdir()
            port = free_port()
            env = {**base_env, "MODERATION_SCORING__PRECISION": precision,
                   "MODERATION_ANALYZER__BATCHING": "true" if batching else "false",
                   "MODERATION_ANALYZER__SOCKET_PATH": str(tmp / f"analyzer-{precision}-{batching}.sock"),
                   "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
            server = Server(f"analyze-{precision}-{'batching' if batching else 'single'}",
                            [GUNICORN, "-w", "2", "-k", "gthread", "--threads", "16", "-b", f"127.0.0.1:{port}",
                             "moderation.server:application()"], env, port, "/healthz")
            loops, rate, tried = [], None, []
            try:
                wait_for_analyzer(port, key)
                closed_loop(port, key, texts, 4, 2 if quick else 10, 20 if quick else 10**9)  # warm-up
                if not args.batch_only:
                    loops = [closed_loop(port, key, texts, clients, seconds, max_requests)
                             for clients in concurrencies]
                    start = max(0.5, loops[-1]["rps"] * 0.5)
                    rate, tried = highest_rate(port, key, texts, start, rate_seconds, steps=2 if quick else 8,
                                               bisections=0 if quick else 3)
                batched = batch_vs_single(port, key, texts, seconds, 20 if quick else 10**9)
            finally:
                server.stop()
            results["runs"].append({"precision": precision, "batching": batching, "path": path, "closed": loops,
                                    "max_rate": rate, "rates_tried": tried, "batch_vs_single": batched})
            print(f"{precision} {path}: " + ", ".join(f"{r['clients']} clients {r['rps']:.2f} req/s" for r in loops)
                  + f"; highest rate with p99 < 1 s: {rate}; "
                  + ", ".join(f"{b['way']} {b['texts_per_s']:.2f} texts/s" for b in batched), flush=True)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def render(results: dict, quick: bool) -> str:
    lines = [f"Analyze (`POST /v1alpha1/comments:analyze`, Coral's body), {results['shape']}; gunicorn 2 workers, "
             f"one model copy, torch threads = {results['threads']}, batches of up to {results['batch_size']}."]
    if quick:
        lines += ["", "**--quick run: tiny model and a few requests; these figures say nothing about speed.**"]
    if any(run["closed"] for run in results["runs"]):
        lines += ["", "| precision | path | clients | req/s | p50 | p99 | mean batch | errors |",
                  "|---|---|---|---|---|---|---|---|"]
    for run in results["runs"]:
        for loop in run["closed"]:
            batch = "-" if loop["mean_batch"] is None else f"{loop['mean_batch']:.1f}"
            lines.append(f"| {run['precision']} | {run['path']} | {loop['clients']} | {loop['rps']:.2f} | "
                         f"{_ms(loop['p50_ms'])} | {_ms(loop['p99_ms'])} | {batch} | {loop['errors']} |")
    if any(run["closed"] for run in results["runs"]):
        lines += ["", "| precision | path | highest rate with p99 < 1 s |", "|---|---|---|"]
        for run in results["runs"]:
            rate = "below the lowest rate tried" if run["max_rate"] is None else f"{run['max_rate']:.2f} req/s"
            lines.append(f"| {run['precision']} | {run['path']} | {rate} |")
    if any(run.get("batch_vs_single") for run in results["runs"]):
        lines += ["", f"A batch of {BATCH_OF} (`POST /batch`, Google's format) vs {BATCH_OF} single requests, "
                      f"one client; latency until all {BATCH_OF} are answered:", "",
                  "| precision | path | way | texts/s | p50 | p99 | mean batch | errors |",
                  "|---|---|---|---|---|---|---|---|"]
        for run in results["runs"]:
            for way in run.get("batch_vs_single", []):
                batch = "-" if way["mean_batch"] is None else f"{way['mean_batch']:.1f}"
                lines.append(f"| {run['precision']} | {run['path']} | {way['way']} | {way['texts_per_s']:.2f} | "
                             f"{_ms(way['p50_ms'])} | {_ms(way['p99_ms'])} | {batch} | {way['errors']} |")
    lines += [""]
    for precision in dict.fromkeys(run["precision"] for run in results["runs"]):
        batched = next((r for r in results["runs"] if r["precision"] == precision and r["batching"]), None)
        single = next((r for r in results["runs"] if r["precision"] == precision and not r["batching"]), None)
        if not batched or not single or not batched["closed"]:
            continue
        ratios = [b["rps"] / s["rps"] if s["rps"] else float("nan")
                  for b, s in zip(batched["closed"], single["closed"])]
        verdict = "never slower" if all(r >= 0.95 for r in ratios) else "SLOWER somewhere (more than 5 %)"
        lines.append(f"- {precision}: dynamic batching ÷ one at a time (req/s) at 1, 4, 16 clients: "
                     + ", ".join(f"{r:.2f}×" for r in ratios) + f" — {verdict}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
