"""Importing labelled text (issue 23, point 1): `moderation labels import FILE.csv [--source NAME]`."""
import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from moderation.comments.models import Comment
from moderation.labels import service as labels
from moderation.labels.importer import IMPORT, LabelImportError, import_labels
from moderation.labels.models import ModelLabel
from tests.factories import make_article
from tests.labels.test_report import _decide, _full, _scored, labelled  # noqa: F401  (the fixture)

GOOD = "text,label,language\nDu bist ein Idiot,1,de\nMerci pour l'article,0,fr\n\"Zwei\nZeilen\",0,de\n"


def _import(runtime, data, source="germeval"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with runtime.db.transaction() as session:
        return import_labels(session, io.BytesIO(raw), source=source, now=runtime.now())


def _stored(runtime):
    with runtime.db.transaction(write=False) as session:
        return session.execute(select(ModelLabel.key_name, ModelLabel.source, ModelLabel.language, ModelLabel.label,
                                      ModelLabel.text).order_by(ModelLabel.id)).all()


def test_import_stores_text_label_language_and_source(runtime):
    result = _import(runtime, GOOD)
    assert (result.imported, result.duplicates) == (3, 0)
    assert _stored(runtime) == [("germeval", IMPORT, "de", 1, "Du bist ein Idiot"),
                                ("germeval", IMPORT, "fr", 0, "Merci pour l'article"),
                                ("germeval", IMPORT, "de", 0, "Zwei\nZeilen")]


def test_imported_labels_are_never_comments_and_the_report_skips_them(runtime, labelled):  # noqa: F811
    with runtime.db.transaction(write=False) as session:
        comments, before = session.scalar(select(func.count()).select_from(Comment)), labels.report(session)
    _import(runtime, GOOD)
    with runtime.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == comments
        # Moderators' decisions (not auto) and suggestscores are labels as before; imported rows add nothing.
        assert labels.report(session) == before
        assert labels.report(session)["groups"][0]["sources"] == {"decisions": 4, "suggestscore": 1}


def test_decisions_after_an_import_still_become_labels_and_auto_does_not(runtime):
    _import(runtime, GOOD)
    article = make_article(runtime)
    _decide(runtime, _scored(runtime, article, "a", "de", "m", _full(0.9)), "reject")
    _decide(runtime, _scored(runtime, article, "b", "de", "m", _full(0.1)), "approve")
    _decide(runtime, _scored(runtime, article, "c", "de", "m", _full(0.2)), "approve", actor="auto")
    with runtime.db.transaction(write=False) as session:
        [group] = labels.report(session)["groups"]
    assert (group["language"], group["labels"], group["rejections"]) == ("de", 2, 1)
    assert group["sources"] == {"decisions": 2, "suggestscore": 0}


def test_reimport_skips_rows_already_imported_under_the_same_source(runtime):
    _import(runtime, GOOD)
    again = _import(runtime, GOOD + "Neu,1,de\n")
    assert (again.imported, again.duplicates) == (1, 3)
    # The same text in another language, or from another source, is another label.
    other = _import(runtime, "text,label,language\nDu bist ein Idiot,1,nl\n")
    elsewhere = _import(runtime, GOOD, source="hatecheck")
    assert (other.imported, elsewhere.imported) == (1, 3)
    assert len(_stored(runtime)) == 8


def test_duplicates_within_one_file_keep_the_first(runtime):
    result = _import(runtime, "text,label,language\nsame,1,de\nsame,0,de\n")
    assert (result.imported, result.duplicates) == (1, 1)
    assert [row.label for row in _stored(runtime)] == [1]


@pytest.mark.parametrize("data, message", [
    ("text,label\nx,1\n", "line 1: the header must name the columns text, label and language"),
    ("", "line 1: the header must name the columns text, label and language"),
    ("text,label,language\nok,1,de\nshort,1\n", "line 3: 2 fields, expected 3"),
    ("text,label,language\nok,1,de\nlong,1,de,extra\n", "line 3: 4 fields, expected 3"),
    ("text,label,language\nok,1,de\nok2,2,de\n", "line 3: label must be 0 (keep) or 1 (reject), not '2'"),
    ("text,label,language\nok,yes,de\n", "line 2: label must be 0 (keep) or 1 (reject), not 'yes'"),
    ("text,label,language\nok,1,de\nok2,1,xx\n", "line 3: language must be an ISO 639-1 code such as de, not 'xx'"),
    ("text,label,language\nok,1,deu\n", "line 2: language must be an ISO 639-1 code such as de, not 'deu'"),
    ("text,label,language\nok,1,de\n  ,0,de\n", "line 3: text is empty"),
    ("text,label,language\n\"a\nb\",1,de\n\"\",1,de\n", "line 4: text is empty"),
    ("text,label,language\nok,1,de\nnul\x00,1,de\n", "line 3: text contains a NUL character"),
    (b"text,label,language\nok,1,de\ncaf\xe9,1,fr\n", "line 3: not valid UTF-8"),
])
def test_bad_rows_are_refused_with_their_line_and_nothing_is_imported(runtime, data, message):
    with pytest.raises(LabelImportError) as refused:
        _import(runtime, data)
    assert str(refused.value) == message
    assert _stored(runtime) == []


def test_an_error_after_many_batches_leaves_nothing(runtime):
    rows = "".join(f"text {i},{i % 2},de\n" for i in range(2500))
    with pytest.raises(LabelImportError, match="line 2502: label"):
        _import(runtime, "text,label,language\n" + rows + "bad,x,de\n")
    assert _stored(runtime) == []


def test_header_in_any_order_with_a_bom_and_crlf(runtime):
    result = _import(runtime, "\ufefflanguage,text,label\r\nDE,Hallo,0\r\n")
    assert result.imported == 1 and _stored(runtime)[0][2:] == ("de", 0, "Hallo")


def test_fifty_thousand_rows_stream_in_bounded_memory(runtime, backend):
    if backend != "sqlite":
        pytest.skip("the bound is the importer's; once is enough (PostgreSQL: about 7 s for 50,000 rows)")
    import time
    import tracemalloc

    class Rows(io.RawIOBase):
        """50,000 rows made as they are read: the file never exists whole in memory."""

        def __init__(self):
            self._lines = iter([b"text,label,language\n"] + [f"comment number {i} with some words,{i % 2},de\n"
                                                             .encode() for i in range(50_000)])
            self._rest = b""

        def readable(self):
            return True

        def readinto(self, buffer):
            while len(self._rest) < len(buffer):
                line = next(self._lines, None)
                if line is None:
                    break
                self._rest += line
            n = min(len(buffer), len(self._rest))
            buffer[:n], self._rest = self._rest[:n], self._rest[n:]
            return n

    tracemalloc.start()
    started = time.monotonic()
    try:
        with runtime.db.transaction() as session:
            result = import_labels(session, io.BufferedReader(Rows()), source="big", now=runtime.now())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.imported == 50_000
    assert peak < 30 * 2**20, f"peak {peak / 2**20:.1f} MiB"  # a batch, not the file (~3 MiB as text)
    assert time.monotonic() - started < 120


def test_cli_import(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    # PYTHONPATH: this checkout's code, whichever checkout the environment was installed from.
    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           "MODERATION_SCORING__BACKEND": "none", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)

    assert cli("db", "upgrade").returncode == 0
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    done = cli("labels", "import", "good.csv", "--source", "germeval")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 label(s) imported from good.csv (source germeval), 0 already there"
    again = cli("labels", "import", "good.csv", "--source", "germeval")
    assert again.stdout.strip() == "0 label(s) imported from good.csv (source germeval), 3 already there"
    (tmp_path / "bad.csv").write_bytes(b"text,label,language\nnew,1,de\ncaf\xe9,1,fr\n")
    bad = cli("labels", "import", "bad.csv")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == "moderation: bad.csv line 3: not valid UTF-8"
    missing = cli("labels", "import", "nowhere.csv")
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    # Without --source the file's name is the source.
    (tmp_path / "more.csv").write_text("text,label,language\nanother,0,it\n", encoding="utf-8")
    assert cli("labels", "import", "more.csv").stdout.startswith("1 label(s) imported from more.csv (source more.csv)")
    import sqlite3

    rows = sqlite3.connect(tmp_path / "cli.db").execute(
        "SELECT key_name, source, text, label, language FROM model_labels ORDER BY id").fetchall()
    assert rows == [("germeval", "import", "Du bist ein Idiot", 1, "de"),
                    ("germeval", "import", "Merci pour l'article", 0, "fr"),
                    ("germeval", "import", "Zwei\nZeilen", 0, "de"), ("more.csv", "import", "another", 0, "it")]
    assert "no labels yet" in cli("model", "report").stdout  # imported rows hold no model scores


def test_migration_adds_the_text_and_goes_down_and_up(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from moderation import migrate
    from moderation.db import make_engine
    from tests.conftest import base_settings

    def to(engine, revision):
        config = migrate.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

    engine = make_engine(base_settings(f"sqlite:///{tmp_path / 'm.db'}").database)
    migrate.upgrade(engine)
    to(engine, "0010_quiet_hours")
    assert "text" not in {c["name"] for c in inspect(engine).get_columns("model_labels")}
    migrate.upgrade(engine)
    assert "text" in {c["name"] for c in inspect(engine).get_columns("model_labels")}
    engine.dispose()
