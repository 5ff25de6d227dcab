"""Text as readers wrote it, made safe to store: NFC, no control characters, no lone surrogates."""
from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters and DEL, except tab and newline. \r goes too, so that
# "\r\n" from a browser's textarea is stored as "\n".
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI).
# The marks U+200E/U+200F/U+061C are not among them: they are strong characters that affect
# only their neighbours, and names in Hebrew or Arabic may need them.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


class InvalidText(ValueError):
    pass


def clean_text(value: str) -> str:
    """NFC-normalise and drop control characters other than newline and tab.

    Lone surrogates (possible in JSON as "\\ud800") cannot be stored as UTF-8 and are refused.
    """
    if _SURROGATE.search(value):
        raise InvalidText("contains an unpaired surrogate code point")
    return unicodedata.normalize("NFC", _CONTROL.sub("", value))


def strip_bidi_controls(value: str) -> str:
    """Drop bidirectional embeddings, overrides and isolates, which reorder the text that follows
    them: a name "Alice\u202eredom" would show as "Alicemoder" and reverse what comes after it."""
    return _BIDI_CONTROLS.sub("", value)
