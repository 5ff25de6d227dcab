"""Word lists: whole-word matching that ignores case, accents, invisible characters and look-alikes.

"Connard", "CONNARD" and "connârd" all match "connard"; "id\u200biot", "ｉｄｉｏｔ" and "іdіоt"
(Cyrillic і and о) match "idiot" (moderation/folding.py says how, and which words of other
scripts are left as written). "Scunthorpe" does not match "cunt", because a match must start
and end at a word boundary (letters, digits and "_" are word characters in every script, so
this also holds for accented and non-Latin text), and folding never moves a boundary.
"""
from __future__ import annotations

import re

from moderation.folding import fold, fold_alternative


def matchable(word: str) -> bool:
    """Whether a listed word keeps something visible once folded. One of only invisible
    characters (a zero-width space, a soft hyphen, a lone accent) folds to nothing, and an
    empty alternative would match beside every punctuation mark: nearly every comment
    rejected, nothing highlighted. Emoji and signs stay: they fold to themselves."""
    return bool(fold(word.strip()).strip())


class WordList:
    def __init__(self, words: list[str]) -> None:
        # Unmatchable words are refused by the settings' validation; left out here too, for a
        # value stored before that rule.
        folded = {fold(word.strip()): word.strip() for word in words if matchable(word)}
        # A word listed in another script is also matched in its look-alike spellings.
        folded.update({alternative: original for original in folded.values()
                       if (alternative := fold_alternative(original)) and alternative not in folded})
        self._original = folded
        if folded:
            # Longest first, so that a phrase wins over a word it starts with.
            alternatives = "|".join(re.escape(w) for w in sorted(folded, key=len, reverse=True))
            self._pattern: re.Pattern[str] | None = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        else:
            self._pattern = None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def find_all(self, text: str) -> list[str]:
        """The configured words found in ``text``, each once, in order of appearance."""
        if self._pattern is None:
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(fold(text)):
            found.setdefault(self._original[match.group(0)], None)
        return list(found)

    def first(self, text: str) -> str | None:
        if self._pattern is None:
            return None
        match = self._pattern.search(fold(text))
        return self._original[match.group(0)] if match else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every match in ``text`` itself (not its folded form), for highlighting."""
        if self._pattern is None:
            return []
        folded, origin = [], []
        for index, char in enumerate(text):
            for piece in fold(char):
                folded.append(piece)
                origin.append(index)
        origin.append(len(text))
        return [(origin[m.start()], origin[m.end() - 1] + 1) for m in self._pattern.finditer("".join(folded))
                if m.end() > m.start()]
