"""Cost of word-list matching per 1,000-character comment, in microseconds: folding one comment
before (casefold, NFKD, accents dropped) and now (moderation/folding.py), and the matching that
intake runs on every comment now (``suspect_words.find_all`` and ``banned_words.first``, which
fold the comment once each).

Comments: English (ASCII), French/German/Italian prose with accents, Russian, Greek, and French
with spoofed words (Cyrillic look-alikes, zero-width spaces). Nothing is stored.

    .venv/bin/python -m bench.word_matching [--quick]
"""
from __future__ import annotations

import argparse
import timeit
import unicodedata

from moderation.folding import fold
from moderation.review.words import WordList

BANNED = ["connard", "idiot", "cretino", "arschloch", "va te faire foutre", "идиот", "μαλάκας"]
SUSPECT = ["mafia", "corrompu", "vendu", "lügenpresse", "schifo", "мразь"]

SAMPLES = {
    "en": "This is a plain English comment about the budget, with nothing special to see here. ",
    "fr": "Très bon article, mais je trouve que l’œuvre évoquée mérite mieux: ça m’a déçu, à vrai dire. ",
    "de": "Größere Übersicht über die Straße, schön geschrieben, aber die Fußnoten fehlen leider. ",
    "it": "Perché così tanta attività? È più difficile di quanto sembri, però è un bell’articolo. ",
    "ru": "Это очень хорошая статья, спасибо автору за подробный разбор и честный взгляд. ",
    "el": "Πολύ καλό άρθρο, ευχαριστούμε για την ανάλυση και τις λεπτομέρειες της υπόθεσης. ",
    "spoofed": "Quel іdіоt, ce conn\u200bard! Vraiment ｉｄｉｏｔ et corrom\u00adpu, la mаfіа du béton. ",
}


def comment(sentence: str, length: int = 1000) -> str:
    return (sentence * (length // len(sentence) + 1))[:length]


def fold_before(value: str) -> str:
    """The folding used before look-alikes were handled (for comparison only)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repetitions, to check the script runs")
    args = parser.parse_args()
    number, repeat = (50, 3) if args.quick else (2000, 7)
    banned, suspect = WordList(BANNED), WordList(SUSPECT)

    def per_call(function) -> float:
        function()  # warm the translate tables
        return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6

    print(f"{'comment':<10} {'fold before':>12} {'fold now':>10} {'intake now':>11}  found")
    for name, sentence in SAMPLES.items():
        text = comment(sentence)

        def intake() -> tuple[list[str], str | None]:
            return suspect.find_all(text), banned.first(text)

        before, now, matching = per_call(lambda: fold_before(text)), per_call(lambda: fold(text)), per_call(intake)
        print(f"{name:<10} {before:>12.1f} {now:>10.1f} {matching:>11.1f}  {intake()}")

if __name__ == "__main__":
    main()
