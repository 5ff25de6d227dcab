"""The French catalogue: every form of every message translated, msgfmt's checks clean, and
the committed .mo compiled from the committed .po (moderation/console/translations/fill_fr.py)."""
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUES = Path(__file__).resolve().parents[2] / "moderation" / "console" / "translations"
FRENCH = CATALOGUES / "fr" / "LC_MESSAGES"


def test_every_plural_form_is_translated():
    # French has three forms in CLDR (one, many: millions, other): 2 and 5 use the third.
    french = Translations.load(str(CATALOGUES), ["fr"])
    for count, expected in ((1, "1 nouveau commentaire"), (2, "2 nouveaux commentaires"),
                            (5, "5 nouveaux commentaires"), (1_000_000, "1000000 nouveaux commentaires")):
        assert french.ungettext("%(num)s new comment", "%(num)s new comments", count) % {"num": count} == expected
    with (FRENCH / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    empty = [message.id for message in catalog if message.id and isinstance(message.string, tuple)
             and not all(message.string)]
    assert empty == []


def test_the_catalogue_passes_msgfmt_checks():
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) is not installed")
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(FRENCH / "messages.po")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_committed_mo_is_compiled_from_the_po():
    with (FRENCH / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert compiled.getvalue() == (FRENCH / "messages.mo").read_bytes()
