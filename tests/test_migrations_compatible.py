"""Issue 25, point 4: upgrades without downtime. Every migration since 0008 only expands the
schema, so that the previous release's code keeps working on it while the new release rolls
out (docs/architecture.md, "Migrations: expand, then contract").

The schema is reflected before and after each migration, on SQLite and PostgreSQL, and the
previous release's queries must still find everything they use: no table or column dropped or
renamed (a rename is a drop), no column that accepted NULL made NOT NULL, no type changed; a
new column accepts NULL or has a server default (the previous release's INSERTs do not name
it); no new unique index on an existing table (the previous release's writes do not expect
the refusal). Checked on the real schema, not on the migration's source, so a raw SQL
statement or a batch rebuild cannot slip through.

A contraction (dropping what the release before stopped using) is allowed one release after
the expansion, when it is listed in CONTRACTIONS with what it drops and since when it is unused.
"""
from __future__ import annotations

import warnings

from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import SAWarning

from moderation import migrate
from moderation.db import make_engine
from tests.conftest import base_settings
from tests.test_migrations import _own_postgres_database

# The rule applies from this revision on (the ones before it were written before the rule).
FIRST = "0008_erasure_tombstones"
# revision -> {"table.column" or "table": "unused since <revision>: why it can go"}.
CONTRACTIONS: dict[str, dict[str, str]] = {}


def revisions_since(first: str) -> list[tuple[str, str]]:
    """(previous, revision) pairs from ``first`` to head, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    chain = [script.get_revision(rev) for rev in reversed([r.revision for r in script.walk_revisions()])]
    names = [revision.revision for revision in chain]
    start = names.index(first)
    return [(names[i - 1], names[i]) for i in range(start, len(names))]


def schema(engine) -> dict[str, dict]:
    with warnings.catch_warnings():
        # SQLite's expression indexes (lower(author_name)) are not reflected; none is unique.
        warnings.simplefilter("ignore", SAWarning)
        return _schema(engine)


def _schema(engine) -> dict[str, dict]:
    inspector = inspect(engine)
    tables = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        columns = {column["name"]: {"nullable": column["nullable"], "default": column.get("default"),
                                    "type": str(column["type"].compile(dialect=engine.dialect))}
                   for column in inspector.get_columns(table)}
        unique = {index["name"]: tuple(index["column_names"]) for index in inspector.get_indexes(table)
                  if index.get("unique")}
        unique.update({constraint["name"]: tuple(constraint["column_names"])
                       for constraint in inspector.get_unique_constraints(table)})
        tables[table] = {"columns": columns, "unique": unique}
    return tables


def incompatibilities(before: dict, after: dict, allowed: dict[str, str]) -> list[str]:
    """What the previous release's queries would trip on, after one migration."""
    found = []
    for table, old in before.items():
        if table not in after:
            if table not in allowed:
                found.append(f"table {table} dropped or renamed")
            continue
        new = after[table]
        for name, column in old["columns"].items():
            where = f"{table}.{name}"
            if name not in new["columns"]:
                if where not in allowed:
                    found.append(f"column {where} dropped or renamed")
                continue
            if column["nullable"] and not new["columns"][name]["nullable"]:
                found.append(f"column {where} made NOT NULL")
            if column["type"] != new["columns"][name]["type"]:
                found.append(f"column {where} changed type {column['type']} -> {new['columns'][name]['type']}")
        for name, column in new["columns"].items():
            if name not in old["columns"] and not column["nullable"] and column["default"] is None:
                found.append(f"column {table}.{name} added NOT NULL without a server default")
        for name, columns in new["unique"].items():
            if columns not in old["unique"].values():
                found.append(f"unique index {name} {columns} added to existing table {table}")
    return found


def test_every_migration_since_0008_keeps_the_previous_release_working(tmp_path, backend, database_url):
    url = f"sqlite:///{tmp_path / 'steps.db'}" if backend == "sqlite" else _own_postgres_database(database_url)
    engine = make_engine(base_settings(url).database)
    steps = revisions_since(FIRST)
    assert len(steps) >= 7 and steps[0][1] == FIRST
    problems = {}
    try:
        migrate.upgrade(engine, steps[0][0])
        before = schema(engine)
        for _previous, revision in steps:
            migrate.upgrade(engine, revision)
            after = schema(engine)
            found = incompatibilities(before, after, CONTRACTIONS.get(revision, {}))
            if found:
                problems[revision] = found
            before = after
    finally:
        engine.dispose()
    assert not problems, problems


def test_the_check_sees_a_contraction_and_a_new_required_column():
    """Not vacuous: the kinds of change the rule forbids are reported."""
    before = {"comments": {"columns": {"id": {"nullable": False, "default": None, "type": "INTEGER"},
                                       "body": {"nullable": True, "default": None, "type": "TEXT"},
                                       "old": {"nullable": True, "default": None, "type": "TEXT"}},
                           "unique": {}},
              "gone": {"columns": {}, "unique": {}}}
    after = {"comments": {"columns": {"id": {"nullable": False, "default": None, "type": "INTEGER"},
                                      "body": {"nullable": False, "default": None, "type": "VARCHAR(10)"},
                                      "required": {"nullable": False, "default": None, "type": "TEXT"},
                                      "defaulted": {"nullable": False, "default": "0", "type": "INTEGER"}},
                          "unique": {"ux_body": ("body",)}}}
    found = incompatibilities(before, after, {})
    assert set(found) == {"table gone dropped or renamed", "column comments.old dropped or renamed",
                          "column comments.body made NOT NULL",
                          "column comments.body changed type TEXT -> VARCHAR(10)",
                          "column comments.required added NOT NULL without a server default",
                          "unique index ux_body ('body',) added to existing table comments"}
    # A listed contraction is allowed.
    assert incompatibilities(before, after, {"gone": "unused since 0007", "comments.old": "unused since 0007"}) \
        == [f for f in found if "dropped" not in f]
