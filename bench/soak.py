"""Soak: ten minutes of mixed traffic against gunicorn (2 workers, SQLite by default),
reporting errors and the resident memory of every process over time.

Traffic, from 6 client threads: new comments on a rotating set of articles (some with
windows of a minute, so that the closing job keeps locking threads while comments are
refused with 409), reads of threads, the moderation queue, decisions and reports; the
scorer runs Detoxify on the XLM-RoBERTa-base-shaped checkpoint throughout.
Memory growth is measured from the end of the warm-up (first 2 minutes) to the end.

    .venv/bin/python -m bench.soak [--minutes 10] [--database-url URL]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import requests

from bench.common import write_results
from bench.run_all import WORK, Server, free_port, scoring_checkpoint

EXPECTED = {200, 201, 202, 409, 429}  # 409: closed threads and races between moderators, by design


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def processes(root: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == root:
                        children.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return [root, *sorted(children)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warmup-minutes", type=float, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    db_file = WORK / "soak.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db_file}{suffix}"):
            os.remove(f"{db_file}{suffix}")
    url = args.database_url or f"sqlite:///{db_file}"
    env = {"MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "detoxify",
           "MODERATION_SCORING__CHECKPOINT": str(scoring_checkpoint()),
           "MODERATION_CLOSING__SWEEP_INTERVAL_SECONDS": "15", "MODERATION_RATELIMIT__INTAKE_PER_AUTHOR": "1000/minute"}
    import subprocess
    import sys

    moderation = os.path.join(os.path.dirname(sys.executable), "moderation")
    subprocess.run([moderation, "db", "upgrade"], env={**os.environ, **env}, check=True, capture_output=True, cwd=WORK)
    keys = {}
    for role in ("frontend", "moderator"):
        out = subprocess.run([moderation, "keys", "create", "--role", role, "--name", f"soak-{role}-{time.time()}"],
                             env={**os.environ, **env}, check=True, capture_output=True, text=True, cwd=WORK)
        keys[role] = {"Authorization": f"Bearer {out.stdout.strip().splitlines()[-1]}"}
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = Server("soak", [gunicorn, "-w", "2", "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{port}",
                             "--control-socket", str(WORK / "soak.ctl"), "moderation.server:application()"],
                    env, port, "/healthz")
    base = f"http://127.0.0.1:{port}/api/v1"
    statuses: Counter = Counter()
    unexpected: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()
    article_number = [0]

    def new_article(session: requests.Session) -> str:
        with lock:
            article_number[0] += 1
            number = article_number[0]
        window = 1 / 60 if number % 3 == 0 else None  # every third thread closes after a minute
        body = {"title": f"Article {number}", "published_at": datetime.now(timezone.utc).isoformat()}
        if window:
            body["close_after_hours"] = window
        session.put(f"{base}/articles/soak-{number}", json=body, headers=keys["frontend"], timeout=10)
        return f"soak-{number}"

    def record(response: requests.Response, what: str) -> None:
        with lock:
            statuses[response.status_code] += 1
            if response.status_code not in EXPECTED:
                unexpected.append(f"{what}: {response.status_code} {response.text[:200]}")

    def client(number: int) -> None:
        rng = random.Random(number)
        session = requests.Session()
        articles = [new_article(session) for _ in range(3)]
        sent = 0
        while not stop.is_set():
            roll = rng.random()
            try:
                if roll < 0.55:
                    sent += 1
                    article = rng.choice(articles)
                    response = session.post(f"{base}/articles/{article}/comments", headers=keys["frontend"], json={
                        "author": {"id": f"reader-{number}-{rng.randint(1, 500)}", "name": "Lecteur"},
                        "body": f"Commentaire {number}-{sent} " + "très " * rng.randint(1, 80) + "intéressant."},
                        timeout=10)
                    record(response, "intake")
                elif roll < 0.75:
                    record(session.get(f"{base}/articles/{rng.choice(articles)}/comments", timeout=10), "read")
                elif roll < 0.85:
                    page = session.get(f"{base}/moderation/queue?limit=20&order="
                                       f"{rng.choice(['oldest', 'newest', 'toxicity'])}",
                                       headers=keys["moderator"], timeout=10)
                    record(page, "queue")
                    items = page.json().get("items", []) if page.status_code == 200 else []
                    if items:
                        item = rng.choice(items)
                        record(session.post(f"{base}/moderation/comments/{item['comment']['id']}/decision",
                                            headers=keys["moderator"],
                                            json={"action": rng.choice(["approve", "reject"]),
                                                  "expected_status": item["comment"]["status"]}, timeout=10),
                               "decision")
                elif roll < 0.90:
                    thread = session.get(f"{base}/articles/{rng.choice(articles)}/comments?limit=5", timeout=10)
                    record(thread, "read")
                    listed = thread.json().get("comments", []) if thread.status_code == 200 else []
                    if listed:
                        record(session.post(f"{base}/comments/{listed[0]['id']}/reports", headers=keys["frontend"],
                                            json={"reporter_id": f"rep-{rng.randint(1, 10**9)}", "reason": "abuse"},
                                            timeout=10), "report")
                elif roll < 0.93:
                    articles[rng.randrange(len(articles))] = new_article(session)
                else:
                    record(session.get(f"{base}/articles/{rng.choice(articles)}", timeout=10), "article")
            except requests.RequestException as exc:
                with lock:
                    statuses["exception"] += 1
                    unexpected.append(f"exception: {type(exc).__name__}")
            time.sleep(0.01)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(6)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    samples = []
    try:
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(10)
            pids = processes(server.process.pid)
            sample = {"t": round(time.monotonic() - started), "rss_kib": {str(pid): rss_kib(pid) for pid in pids}}
            samples.append(sample)
            print(json.dumps({**sample, "statuses": dict(statuses)}), flush=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()
        server.stop()
    warm = next(s for s in samples if s["t"] >= args.warmup_minutes * 60)
    last = samples[-1]
    growth = {}
    for pid, end in last["rss_kib"].items():
        start = warm["rss_kib"].get(pid)
        if start:
            growth[pid] = {"after_warmup_mib": start / 1024, "end_mib": end / 1024,
                           "growth_percent": (end - start) / start * 100}
    total = sum(v for k, v in statuses.items() if k != "exception")
    lines = [f"{args.minutes:g} minutes, 6 clients, gunicorn 2 workers, {url.split(':')[0]}; "
             f"{total:,} responses: {dict(sorted(statuses.items(), key=str))}; unexpected: {len(unexpected)}.",
             "", "| process | RSS after warm-up | RSS at end | growth |", "|---|---|---|---|"]
    for pid, g in growth.items():
        role = "master" if int(pid) == server.process.pid else "worker"
        lines.append(f"| {role} {pid} | {g['after_warmup_mib']:.0f} MiB | {g['end_mib']:.0f} MiB | "
                     f"{g['growth_percent']:+.1f}% |")
    lines.append(f"\nScorer at the end: {ready.get('checks', {}).get('scorer')}")
    write_results("soak", {"statuses": {str(k): v for k, v in statuses.items()}, "unexpected": unexpected[:50],
                           "growth": growth, "samples": samples}, "\n".join(lines))


if __name__ == "__main__":
    main()
