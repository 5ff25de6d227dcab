"""Folding text for word-list matching, so that a listed word cannot be dodged with invisible or
look-alike characters. Only matching folds: comments are stored as readers sent them.

``fold`` applies, to the configured words and to the comment alike:

1. Default-ignorable characters go: every format character (category Cf: zero-width space and
   joiners, soft hyphen, word joiner, byte-order mark, bidirectional controls...) and the
   variation selectors and fillers that Unicode also marks as default-ignorable. "id\\u200biot"
   is "idiot".
2. Compatibility decomposition (NFKD, the decomposition half of NFKC), case folding and removal of
   combining marks: "ＩＤＩＯＴ", "ﬁ", "Connârd" and "Straße" become "idiot", "fi", "connard", "strasse".
3. Look-alike letters are replaced by the representative of their class in Unicode's
   confusables.txt (the skeleton of UTS #39), in every word that contains a Latin letter or letters
   of two scripts or more: "іdіоt" with Cyrillic і and о is "idiot". A word written in one
   other script only (Russian, Greek, Hebrew...) is compared as written: the Russian "сор"
   ("rubbish") stays "сор" and never matches a listed Latin "cop", although they look the same.

The confusables data is the package ``confusable-homoglyphs`` (confusables.txt and Scripts.txt of
Unicode 15, as JSON). Its table lists each class of look-alikes without saying which member is the
prototype, so the representative is derived here (see ``_skeleton_table``): equality of
representatives is equality of UTS #39 skeletons, restricted as follows so that matching stays
whole-word and never treats a genuine word as another:

* only letters are folded, and only to letters: no letter becomes a digit or punctuation mark
  (the Cyrillic "З" is not "3") and no digit or punctuation becomes a letter ("0" is not "o",
  "|" is not "l"), so folding never moves a word boundary;
* the basic Latin letters a-z are kept as they are: UTS #39 maps "m" to "rn", which would make
  "pom" the same word as "porn".

Intake folds every comment, so the work is done in C as far as possible: an ASCII comment is
only lower-cased; any other is translated once through a per-character table (steps 1 and 2,
filled on first sight of each character), then searched for look-alike letters with compiled
character classes; only a comment that has look-alikes and mixes scripts is folded word by word.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) beyond category Cf: the combining
# grapheme joiner, Hangul and Khmer fillers, Mongolian free variation selectors and the
# variation selectors. Python's unicodedata has no such property; the list is stable by policy.
_IGNORABLE_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
                     (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF))

def _ignorable(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "Cf" or any(low <= cp <= high for low, high in _IGNORABLE_RANGES)


def _is_word(ch: str) -> bool:
    """A character that ``\\w`` matches (the word boundaries of the matching pattern)."""
    return ch.isalnum() or ch == "_"


def _base(text: str) -> str:
    """Steps 1 and 2 on a short string, repeated until stable (case folding can produce
    characters that decompose further, e.g. "ẞ" -> "ss", "İ" -> "i" + combining dot)."""
    for _ in range(4):
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch) and not _ignorable(ch))
        if folded == text:
            break
        text = folded
    return text


def _base_character(ch: str) -> str:
    """``_base`` of one character, kept on its side of the word boundaries: a letter or digit
    folds to letters and digits only ("Ŀ" is "l", not "l·"), and a symbol or punctuation mark
    whose compatibility form has letters ("™") is kept as it is rather than joining a word."""
    if _ignorable(ch):
        return ""
    folded = _base(ch)
    if _is_word(ch):
        return "".join(c for c in folded if _is_word(c))
    return ch if any(_is_word(c) for c in folded) else folded


class _BaseTable(dict):
    """``str.translate`` table for steps 1 and 2, filled on first sight of each character.

    Unassigned and private-use code points are left unchanged without being remembered, so the
    table never holds more than the assigned characters (about 150,000, most never seen)."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Co", "Cs"):
            raise LookupError(cp)
        value = self[cp] = _base_character(ch)
        return value


_BASE = _BaseTable()


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _letters(text: str) -> bool:
    return bool(text) and all(_is_letter(ch) for ch in text)


