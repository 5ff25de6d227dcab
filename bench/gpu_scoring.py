"""The scorer on a GPU ([scoring] device = "cuda"), XLM-RoBERTa-base shape.

Same checkpoint and comments as bench/scoring_throughput.py (random weights with a fitted
head; speed does not depend on the weights). On the GPU, in one invocation:

  (a) Detoxify.predict, one comment at a time (device cuda);
  (b) the worker's path (DetoxifyScorer, batches sorted by length) at several batch sizes;

and checks that the GPU's scores equal the CPU's float32 scores (largest difference).
Writes bench/results/gpu_scoring.{md,json} (and $OUT/ when set, for the device tool).

    python -m bench.gpu_scoring [--comments 512]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from bench.scoring_throughput import build_checkpoint, comments, vocabulary


def _timed(run, repeats: int, device: str) -> float:
    """Median seconds of ``repeats`` runs, after one warm-up (CUDA kernels, allocator)."""
    import torch

    def sync() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    run()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", default="8,32,64,128")
    parser.add_argument("--device", default="cuda", help="cpu only to check this script where there is no GPU")
    args = parser.parse_args()

    import torch
    from detoxify import Detoxify

    from moderation.config import ScoringSettings
    from moderation.scoring.detoxify_scorer import DetoxifyScorer

    device = args.device
    assert device == "cpu" or torch.cuda.is_available(), "no CUDA device"
    words = vocabulary(3000)
    sample = comments(words, args.comments, seed=1)
    rows, results = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = build_checkpoint(Path(tmp), words)
        naive = Detoxify(checkpoint=str(checkpoint), device=device)
        naive_sample = sample[:128]
        seconds = _timed(lambda: [naive.predict(text) for text in naive_sample], args.repeats, device)
        results["naive"] = len(naive_sample) / seconds
        rows.append(f"| (a) Detoxify.predict, one comment at a time | {results['naive']:.1f} | 1.00 |")

        cpu = DetoxifyScorer(ScoringSettings(checkpoint=str(checkpoint), device="cpu", threads=8, batch_size=8))
        cpu.load()
        cpu_scores = cpu.score(sample[:64])
        for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
            scorer = DetoxifyScorer(ScoringSettings(checkpoint=str(checkpoint), device=device,
                                                    batch_size=batch_size))
            scorer.load()
            seconds = _timed(lambda s=scorer: s.score(sample), args.repeats, device)
            rate = len(sample) / seconds
            results[f"batch_{batch_size}"] = rate
            if batch_size == 8:
                gpu_scores = scorer.score(sample[:64])
                results["max_abs_diff_gpu_vs_cpu"] = max(abs(g[c] - s[c]) for g, s in zip(gpu_scores, cpu_scores)
                                                         for c in g)
            rows.append(f"| (b) worker, float32, batches of {batch_size} sorted by length | {rate:.1f} | "
                        f"{rate / results['naive']:.2f} |")
            if device.startswith("cuda"):
                torch.cuda.empty_cache()

    device = torch.cuda.get_device_name(0) if device.startswith("cuda") else "CPU (script check only)"
    markdown = "\n".join([
        f"Scoring on the GPU ({device}, torch {torch.__version__}, Python {platform.python_version()}), "
        f"XLM-RoBERTa-base shape, {args.comments} comments of 20–400 words; median of {args.repeats} runs after "
        "a warm-up.", "",
        "| path | comments/s | × naive |", "|---|---|---|", *rows, "",
        f"- GPU vs CPU float32 scores, 64 comments, every class: largest difference "
        f"{results['max_abs_diff_gpu_vs_cpu']:.2e}.",
    ])
    print(markdown)
    payload = {"device": device, "torch": torch.__version__, "comments": args.comments, "rates": results}
    for folder in [Path(__file__).resolve().parent / "results", Path(os.environ["OUT"]) if os.environ.get("OUT")
                   else None]:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "gpu_scoring.md").write_text(markdown + "\n")
            (folder / "gpu_scoring.json").write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
