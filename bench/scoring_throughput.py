"""Issue 4: comments scored per second on this machine's CPU, XLM-RoBERTa-base shape.

Builds a checkpoint in Detoxify's format with XLM-RoBERTa-base's shape (12 layers, hidden
768, 12 heads, FFN 3072, 512 tokens; random weights, since speed does not depend on them)
and a sentencepiece tokenizer whose vocabulary covers the benchmark's words, so that a
comment of N words is about N tokens, as with the real tokenizer on French. Then scores
the same realistic mix of comments (20 to 400 words) with:

  (a) a loop calling Detoxify.predict on one comment at a time;
  (b) the worker's path (DetoxifyScorer: batches sorted by length), float32;
  (c) the worker's path with [scoring] precision = "int8" (dynamic quantization);

all with the same torch thread count, in one invocation, and checks that (c) ranks 500
comments like float32 (Spearman) and that (b) equals (a) within 1e-5.

    .venv/bin/python -m bench.scoring_throughput [--comments 96] [--ranking 500] [--threads 2]
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from bench.common import write_results

SYLLABLES = ["la", "le", "de", "ment", "tion", "pour", "con", "tre", "vo", "ta", "po", "li", "que", "bu", "get",
             "fé", "dé", "ral", "ci", "toy", "en", "ne", "mi", "nis", "cho", "ix", "gou", "ver", "ne", "ré"]


def vocabulary(size: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))))
    return sorted(words)


def comments(words: list[str], count: int, seed: int) -> list[str]:
    """Lengths spread from 20 to 400 words, skewed to short ones as real comments are."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        length = min(400, max(20, int(rng.lognormvariate(4.2, 0.7))))
        texts.append(" ".join(rng.choice(words) for _ in range(length)) + ".")
    return texts


def build_checkpoint(folder: Path, words: list[str]) -> Path:
    import sentencepiece as spm
    import torch
    import transformers

    corpus = [" ".join(random.Random(i).sample(words, 40)) for i in range(400)] + words
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_prefix=str(folder / "sentencepiece.bpe"), vocab_size=len(words) + 200,
        model_type="unigram", character_coverage=1.0, bos_id=0, pad_id=1, eos_id=2, unk_id=3, minloglevel=2,
        hard_vocab_limit=False)
    sp = spm.SentencePieceProcessor(model_file=str(folder / "sentencepiece.bpe.model"))
    vocab = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())] + [("<mask>", 0.0)]
    tokenizer = transformers.XLMRobertaTokenizer(vocab=vocab, model_max_length=512)
    tokenizer.save_pretrained(folder)
    config = transformers.XLMRobertaConfig(vocab_size=len(tokenizer), hidden_size=768, num_hidden_layers=12,
                                           num_attention_heads=12, intermediate_size=3072,
                                           max_position_embeddings=514, num_labels=16)
    config.save_pretrained(folder)
    torch.manual_seed(0)
    model = transformers.XLMRobertaForSequenceClassification(config)
    classes = ["toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit"]
    classes += [f"identity_{i}" for i in range(16 - len(classes))]
    path = folder / "xlmr-base-shape.ckpt"
    torch.save({"config": {"arch": {"args": {"model_type": str(folder),
                                             "model_name": "XLMRobertaForSequenceClassification",
                                             "tokenizer_name": "XLMRobertaTokenizer", "num_classes": 16}},
                           "dataset": {"args": {"classes": classes}}},
                "state_dict": model.state_dict()}, path)
    fit_head(path, comments(words, 64, seed=5))
    return path


