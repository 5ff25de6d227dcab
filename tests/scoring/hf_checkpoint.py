"""A tiny Hugging Face sequence-classification model made on the spot (real weights cannot be
downloaded here): a 2-layer BERT with random weights, a WordPiece vocabulary written from a
few German sentences, and the labels of a typical German toxicity classifier ("non_toxic",
"toxic", single-label: softmax). Saved with save_pretrained, so the service loads it exactly
as it would a real checkpoint folder. Tests check routing and plumbing, not toxicity.
"""
from __future__ import annotations

import re
from pathlib import Path

SENTENCES = [
    "Das ist ein Kommentar auf Deutsch über die Wahlen.",
    "Vielen Dank für den Artikel, sehr interessant.",
    "Ich bin nicht einverstanden mit dem Autor.",
    "Du bist ein Idiot und ich hasse dich.",
    "Die Abstimmung am Sonntag war knapp.",
    "Der Bundesrat hat das Budget vorgestellt.",
]
LABELS = ["non_toxic", "toxic"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def make_hf_checkpoint(folder: Path, *, hidden: int = 32, layers: int = 2, heads: int = 2, seed: int = 0) -> Path:
    """Write config, weights and tokenizer into ``folder``; return it."""
    import torch
    import transformers

    folder.mkdir(parents=True, exist_ok=True)
    words = sorted({w for s in SENTENCES for w in re.findall(r"\w+|[^\w\s]", s.lower())})
    letters = sorted({c for s in SENTENCES for c in s.lower() if c.isalnum()})
    vocab = SPECIAL + words + letters + [f"##{c}" for c in letters]
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    # Positional: "vocab_file" in transformers 4, "vocab" (a path or a dict) in 5.
    tokenizer = transformers.BertTokenizer(str(folder / "vocab.txt"), do_lower_case=True,
                                           model_max_length=128)
    tokenizer.save_pretrained(folder)
    config = transformers.BertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=hidden * 2, max_position_embeddings=130, num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)},
        problem_type="single_label_classification", initializer_range=0.2)
    torch.manual_seed(seed)
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(folder)
    return folder
