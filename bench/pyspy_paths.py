"""py-spy on a gunicorn worker of ours under load (issue 24, point 2): which functions a
worker is in while wrk reads a thread (or posts comments), sampled from outside the process.

    .venv/bin/python -m bench.pyspy_paths [--seconds 10] [--script read.lua|ours_intake.lua]

Ours on SQLite, scorer off, 2 gthread workers as in `make bench`; py-spy (pip install py-spy)
records one worker in "raw" (collapsed stacks) for --seconds while wrk drives 16
connections; prints the functions most often on top of the stack, and at any depth.
"""
from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from bench.common import write_results
from bench.run_all import LUA, WORK, Ours, ensure_tools, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--script", default="read.lua")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    ensure_tools()
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{WORK / 'pyspy.db'}{suffix}").unlink(missing_ok=True)
    ours = Ours(f"sqlite:///{WORK / 'pyspy.db'}", "pyspy", scorer=False)
    try:
        path = ours.seed_thread("thread-200", 200)
        ours.article("breaking")
        workers = subprocess.run(["pgrep", "-P", str(ours.server.process.pid)], capture_output=True,
                                 text=True).stdout.split()
        env = {"BENCH_PATH": path, "BENCH_KEY": ours.key, "BENCH_ARTICLE": "breaking", "BENCH_LUA_DIR": str(LUA)}
        result: list[dict] = []
        load = threading.Thread(target=lambda: result.append(wrk(ours.port, args.script, 16, args.seconds + 4, env)))
        load.start()
        output = WORK / "pyspy.txt"
        subprocess.run([pyspy, "record", "--pid", workers[0], "--duration", str(args.seconds), "--format", "raw",
                        "--output", str(output), "--nonblocking", "--threads"], check=True, capture_output=True)
        load.join()
    finally:
        ours.stop()
    own, anywhere, total = collections.Counter(), collections.Counter(), 0
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if not f.startswith("thread ")]
        if not frames or any("wait" in f and "threading.py" in f for f in frames[-1:]):
            continue  # idle threads: waiting for a connection or a lock
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            anywhere[frame] += int(count)
    lines = [f"py-spy, {total} samples of one gunicorn worker (of 2, gthread, 8 threads) while wrk ran "
             f"{args.script} on 16 connections for {args.seconds} s; ours on SQLite, scorer off. Result: {result[0]}.",
             "", "| on top of the stack | share |", "|---|---|"]
    lines += [f"| `{frame}` | {count / total:.1%} |" for frame, count in own.most_common(12)]
    lines += ["", "| anywhere in the stack (ours, Flask, SQLAlchemy, limits) | share |", "|---|---|"]
    lines += [f"| `{frame}` | {count / total:.1%} |" for frame, count in anywhere.most_common(60)
              if any(word in frame for word in ("moderation", "flask", "sqlalchemy", "limit"))][:14]
    markdown = "\n".join(lines)
    print(markdown)
    write_results("pyspy_paths", {"script": args.script, "seconds": args.seconds, "samples": total,
                                  "wrk": result[0], "own": own.most_common(40)}, markdown)

if __name__ == "__main__":
    main()
