"""The patterns the OpenAPI document states mean what the server does: WHITESPACE is exactly
Python's whitespace (what cleaning strips), and every control character is excluded."""
import re

from moderation.text import CONTROL, VISIBLE, WHITESPACE, clean_text


def test_whitespace_is_what_python_strips():
    pattern = re.compile(f"[{WHITESPACE}]")
    every = (chr(code) for code in range(0x110000))
    assert {ch for ch in every if pattern.fullmatch(ch)} == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_a_visible_character_survives_cleaning():
    pattern = re.compile(VISIBLE)
    for code in list(range(0x0, 0x3000)) + [0x3000, 0xfeff, 0x200b, 0x1f600]:
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        if pattern.search(ch):
            assert clean_text(ch).strip(), hex(code)
    assert re.compile(f"[{WHITESPACE}{CONTROL}]").fullmatch("\x85")
