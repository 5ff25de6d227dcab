"""A small Detoxify checkpoint made on the spot, because real weights cannot be downloaded here.

It has Detoxify's own format ({"config": {"arch": {"args": ...}, "dataset": {"args":
{"classes": ...}}}, "state_dict": ...}), a tiny XLM-RoBERTa with random weights, and a
sentencepiece tokenizer trained on a few sentences; ``config.arch.args.model_type`` points
at a local folder, so Detoxify's real loading and predict code run on it offline.
The weights are random: tests check the pipeline's plumbing and exactness, not toxicity.
"""
from __future__ import annotations

from pathlib import Path

SENTENCES = [
    "Bonjour tout le monde, ceci est un commentaire sur l'article.",
    "Je ne suis pas d'accord avec l'auteur, mais merci pour l'enquête.",
    "Quel article intéressant, merci à la rédaction!",
    "Hello world, this is a comment about the budget.",
    "You are an idiot and I hate you.",
    "Das ist ein Kommentar auf Deutsch über die Wahlen.",
    "Questo è un commento sulla politica svizzera.",
    "Émojis 🙂 et accents àéèçôù, guillemets «ainsi».",
]
CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]


def make_checkpoint(folder: Path, *, hidden: int = 32, layers: int = 2, heads: int = 2, intermediate: int = 64,
                    max_tokens: int = 128, vocab_size: int = 70, seed: int = 0,
                    tokenizer_knows_limit: bool = True) -> Path:
    """Write the tokenizer, the HF config and ``detoxify.ckpt`` into ``folder``; return the .ckpt path.

    ``tokenizer_knows_limit=False`` saves a tokenizer without ``model_max_length``, as some
    published folders are: truncation then knows no limit, only the model's positions do."""
    import sentencepiece as spm
    import torch
    import transformers

    folder.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(SENTENCES * 20), model_prefix=str(folder / "sentencepiece.bpe"),
        vocab_size=vocab_size, model_type="unigram", character_coverage=1.0,
        bos_id=0, pad_id=1, eos_id=2, unk_id=3, minloglevel=2)
    processor = spm.SentencePieceProcessor(model_file=str(folder / "sentencepiece.bpe.model"))
    vocab = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    limit = {"model_max_length": max_tokens} if tokenizer_knows_limit else {}
    tokenizer = transformers.XLMRobertaTokenizer(vocab=vocab + [("<mask>", 0.0)], **limit)
    tokenizer.save_pretrained(folder)
    config = transformers.XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=intermediate, max_position_embeddings=max_tokens + 2, num_labels=len(CLASSES),
        initializer_range=0.5)  # wide weights, so that scores differ between texts
    config.save_pretrained(folder)
    torch.manual_seed(seed)
    model = transformers.XLMRobertaForSequenceClassification(config)
    checkpoint = {
        "config": {
            "arch": {"args": {"model_type": str(folder), "model_name": "XLMRobertaForSequenceClassification",
                              "tokenizer_name": "XLMRobertaTokenizer", "num_classes": len(CLASSES)}},
            "dataset": {"args": {"classes": CLASSES}},
        },
        "state_dict": model.state_dict(),
    }
    path = folder / "detoxify.ckpt"
    torch.save(checkpoint, path)
    return path
