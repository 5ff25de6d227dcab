"""erasure leaves no author id: the audit log may take a tombstone for it, and the key of
the hashes that keep bans after erasure is made once, here (issue 20)

Revision ID: 0008_erasure_tombstones
Revises: 0007_analyzer
Create Date: 2026-12-04
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0008_erasure_tombstones'
down_revision = '0007_analyzer'
branch_labels = None
depends_on = None

# Columns erasure may not touch in an audit entry (the reason goes to NULL, the author id to
# a tombstone).
_FIXED = ("id", "at", "actor", "action", "article_id", "comment_id", "previous_status", "new_status")
_FIXED_BEFORE = (*_FIXED, "author_id")
TOMBSTONE_PREFIX = "erased:"
BAN_KEY = "ban-key"
_SECRETS = sa.table('console_secrets', sa.column('name', sa.String), sa.column('value', sa.String))


def _audit_trigger(fixed: tuple[str, ...], author_rule: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in fixed)
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "WHEN NOT EXISTS (SELECT 1 FROM audit_redactions) OR NEW.reason IS NOT NULL "
            f"OR NEW.details IS NOT OLD.details OR {changed} {author_rule and 'OR NOT (' + author_rule + ')'} "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
    else:
        same = " AND ".join(f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in fixed)
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND NEW.reason IS NULL "
            "AND NEW.details::text IS NOT DISTINCT FROM OLD.details::text "
            f"AND {same} {author_rule and 'AND (' + author_rule + ')'} "
            "AND EXISTS (SELECT 1 FROM audit_redactions) THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )


def upgrade() -> None:
    op.bulk_insert(_SECRETS, [{"name": BAN_KEY, "value": secrets.token_hex(32)}])
    # An erasure may also replace the author id with a tombstone (never with another id).
    _audit_trigger(_FIXED, f"NEW.author_id IS NOT DISTINCT FROM OLD.author_id "
                           f"OR NEW.author_id LIKE '{TOMBSTONE_PREFIX}%'"
                   if op.get_bind().dialect.name != "sqlite" else
                   f"NEW.author_id IS OLD.author_id OR NEW.author_id LIKE '{TOMBSTONE_PREFIX}%'")


def downgrade() -> None:
    _audit_trigger(_FIXED_BEFORE, "")
    op.execute(_SECRETS.delete().where(_SECRETS.c.name == BAN_KEY))
