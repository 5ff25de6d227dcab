"""The console's catalogues (fr, de, it): every form of every message translated, as many
plural forms as CLDR gives the language, msgfmt's checks clean, the committed .mo compiled from
the committed .po, and the fill tables (moderation/console/translations/fill_*.py) covering every
message of the template."""
import importlib.util
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUES = Path(__file__).resolve().parents[2] / "moderation" / "console" / "translations"
LANGUAGES = ("fr", "de", "it")


def _catalog(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _table(language: str) -> dict:
    sys.path.insert(0, str(CATALOGUES))  # the fill scripts import _fill as a sibling
    try:
        spec = importlib.util.spec_from_file_location(f"fill_{language}", CATALOGUES / f"fill_{language}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(CATALOGUES))
    return getattr(module, language.upper())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_cldr_plural_forms(language):
    catalog = _catalog(language)
    cldr_forms = len(Locale.parse(language).plural_form.tags | {"other"})
    assert catalog.num_plurals == cldr_forms
    empty, fuzzy, wrong_forms = [], [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
        if message.pluralizable and len(strings) != cldr_forms:
            wrong_forms.append(message.id)
    assert (empty, fuzzy, wrong_forms) == ([], [], [])
    assert len([m for m in catalog if m.id]) > 250


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fill_table_covers_the_template(language):
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    table = _table(language)
    # Every message is in the table (an entry the template no longer has is ignored by the fill).
    assert sorted(map(str, template - table.keys())) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_passes_msgfmt_checks(language):
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: the catalogue's format checks need it")
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null",
                             str(CATALOGUES / language / "LC_MESSAGES" / "messages.po")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_po(language):
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))
    assert compiled.getvalue() == (CATALOGUES / language / "LC_MESSAGES" / "messages.mo").read_bytes()


@pytest.mark.parametrize(("language", "one", "two", "million"), [
    ("fr", "1 nouveau commentaire", "2 nouveaux commentaires", "1000000 nouveaux commentaires"),
    ("de", "1 neuer Kommentar", "2 neue Kommentare", "1000000 neue Kommentare"),
    ("it", "1 nuovo commento", "2 nuovi commenti", "1000000 nuovi commenti"),
])
def test_counts_of_two_or_more_use_the_plural(language, one, two, million):
    catalogue = Translations.load(str(CATALOGUES), [language])
    for count, expected in ((1, one), (2, two), (1_000_000, million)):
        assert catalogue.ungettext("%(num)s new comment", "%(num)s new comments", count) % {"num": count} == expected


def test_french_agreement_quotes_and_spacing():
    french = Translations.load(str(CATALOGUES), ["fr"])
    approved = [french.ungettext("%(num)s approved", "%(num)s approved", n) % {"num": n} for n in (1, 2)]
    assert approved == ["1 approuvé", "2 approuvés"]
    assert french.ugettext("Queue") == "File d’attente" and french.ugettext("Thread") == "Fil"
    hint = french.ugettext('Accounts are created by an administrator with "moderation users create".')
    assert "«\u202fmoderation users create\u202f»" in hint
    for message in (m for m in _catalog("fr") if m.id):
        for string in (message.string if isinstance(message.string, tuple) else (message.string,)):
            assert " :" not in string and "“" not in string and '"' not in string, message.id


def test_swiss_german_writes_ss():
    for message in (m for m in _catalog("de") if m.id):
        for string in (message.string if isinstance(message.string, tuple) else (message.string,)):
            assert "\u00df" not in string, message.id


def test_the_template_holds_every_string_the_code_and_templates_have(tmp_path):
    """The committed messages.pot is what `pybabel extract` finds now. A template Jinja cannot
    parse is skipped by the extraction without an error: its strings then fall out of every
    catalogue and show in English (found when a merge left an {% if %} open)."""
    root = Path(__file__).resolve().parents[2]
    extracted = tmp_path / "messages.pot"
    from babel.messages.frontend import CommandLineInterface

    # As the catalogue steps run it (README): from the checkout's root, with the console's mapping.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "moderation/console/babel.cfg", "-k", "_l",
                                    "-o", str(extracted), "."])
    with extracted.open("rb") as fresh, (CATALOGUES / "messages.pot").open("rb") as kept:
        now = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fresh) if m.id}
        committed = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(kept) if m.id}
    assert now - committed == set(), "strings missing from messages.pot: run the catalogue steps (README)"
    assert committed - now == set(), "messages.pot holds strings nothing uses any more"