@functools.lru_cache(maxsize=1)
def _skeleton_table() -> dict[int, str]:
    """Letter -> representative of its look-alike class, for letters as they are after ``_base``.

    confusable-homoglyphs stores confusables.txt as an undirected graph (each character lists its
    look-alikes). Every class is a star around its UTS #39 prototype: the one node of several
    characters ("rn" for "m"), else the centre (the node with more than one neighbour); a class of
    two single characters is symmetric, and either one serves. The representative of a class is
    its basic Latin letter when it has exactly one (so that a-z never change), else its prototype.
    A letter whose own class gives no basic Latin representative takes that of its capital
    when it has one: "ΙDΙΟΤ" is case-folded to "ιdιοτ", and the capital tau "Τ" looks like
    "T" where the small "τ" looks like a small capital.
    """
    from confusable_homoglyphs.confusables import confusables_data  # loads its JSON once

    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    neighbours: dict[str, set[str]] = {}
    for key, entries in confusables_data.items():
        # The JSON was made from the comments of confusables.txt, which wrap right-to-left
        # characters in marks (U+200E); the marks are not part of the characters.
        a = "".join(ch for ch in key if not _ignorable(ch))
        for entry in entries:
            b = "".join(ch for ch in entry["c"] if not _ignorable(ch))
            if a and b and a != b:
                neighbours.setdefault(a, set()).add(b)
                neighbours.setdefault(b, set()).add(a)
                parent[find(a)] = find(b)
    classes: dict[str, list[str]] = {}
    for node in neighbours:
        classes.setdefault(find(node), []).append(node)

    own: dict[str, str] = {}  # letter (after _base) -> representative (after _base)
    from_capital: dict[str, str] = {}
    # The prototype of a basic Latin letter, when it has one ("rn" for "m"), stands for that letter
    # in the other classes whose prototype it is ("ɱ" is "m", since "m" itself stays).
    basic_prototypes = {_base(m): _base(key) for key, entries in confusables_data.items()
                        if len(key) == 1 and key.isascii() and key.islower()
                        for m in (e["c"] for e in entries) if len(entries) == 1 and len(m) > 1}
    for members in classes.values():
        representative = _representative(members, neighbours)
        if representative is None:
            continue
        representative = basic_prototypes.get(representative, representative)
        for member in members:
            if len(member) != 1:
                continue
            folded = _base(member)
            if len(folded) != 1 or folded.isascii() or not _is_letter(folded) or folded == representative:
                continue
            (own if folded == member else from_capital).setdefault(folded, representative)

    table: dict[str, str] = {}
    for letter in own.keys() | from_capital.keys():
        candidates = [c for c in (own.get(letter), from_capital.get(letter)) if c is not None]
        table[letter] = next((c for c in candidates if c.isascii()), candidates[0])
    # A representative may itself contain a letter that folds further (a prototype of several
    # characters such as "ьı"); fold until nothing changes.
    mapping = {ord(k): v for k, v in table.items()}
    for _ in range(4):
        changed = False
        for cp, value in mapping.items():
            refolded = value.translate(mapping)
            if refolded != value and _letters(refolded):
                mapping[cp], changed = refolded, True
        if not changed:
            break
    return {cp: value for cp, value in mapping.items() if value != chr(cp)}


def _representative(members: list[str], neighbours: dict[str, set[str]]) -> str | None:
    """The folded representative of one class of look-alikes, or None when it is not letters."""
    several = [m for m in members if len(m) > 1]
    if several:
        prototype = several[0]
    elif len(members) > 2:
        prototype = max(members, key=lambda m: len(neighbours[m]))
    else:
        prototype = min(members, key=lambda m: (not m.isascii(), ord(m)))
    basic = {_base(m) for m in members if len(m) == 1 and m.isascii() and m.isalpha()}
    representative = basic.pop() if len(basic) == 1 else _base(prototype)
    return representative if _letters(representative) else None


class _ScriptMarks(dict):
    """``str.translate`` table: a letter -> one character standing for its Unicode script
    (Scripts.txt); anything else (digits, punctuation, letters of the Common and Inherited
    scripts) -> deleted. ``set(word.translate(_SCRIPT_MARKS))`` is the set of a word's scripts."""

    def __init__(self) -> None:
        from confusable_homoglyphs.categories import categories_data

        super().__init__()
        # Fixed once, so that threads filling the table concurrently agree on every mark.
        self.marks = {script: chr(0xF0000 + i) for i, script in enumerate(categories_data["iso_15924_aliases"])}

    def __missing__(self, cp: int) -> str | None:
        from confusable_homoglyphs.categories import alias

        ch = chr(cp)
        category = unicodedata.category(ch)
        script = alias(ch) if category.startswith("L") else "COMMON"
        value = None if script in ("COMMON", "INHERITED", "Unknown") else self.marks[script]
        if category not in ("Cn", "Co"):  # only assigned characters are remembered
            self[cp] = value
        return value


_SCRIPT_MARKS = _ScriptMarks()
_LATIN = _SCRIPT_MARKS.marks["LATIN"]
_WORDS = re.compile(r"(\w+)")


def _folds_look_alikes(word: str) -> bool:
    """Whether a word is folded by step 3: it has a Latin letter, or letters of two scripts."""
    scripts = set(word.translate(_SCRIPT_MARKS))
    return _LATIN in scripts or len(scripts) > 1


