"""Sentence spans for Perspective's spanScores: code-point ranges that tile the text, cut by
each language's rules, and their offsets in UTF-16 code units."""
import pysbd
import pytest

from moderation.analyzer.sentences import MAX_SPANS, PIECE_CHARS, sentence_spans, utf16_offsets

PERSPECTIVE_EXAMPLE = "What kind of idiot name is foo? Sorry, I like your name."


def texts(text, spans):
    return [text[start:end] for start, end in spans]


def test_spans_tile_the_text_and_a_sentence_keeps_its_trailing_space():
    """Perspective's own example: (0, 32) and (32, 56)."""
    assert sentence_spans(PERSPECTIVE_EXAMPLE, "en") == [(0, 32), (32, 56)]


@pytest.mark.parametrize("text", ["one sentence only", "Une seule phrase.", "  Leading space, one sentence.  "])
def test_one_sentence_is_one_span_over_all_of_it(text):
    assert sentence_spans(text, "en") == [(0, len(text))]


def test_leading_and_inner_whitespace_belong_to_a_span():
    text = "  First one.  Second\n\n one.\n"
    spans = sentence_spans(text, "en")
    assert texts(text, spans) == ["  First one.  ", "Second\n\n ", "one.\n"]


@pytest.mark.parametrize("language,text,expected", [
    ("de", "Er kam am 3. Oktober. Sie nicht.", ["Er kam am 3. Oktober. ", "Sie nicht."]),
    ("en", "Er kam am 3. Oktober. Sie nicht.", ["Er kam am 3. ", "Oktober. ", "Sie nicht."]),
    ("it", "Ciao sig. Rossi. Come stai?", ["Ciao sig. Rossi. ", "Come stai?"]),
    ("fr", "Bonjour M. Dupont. Ça va ?", ["Bonjour M. Dupont. ", "Ça va ?"]),
])
def test_each_language_is_cut_by_its_own_rules(language, text, expected):
    assert texts(text, sentence_spans(text, language)) == expected


@pytest.mark.parametrize("language", [None, "xx", "und"])
def test_other_languages_are_cut_as_english(language):
    assert sentence_spans(PERSPECTIVE_EXAMPLE, language) == [(0, 32), (32, 56)]


def test_many_sentences_share_spans_beyond_the_limit():
    text = "".join(f"Phrase {i}. " for i in range(MAX_SPANS * 2 + 7))
    spans = sentence_spans(text, "fr")
    assert len(spans) == MAX_SPANS
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert len(sentence_spans(text, "fr", limit=3)) == 3


def test_a_long_text_is_cut_where_the_splitter_would_cut_it_whole():
    """The splitter's time grows faster than the text (2 s for 20 KB of short lines): a long
    text is split in pieces at line or sentence ends, which must not move any boundary."""
    unit = "Un commento molto lungo sul bilancio federale, scritto a mano dal sig. Rossi. "
    text = unit * (20000 // len(unit))
    whole = pysbd.Segmenter(language="it", clean=False).segment(text)
    assert len(whole) > MAX_SPANS
    spans = sentence_spans(text, "it", limit=len(whole))
    assert texts(text, spans) == whole
    lines = "ligne\n" * 3000
    assert texts(lines, sentence_spans(lines, "fr", limit=3000)) == ["ligne\n"] * 3000


@pytest.mark.parametrize("text", ["x" * 20000, "mot " * 5000, "Mr. Dr. St. e.g. i.e. " * 900])
def test_a_sentence_is_one_span_however_long(text):
    assert len(text) > 4 * PIECE_CHARS
    assert sentence_spans(text, "en") == [(0, len(text))]


def test_utf16_offsets_count_an_emoji_twice():
    text = "Salut 😀. Ça va ? 👍🏽"
    offsets = utf16_offsets(text)
    assert len(offsets) == len(text) + 1
    assert offsets[len(text)] == len(text.encode("utf-16-le")) // 2
    emoji = text.index("😀")
    assert (offsets[emoji], offsets[emoji + 1], offsets[emoji + 2]) == (6, 8, 9)
