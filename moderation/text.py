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


# Patterns are written without \s, whose meaning differs between Python and the ECMAScript
# regular expressions of JSON Schema (U+0085, U+FEFF): WHITESPACE is exactly what Python's
# str.isspace() calls whitespace, which is what strip() and split() remove when cleaning.
WHITESPACE = ("\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
              "\\u202f\\u205f\\u3000")
CONTROL = "\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f"  # with WHITESPACE: all of C0, DEL and C1
BIDI_CONTROLS = "\\u202a-\\u202e\\u2066-\\u2069"
# Something visible: a character that is neither whitespace nor one of the characters
# clean_text removes (and, for names, strip_bidi_controls): so a value matching it is never
# blank once cleaned.
VISIBLE = f"[^{WHITESPACE}{CONTROL}]"
VISIBLE_IN_NAMES = f"[^{WHITESPACE}{CONTROL}{BIDI_CONTROLS}]"
# An absolute http(s) URL: a host, then an optional path, query or fragment; no whitespace or
# control characters anywhere.
URL_PATTERN = f"^https?://[^{WHITESPACE}{CONTROL}/?#]+([/?#][^{WHITESPACE}{CONTROL}]*)?$"
# A receiver's URL (webhooks): a host name or IPv4 address, a port from 1 to 65535, a path
# and query; no user name or password, no fragment (and no IPv6 literal: name the host).
_PORT = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
RECEIVER_URL_PATTERN = (f"^https?://[^{WHITESPACE}{CONTROL}/?#@:\\[\\]]+(:{_PORT})?"
                        f"([/?][^{WHITESPACE}{CONTROL}#]*)?$")
