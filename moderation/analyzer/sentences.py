"""The sentences of a comment, for Perspective's span scores (``spanAnnotations``).

pysbd cuts them with the rules of the comment's language (English rules for a language it
lacks). Spans tile the text as Perspective's do: a sentence keeps the whitespace after it,
the first begins at 0 and the last ends at the end of the text. Offsets here count code
points; ``utf16_offsets`` turns them into the UTF-16 code units Perspective's discovery
document promises (an emoji counts 2).
"""
from __future__ import annotations

import re
from itertools import accumulate

import pysbd
from pysbd.languages import LANGUAGE_CODES

# Each sentence is one more text in the analyzer's batch: a long comment's sentences beyond
# this share spans, so that one request cannot fill the batcher's queue alone.
MAX_SPANS = 50
# pysbd's time grows faster than the text (2 s for 20 KB of short lines, 0.04 s for 2 KB):
# it reads a long text in pieces of at most this many characters.
PIECE_CHARS = 2000
FALLBACK_LANGUAGE = "en"
# Up to the last whitespace: a piece never ends inside a word unless the word is the piece.
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)


def sentence_spans(text: str, language: str | None, limit: int = MAX_SPANS) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text`` in code points, end exclusive, in order, tiling
    the text; at most ``limit`` of them (neighbouring sentences share a span beyond that)."""
    segmenter = pysbd.Segmenter(language=language if language in LANGUAGE_CODES else FALLBACK_LANGUAGE,
                                clean=False)
    starts = _starts(segmenter, text)
    if len(starts) > limit > 0:
        starts = [starts[i * len(starts) // limit] for i in range(limit)]
    return list(zip(starts, starts[1:] + [len(text)]))


def _starts(segmenter, text: str) -> list[int]:
    """Where each sentence begins (the first at 0), piece by piece. A piece that holds several
    sentences ends its work at the start of its last one, which the next piece begins with, so
    that no sentence is judged without what follows it; a sentence longer than a piece stays
    one span (the next piece continues it)."""
    starts, position = [0], 0
    while position < len(text):
        end = len(text) if len(text) - position <= PIECE_CHARS else _piece_end(text, position)
        found = _later_sentences(segmenter, text, position, end)
        starts.extend(found)
        if end == len(text):
            break
        position = found[-1] if found else end
    return starts


def _piece_end(text: str, position: int) -> int:
    limit = position + PIECE_CHARS
    match = _UP_TO_LAST_SPACE.match(text, position, limit)
    return match.end() if match else limit


def _later_sentences(segmenter, text: str, start: int, end: int) -> list[int]:
    """Where the second and later sentences of text[start:end] begin. pysbd answers its
    sentences as strings (pieces of the text, with their trailing whitespace); one it could
    not place in the text, which its own placing drops, stays part of the one before."""
    piece = text[start:end]
    found: list[int] = []
    cursor, first = 0, True
    for sentence in segmenter.segment(piece):
        words = sentence.strip()
        if not words:
            continue
        at = piece.find(words, cursor)
        if at < 0:
            continue
        if not first:
            found.append(start + at)
        first = False
        cursor = at + len(words)
    return found


def utf16_offsets(text: str) -> list[int]:
    """The UTF-16 offset of each code point of ``text``, and of its end (len(text) + 1 values)."""
    return list(accumulate((2 if ord(character) > 0xFFFF else 1 for character in text), initial=0))
