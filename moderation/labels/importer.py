"""Labelled text from a CSV file (`moderation labels import`): ``text,label,language``.

Each row becomes a ``model_labels`` row of source ``import``, under the name given with
``--source`` (``key_name``), holding the text itself: it is what a model learns from. It
holds no model scores: scoring every imported text with the transformer would make an
import of 50,000 rows take hours on a CPU, so the model report skips these rows
(labels/service.py). Imported labels are never comments: nothing in the queue, the console
or the API shows them.

The file is read as a stream and written in batches inside the caller's one transaction:
memory stays that of one batch whatever the file's size, and a bad row anywhere refuses the
whole file, with its line number, before anything is committed.

Re-importing is safe: a row whose text and language were already imported under the same
source is skipped (and counted), keyed by a hash of both in ``client_token``; within one
file the first such row wins.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterator

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from moderation.labels.models import IMPORT, ModelLabel

COLUMNS = ("text", "label", "language")
BATCH_SIZE = 1000
# No model scored these rows (see the module's docstring).
UNSCORED = ""
# ISO 639-1, all of it: a dataset may be in any language, but a typo ("ger", "dk") would
# otherwise become a language of its own.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en
eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja
jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb
nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


class LabelImportError(ValueError):
    """A row the import refuses; the message starts with its line number."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line


@dataclass(frozen=True)
class ImportResult:
    imported: int
    duplicates: int


def _decoded(stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text, refusing invalid UTF-8 with the line it is on.

    Splitting the bytes at b"\\n" is safe: that byte never occurs inside a UTF-8 sequence.
    """
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LabelImportError(number, "not valid UTF-8") from None
        if number == 1:
            line = line.removeprefix("\ufeff")  # spreadsheets save UTF-8 with a byte-order mark
        yield line


def _key(text: str, language: str) -> str:
    return "sha256:" + hashlib.sha256(f"{language}\n{text}".encode("utf-8")).hexdigest()


def labelled_rows(stream: BinaryIO) -> Iterator[tuple[int, str, int, str]]:
    """(line, text, label, language) of each valid row; the first bad one raises.

    Also what `moderation model evaluate` reads: one format for labelled files.
    """
    reader = csv.reader(_decoded(stream))
    try:
        header = next(reader, None)
        names = [name.strip().lower() for name in header or []]
        if not set(COLUMNS) <= set(names):
            raise LabelImportError(1, "the header must name the columns text, label and language")
        where = [names.index(column) for column in COLUMNS]
        end = reader.line_num
        for fields in reader:
            # A quoted text may span lines: the row starts on the line after the previous row.
            line, end = end + 1, reader.line_num
            if len(fields) != len(names):
                raise LabelImportError(line, f"{len(fields)} fields, expected {len(names)}")
            text, label, language = (fields[i] for i in where)
            if label.strip() not in ("0", "1"):
                raise LabelImportError(line, f"label must be 0 (keep) or 1 (reject), not {label!r}")
            language = language.strip().lower()
            if language not in ISO_639_1:
                raise LabelImportError(line, f"language must be an ISO 639-1 code such as de, not {language!r}")
            if not text.strip():
                raise LabelImportError(line, "text is empty")
            if "\x00" in text:  # PostgreSQL cannot store it
                raise LabelImportError(line, "text contains a NUL character")
            yield line, text, int(label), language
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit(), or a stray quote
        raise LabelImportError(reader.line_num, str(exc)) from None


def import_labels(session: Session, stream: BinaryIO, *, source: str, now: datetime) -> ImportResult:
    """Store every row of the CSV ``stream`` as a label of ``source``, or raise LabelImportError.

    Runs in the caller's transaction, which must be rolled back on error (Database.transaction
    does): earlier batches are already flushed to it.
    """
    imported = duplicates = 0
    batch: dict[str, dict] = {}

    def flush() -> None:
        nonlocal imported, duplicates
        if not batch:
            return
        # Earlier batches of this file are in the transaction too: duplicates across batches are found here.
        existing = set(session.scalars(select(ModelLabel.client_token).where(
            ModelLabel.key_name == source, ModelLabel.client_token.in_(list(batch)))))
        new = [row for token, row in batch.items() if token not in existing]
        if new:
            session.execute(insert(ModelLabel), new)
        imported += len(new)
        duplicates += len(batch) - len(new)
        batch.clear()

    for _line, text, label, language in labelled_rows(stream):
        token = _key(text, language)
        if token in batch:
            duplicates += 1
            continue
        batch[token] = {"created_at": now, "source": IMPORT, "key_name": source, "client_token": token,
                        "community_id": None, "model": UNSCORED, "language": language, "scores": {},
                        "label": label, "suggested": {}, "text": text}
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return ImportResult(imported, duplicates)