def fit_head(checkpoint: Path, calibration: list[str]) -> None:
    """Give the random model a head that discriminates, as a trained one does.

    With random weights every comment scores within about 0.01 of the others, so any noise,
    int8 rounding included, reorders them: a ranking test would measure nothing. Here each
    class's output is set to the principal directions of the head's input over calibration
    texts (not the ones measured), scaled so that scores spread over (0, 1) like a trained
    model's. Speed is unchanged: only the values of the last layer's weights move.
    """
    import torch
    from detoxify import Detoxify

    model = Detoxify(checkpoint=str(checkpoint))
    features = []
    hook = model.model.classifier.out_proj.register_forward_hook(lambda _m, inputs, _o: features.append(inputs[0]))
    for start in range(0, len(calibration), 16):
        model.predict(calibration[start:start + 16])
    hook.remove()
    matrix = torch.cat(features)
    mean = matrix.mean(0)
    _, _, directions = torch.pca_lowrank(matrix - mean, q=8)
    with torch.no_grad():
        weight, bias = model.model.classifier.out_proj.weight, model.model.classifier.out_proj.bias
        for row in range(weight.shape[0]):
            direction = directions[:, row % 8]
            scale = 2.0 / ((matrix - mean) @ direction).std()
            weight[row] = direction * scale
            bias[row] = -(mean @ direction) * scale
    saved = torch.load(checkpoint, weights_only=False)
    saved["state_dict"] = model.model.state_dict()
    torch.save(saved, checkpoint)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):  # ties share their average rank
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the ranks."""
    ra, rb = _ranks(a), _ranks(b)
    mean_a, mean_b = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(ra, rb))
    var_a = sum((x - mean_a) ** 2 for x in ra)
    var_b = sum((y - mean_b) ** 2 for y in rb)
    return cov / (var_a * var_b) ** 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=96)
    parser.add_argument("--ranking", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    import torch
    from detoxify import Detoxify

    from moderation.config import ScoringSettings
    from moderation.scoring.detoxify_scorer import DetoxifyScorer

    torch.set_num_threads(args.threads)
    words = vocabulary(3000)
    sample = comments(words, args.comments, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = build_checkpoint(Path(tmp), words)
        naive = Detoxify(checkpoint=str(checkpoint))
        tokens = [len(naive.tokenizer(text, truncation=True)["input_ids"]) for text in sample]
        words_per = [len(text.split()) for text in sample]

        def scorer(precision: str) -> DetoxifyScorer:
            s = DetoxifyScorer(ScoringSettings(checkpoint=str(checkpoint), threads=args.threads,
                                               batch_size=args.batch_size, precision=precision))
            s.load()
            return s

        float32, int8 = scorer("float32"), scorer("int8")
        naive.predict(sample[0])  # warm-up each path once
        float32.score(sample[:2])
        int8.score(sample[:2])

        t0 = time.perf_counter()
        naive_scores = [naive.predict(text)["toxicity"] for text in sample]
        naive_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        batched = float32.score(sample)
        batched_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        int8.score(sample)
        int8_seconds = time.perf_counter() - t0
        max_diff = max(abs(b["toxicity"] - n) for b, n in zip(batched, naive_scores))

        ranking_sample = comments(words, args.ranking, seed=2)
        reference = [s["toxicity"] for s in float32.score(ranking_sample)]
        fast = [s["toxicity"] for s in int8.score(ranking_sample)]
        rho = spearman(reference, fast)

    rates = {"naive": args.comments / naive_seconds, "float32": args.comments / batched_seconds,
             "int8": args.comments / int8_seconds}
    rows = [
        "| path | comments/s | × naive |", "|---|---|---|",
        f"| (a) Detoxify.predict, one comment at a time | {rates['naive']:.2f} | 1.00 |",
        f"| (b) worker, float32, batches of {args.batch_size} sorted by length | {rates['float32']:.2f} | "
        f"{rates['float32'] / rates['naive']:.2f} |",
        f"| (c) worker, int8 dynamic quantization | {rates['int8']:.2f} | {rates['int8'] / rates['naive']:.2f} |",
    ]
    markdown = "\n".join([
        f"Scoring throughput, XLM-RoBERTa-base shape, {args.comments} comments of {min(words_per)}–{max(words_per)} "
        f"words (median {sorted(words_per)[len(words_per) // 2]}; {sum(tokens) / len(tokens):.0f} tokens on average), "
        f"torch threads = {args.threads}.", "", *rows, "",
        f"- (b) vs (a): largest difference in toxicity {max_diff:.2e} (float32, exact path).",
        f"- (c) vs float32 ranking of {args.ranking} comments: Spearman ρ = {rho:.4f} (classification head fitted "
        f"to the representation, see fit_head; scores spread {min(reference):.2f}–{max(reference):.2f}).",
    ])
    write_results("scoring_throughput", {"rates": rates, "spearman": rho, "max_abs_diff_batched_vs_naive": max_diff,
                                         "threads": args.threads, "comments": args.comments,
                                         "mean_tokens": sum(tokens) / len(tokens)}, markdown)


if __name__ == "__main__":
    main()
