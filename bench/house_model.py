"""The house model on real labelled comments (../shared/datasets), next to the datasets' baseline.

For each dataset folder (``train.csv``, and ``test.csv`` unless withheld):
- 5-fold stratified cross-validation on the train split: ROC AUC, average precision, macro F1
  (the house model at the threshold it picks on its own training rows; the baseline at 0.5,
  as baseline.py reports it);
- the shipped test split, trained on the whole train split (skipped where the test split is
  withheld: GermEval 2018, MLMA French);
- a learning curve for the natural-text datasets: AUC when trained on 250, 500, 1,000, 2,000
  and all labels (mean and standard deviation of 5 seeds), measured on the test split, or where
  it is withheld on a fixed stratified fifth of the train split that no training subset sees;
- one multilingual house model trained on every natural dataset's train split at once (what a
  site that imports them all gets), measured on each shipped test split;
- training time on 50,000 labels (the pooled train splits) and scoring throughput on one core.

The baseline is the pipeline of ../shared/datasets/baseline.py (char_wb 2–5 TF-IDF with
min_df=2, logistic regression C=4 with balanced classes), rebuilt here with the same parameters
so the benchmark does not need pandas.

usage: python -m bench.house_model [--datasets DIR] [--test-dir OTHER_DIR] [--quick]
--test-dir: where a withheld test split is (OTHER_DIR/<name>/test.csv), as baseline.py takes it.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline

from bench.common import write_results
from moderation.house.evaluate import measure
from moderation.house.model import train

DEFAULT_DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
NATURAL = ("germeval2018_de", "mlma_fr", "davidson_en", "wikipedia_toxicity_identity_en", "perspective_scores_2k_en")
SIZES = (250, 500, 1000, 2000)
SEEDS = (0, 1, 2, 3, 4)


def load(path: Path) -> tuple[list[str], np.ndarray, list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return (
        [row["text"] for row in rows],
        np.array([int(row["label"]) for row in rows]),
        [row["language"] for row in rows],
    )


def baseline():
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4, max_iter=2000, class_weight="balanced"),
    )


def pick(values, indexes):
    return [values[i] for i in indexes]


def house_fit_score(train_set, test_set) -> dict:
    (texts, labels, languages), (test_texts, test_labels, test_languages) = train_set, test_set
    model = train(texts, labels, languages)
    return measure(test_labels, model.score(test_texts, test_languages), model.threshold)


def baseline_fit_score(train_set, test_set) -> dict:
    (texts, labels, _), (test_texts, test_labels, _) = train_set, test_set
    pipeline = baseline().fit(texts, labels)
    return measure(test_labels, pipeline.predict_proba(test_texts)[:, 1], 0.5)


def subset(data, indexes):
    texts, labels, languages = data
    return pick(texts, indexes), labels[indexes], pick(languages, indexes)


def cross_validated(data, folds: int) -> dict[str, dict]:
    results: dict[str, list[dict]] = {"house": [], "baseline": []}
    for fit_rows, held_rows in StratifiedKFold(folds, shuffle=True, random_state=0).split(data[0], data[1]):
        results["house"].append(house_fit_score(subset(data, fit_rows), subset(data, held_rows)))
        results["baseline"].append(baseline_fit_score(subset(data, fit_rows), subset(data, held_rows)))
    return {
        name: {key: float(np.mean([r[key] for r in runs])) for key in ("roc_auc", "average_precision", "f1_macro")}
        for name, runs in results.items()
    }


def curve(pool, target, seeds) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for size in list(SIZES) + ["all"]:
        if size != "all" and size >= len(pool[0]):
            continue
        aucs = {"house": [], "baseline": []}
        for seed in seeds if size != "all" else seeds[:1]:
            if size == "all":
                chosen = np.arange(len(pool[0]))
            else:
                chosen, _ = train_test_split(
                    np.arange(len(pool[0])), train_size=size, stratify=pool[1], random_state=seed
                )
            part = subset(pool, chosen)
            aucs["house"].append(house_fit_score(part, target)["roc_auc"])
            aucs["baseline"].append(baseline_fit_score(part, target)["roc_auc"])
        out[str(size)] = {
            name: {"mean": float(np.mean(v)), "sd": float(np.std(v)), "seeds": len(v)} for name, v in aucs.items()
        }
    return out


def test_file(args, name: str) -> Path:
    shipped = args.datasets / name / "test.csv"
    if not shipped.is_file() and args.test_dir is not None:
        return args.test_dir / name / "test.csv"
    return shipped


def throughput(texts, languages, model, batch: int) -> float:
    sample = (texts * (1 + 4000 // max(1, len(texts))))[:4000]
    sample_languages = (languages * (1 + 4000 // max(1, len(languages))))[:4000]
    started = time.perf_counter()
    for start in range(0, len(sample), batch):
        model.score(sample[start : start + batch], sample_languages[start : start + batch])
    return len(sample) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=Path(os.environ.get("MODERATION_DATASETS", DEFAULT_DATASETS)))
    parser.add_argument("--test-dir", type=Path, default=None,
                        help="OTHER_DIR/<name>/test.csv for a dataset whose test split is withheld from --datasets")
    parser.add_argument("--quick", action="store_true", help="2 folds, 1 seed, no pooled model: a smoke run")
    args = parser.parse_args()
    # One core: the target is comments per second on one core, and the machine is shared.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    folds, seeds = (2, SEEDS[:1]) if args.quick else (5, SEEDS)
    names = sorted(p.name for p in args.datasets.iterdir() if (p / "train.csv").is_file())
    data: dict[str, dict] = {}
    pooled_train = ([], np.zeros(0, dtype=np.int64), [])
    for name in names:
        started = time.perf_counter()
        pool = load(args.datasets / name / "train.csv")
        test_path = test_file(args, name)
        test = load(test_path) if test_path.is_file() else None
        entry: dict = {
            "n_train": len(pool[0]),
            "rejected_share": float(pool[1].mean()),
            "cv": cross_validated(pool, folds),
            "test": None,
            "curve": None,
        }
        if test is not None:
            entry["test"] = {
                "house": house_fit_score(pool, test),
                "baseline": baseline_fit_score(pool, test),
                "n": len(test[0]),
            }
        if name in NATURAL:
            pooled_train = (
                pooled_train[0] + pool[0],
                np.concatenate([pooled_train[1], pool[1]]),
                pooled_train[2] + pool[2],
            )
            if test is not None:
                entry["curve"] = {"on": "test split", **curve(pool, test, seeds)}
            else:
                fit_rows, held_rows = train_test_split(
                    np.arange(len(pool[0])), test_size=0.2, stratify=pool[1], random_state=0
                )
                entry["curve"] = {
                    "on": "a held-out fifth of train",
                    **curve(subset(pool, fit_rows), subset(pool, held_rows), seeds),
                }
        entry["seconds"] = time.perf_counter() - started
        data[name] = entry
        print(name, {k: entry[k] for k in ("n_train", "cv", "test")}, flush=True)

    # One multilingual model on every natural train split: what a site importing them all gets.
    model = train(*pooled_train)
    pooled: dict = {"n_train": len(pooled_train[0]), "test": {}}
    for name in names:
        test_path = test_file(args, name)
        if name in NATURAL and test_path.is_file():
            test = load(test_path)
            pooled["test"][name] = measure(test[1], model.score(test[0], test[2]), model.threshold)

    # Training time on 50,000 labels: the natural splits hold fewer, so every shipped file is
    # pooled for this timing only (no figure above is measured with this model).
    everything = ([], np.zeros(0, dtype=np.int64), [])
    for name in names:
        for split in ("train.csv", "test.csv"):
            if (args.datasets / name / split).is_file():
                part = load(args.datasets / name / split)
                everything = (
                    everything[0] + part[0],
                    np.concatenate([everything[1], part[1]]),
                    everything[2] + part[2],
                )
    order = np.random.default_rng(0).permutation(len(everything[0]))[:50_000]
    cut = int(len(order) * 0.85)
    fit, held = subset(everything, order[:cut]), subset(everything, order[cut:])
    # As `moderation house-model train` does it: one fit, and three more for the threshold's
    # out-of-fold scores; the held-out rows are only scored.
    started = time.perf_counter()
    timed_model = train(*fit)
    pooled["timing"] = {
        "n_labels": len(order),
        "train_seconds": time.perf_counter() - started,
        "size_bytes": len(timed_model.to_bytes()),
        "mean_chars": float(np.mean([len(t) for t in held[0]])),
        "score_per_second_batch_64": throughput(held[0], held[2], timed_model, 64),
        "score_per_second_one_by_one": throughput(held[0][:500], held[2][:500], timed_model, 1),
        # News comments run longer than tweets: three texts joined, about 3x the characters.
        "score_per_second_batch_64_long": throughput(
            [" ".join(held[0][i : i + 3]) for i in range(0, 3000, 3)], held[2][:1000], timed_model, 64
        ),
    }
    print("pooled", pooled, flush=True)
    write_results(
        "house_model", {"datasets": data, "pooled": pooled, "quick": args.quick}, markdown(data, pooled, folds)
    )


def _f(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def markdown(data: dict, pooled: dict, folds: int) -> str:
    lines = [
        f"House model (hashed word 1–2- and char 2–5-grams, calibrated logistic regression) vs the datasets' "
        f"baseline (`baseline.py`: char_wb 2–5 TF-IDF + logistic regression), each trained on the train split only. "
        f"CV: {folds}-fold stratified on train. Test: the shipped test split (withheld for germeval2018_de and "
        "mlma_fr). F1: macro, house at its own threshold, baseline at 0.5.",
        "",
        "| dataset | n train | CV AUC house | CV AUC baseline | CV F1 house | CV F1 baseline | test AUC house | "
        "test AUC baseline | test AP house | test F1 house | test F1 baseline |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in data.items():
        test = entry["test"] or {}
        house, base = test.get("house") or {}, test.get("baseline") or {}
        lines.append(
            f"| {name} | {entry['n_train']} | {_f(entry['cv']['house']['roc_auc'])} | "
            f"{_f(entry['cv']['baseline']['roc_auc'])} | {_f(entry['cv']['house']['f1_macro'])} | "
            f"{_f(entry['cv']['baseline']['f1_macro'])} | {_f(house.get('roc_auc'))} | "
            f"{_f(base.get('roc_auc'))} | {_f(house.get('average_precision'))} | "
            f"{_f(house.get('f1_macro'))} | {_f(base.get('f1_macro'))} |"
        )
    lines += [
        "",
        "Learning curves: ROC AUC by number of training labels (mean ± sd of 5 seeds; 'all': one fit).",
        "",
        "| dataset | measured on | model | 250 | 500 | 1,000 | 2,000 | all |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in data.items():
        if not entry["curve"]:
            continue
        points = entry["curve"]
        for model in ("house", "baseline"):
            cells = []
            for size in ("250", "500", "1000", "2000", "all"):
                point = points.get(size)
                cells.append(
                    "–"
                    if point is None
                    else f"{point[model]['mean']:.3f} ± {point[model]['sd']:.3f}"
                    if size != "all"
                    else f"{point[model]['mean']:.3f}"
                )
            lines.append(f"| {name} | {points['on']} | {model} | " + " | ".join(cells) + " |")
    timing = pooled["timing"]
    lines += [
        "",
        f"Training on {timing['n_labels']:,} labels (every shipped file pooled; 85 % fitted as `house-model train` "
        f"fits them, its threshold from 3-fold out-of-fold scores): **{timing['train_seconds']:.1f} s**. "
        f"Scoring on one core: **{timing['score_per_second_batch_64']:,.0f} "
        f"comments/s** in batches of 64 (texts of {timing['mean_chars']:.0f} characters on average), "
        f"{timing['score_per_second_batch_64_long']:,.0f}/s for texts three times as long, "
        f"{timing['score_per_second_one_by_one']:,.0f}/s one at a time. Stored model: "
        f"{timing['size_bytes'] / 2**20:.1f} MiB.",
    ]
    if pooled.get("test"):
        lines += [
            "",
            f"One multilingual house model trained on every natural train split at once "
            f"({pooled['n_train']:,} labels), on each shipped test split:",
            "",
            "| dataset (test split) | AUC | AP | F1 macro |",
            "|---|---|---|---|",
        ]
        for name, result in pooled["test"].items():
            lines.append(
                f"| {name} | {_f(result['roc_auc'])} | {_f(result['average_precision'])} | {_f(result['f1_macro'])} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
