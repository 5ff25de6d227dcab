"""Assemble docs/benchmarks.md from the latest results under bench/results."""
from __future__ import annotations

import json
from pathlib import Path

from bench.common import RESULTS

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

SECTIONS = [
    ("http", "Comment intake and reads, ours vs Isso 0.14", "make bench"),
    ("profile_paths", "Where a read and a post spend their time: cProfile before and after issue 24",
     ".venv/bin/python -m bench.profile_paths --compare BEFORE.json (see its docstring)"),
    ("pyspy_paths", "Where a serving worker spends a thread read: py-spy under wrk",
     ".venv/bin/python -m bench.pyspy_paths"),
    ("pg_roundtrips", "A public read's round trips on PostgreSQL", ".venv/bin/python -m bench.pg_roundtrips"),
    ("scoring_throughput", "Toxicity scoring throughput", ".venv/bin/python -m bench.scoring_throughput"),
    ("gpu_scoring", "Toxicity scoring on a GPU ([scoring] device = \"cuda\")", "python -m bench.gpu_scoring"),
    ("loaded_scoring", "Scoring under a saturating intake load", ".venv/bin/python -m bench.loaded_scoring"),
    ("closing_sweep", "The closing sweep over a million articles", ".venv/bin/python -m bench.closing_sweep"),
    ("queue_latency", "The review queue over a million waiting comments", ".venv/bin/python -m bench.queue_latency"),
    ("console_queue", "The console's queue page over a million waiting comments",
     ".venv/bin/python -m bench.console_queue"),
    ("console_browser_sqlite", "The console in the browser: from pressing a to the next card (SQLite)",
     ".venv/bin/python -m bench.console_browser --database sqlite"),
    ("console_browser_postgres", "The console in the browser: from pressing a to the next card (PostgreSQL)",
     ".venv/bin/python -m bench.console_browser --database postgres"),
    ("soak", "Soak: ten minutes of mixed traffic", ".venv/bin/python -m bench.soak"),
    ("webhooks", "Webhooks: what delivery costs intake, and the delivery rate", ".venv/bin/python -m bench.webhooks"),
    ("webhooks_thread", "Webhooks before the delivery process: the delivery thread inside the serving processes",
     ".venv/bin/python -m bench.webhooks"),
    ("webhooks_separate", "Webhooks, the experiment behind the delivery process: a separate niced worker while the "
     "delivery thread still ran inside the serving processes",
     ".venv/bin/python -m bench.webhooks --separate-worker 10 --runs 3"),
    ("analyze_throughput", "Perspective-compatible analyze: dynamic batching vs one at a time",
     ".venv/bin/python -m bench.analyze_throughput"),
    ("house_model", "The house model on real labelled comments",
     ".venv/bin/python -m bench.house_model"),
    ("analyze_batch", "Perspective-compatible analyze: a batch of 10 (Google's batch format) vs 10 single requests",
     ".venv/bin/python -m bench.analyze_throughput --batch-only"),
]


def write_report() -> None:
    parts = ["# Benchmarks", "",
             "Every figure below comes from a script under `bench/`, run on the machine it names; the raw "
             "numbers are in `bench/results/*.json`. This 2-core machine is shared and noisy: comparisons are "
             "always made in one invocation, and the tables report medians.", ""]
    for name, title, command in SECTIONS:
        md, data = RESULTS / f"{name}.md", RESULTS / f"{name}.json"
        if not md.exists():
            continue
        meta = json.loads(data.read_text()) if data.exists() else {}
        parts += [f"## {title}", "", f"Command: `{command}` (commit {meta.get('commit', '?')}).  ",
                  f"Machine: {meta.get('machine', '?')}.", "", md.read_text().strip(), ""]
    analysis = Path(__file__).resolve().parent / "analysis.md"
    if analysis.exists():
        parts += [analysis.read_text().strip(), ""]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(parts) + "\n")


if __name__ == "__main__":
    write_report()