class _CharClass:
    """Matches one character of some ranges. ``re`` checks a class of characters up to U+FFFF
    with one bitmap lookup, but scans a class with higher ones range by range: those get their
    own pattern, searched only in a text that has such characters (emoji, mostly)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        def pattern(spans: list[tuple[int, int]]) -> re.Pattern[str]:
            members = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                              for a, b in spans)
            return re.compile(f"[{members}]" if members else "(?!)")

        self.bmp = pattern([(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF])
        self.astral = pattern([(max(a, 0x10000), b) for a, b in ranges if b > 0xFFFF])

    def search(self, text: str, astral: bool) -> re.Match[str] | None:
        return self.bmp.search(text) or (self.astral.search(text) if astral else None)


def _ranges(code_points: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if spans and spans[-1][1] == cp - 1:
            spans[-1] = (spans[-1][0], cp)
        else:
            spans.append((cp, cp))
    return spans


def _letter_ranges(keep) -> list[tuple[int, int]]:
    """Ranges of Scripts.txt whose characters are letters of a script that ``keep`` accepts."""
    from confusable_homoglyphs.categories import categories_data

    scripts, categories = categories_data["iso_15924_aliases"], categories_data["categories"]
    return [(a, b) for a, b, script, category in categories_data["code_points_ranges"]
            if categories[category].startswith("L") and keep(scripts[script])]


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[_CharClass, _CharClass, _CharClass, _CharClass]:
    """Look-alike letters that fold (all; those of the Latin script; the others) and Latin letters."""
    table = _skeleton_table()
    latin = [cp for cp in table if _SCRIPT_MARKS[cp] == _LATIN]
    other = [cp for cp in table if _SCRIPT_MARKS[cp] != _LATIN]
    return (_CharClass(_ranges(list(table))), _CharClass(_ranges(latin)), _CharClass(_ranges(other)),
            _CharClass(_letter_ranges(lambda script: script == "LATIN")))


@functools.lru_cache(maxsize=None)
def _letters_outside(script: str) -> _CharClass:
    """Letters of any script but ``script`` (and the neutral Common and Inherited)."""
    return _CharClass(_letter_ranges(lambda other: other not in (script, "COMMON", "INHERITED")))


def fold(text: str) -> str:
    """The form of ``text`` that word lists are matched in (see the module's docstring)."""
    if text.isascii():
        return text.lower()  # no format character, compatibility form, accent or look-alike
    text = text.translate(_BASE)
    astral = len(text.encode("utf-16-le")) != 2 * len(text)  # any character above U+FFFF
    any_look_alike, latin_look_alike, other_look_alike, latin_letter = _patterns()
    if any_look_alike.search(text, astral) is None:
        return text  # most comments
    table = _skeleton_table()
    other = other_look_alike.search(text, astral)
    if other is None:
        # Only look-alikes of the Latin script ("œ", "ı"): they are in Latin words, which all fold.
        def replace(match: re.Match[str]) -> str:
            return table[ord(match.group())]

        text = latin_look_alike.bmp.sub(replace, text)
        return latin_look_alike.astral.sub(replace, text) if astral else text
    if latin_letter.search(text, astral) is None:
        from confusable_homoglyphs.categories import alias

        if _letters_outside(alias(other.group())).search(text, astral) is None:
            return text  # a comment in one script other than Latin, e.g. all Russian
    # Look-alikes are folded in the words that have a Latin letter or letters of two scripts.
    parts = _WORDS.split(text)
    for i in range(1, len(parts), 2):
        word = parts[i]
        if not word.isascii() and any_look_alike.search(word, astral) and _folds_look_alikes(word):
            parts[i] = word.translate(table)
    return "".join(parts)


def fold_alternative(text: str) -> str | None:
    """A second form under which a configured word is matched, or None.

    A word listed in a single script other than Latin is matched as written by ``fold``; its
    look-alike spelling with some Latin letters ("идиoт" with a Latin o) is folded in the
    comment, so the listed word is also matched under its own folded form — as long as that
    form still mixes scripts. A listed word whose every letter has a Latin look-alike ("сор")
    would fold to a plain Latin word ("cop") and then match that genuine word: it is not.
    """
    table = _skeleton_table()
    parts = _WORDS.split(text.translate(_BASE))
    for i in range(1, len(parts), 2):
        skeleton = parts[i].translate(table)
        if _folds_look_alikes(parts[i]) or len(set(skeleton.translate(_SCRIPT_MARKS))) > 1:
            parts[i] = skeleton
    alternative = "".join(parts)
    return alternative if alternative != fold(text) else None
