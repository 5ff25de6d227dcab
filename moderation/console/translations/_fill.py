"""The fill step shared by fill_fr.py, fill_de.py and fill_it.py: writes one language's table
into its catalogue (after `pybabel update`), then `pybabel compile` builds the .mo files.

Every message of the catalogue must be in the table: one left out is listed and the script
fails, so a new console string cannot ship half translated (tests/console/test_translations.py
checks the same on the committed catalogues)."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent


def french_spacing(text: str) -> str:
    """French typography: a no-break space before a colon, narrow no-break spaces before ; ! ?
    and inside « » (so a line never starts with the punctuation)."""
    return (text.replace(" :", "\u00a0:").replace(" ;", "\u202f;").replace(" !", "\u202f!")
            .replace(" ?", "\u202f?").replace("« ", "«\u202f").replace(" »", "\u202f»"))


def fill(language: str, table: dict, polish=lambda text: text) -> int:
    path = HERE / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id not in table:
            missing.append(message.id)
            continue
        string = table[message.id]
        if isinstance(string, tuple):
            # CLDR gives French and Italian three forms (one, many: millions, other); the
            # tables write two, the plural serving both of the others.
            string = tuple(polish(s) for s in string)
            string += (string[-1],) * (catalog.num_plurals - len(string))
        else:
            string = polish(string)
        message.string = string
        message.flags.discard("fuzzy")
    # What `pybabel update` kept as obsolete is dropped: the table is the source.
    catalog.obsolete.clear()
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    if missing:
        print(f"{language}: missing {missing}", file=sys.stderr)
        return 1
    print(f"{language}: every message is translated")
    return 0
