"""comment versions, idempotency keys per API key, audit redaction by erasure (issues 10/15)

Revision ID: 0004_review_state
Revises: 0003_domain_events
Create Date: 2026-11-27
"""
import sqlalchemy as sa

import moderation.db
from alembic import op


revision = '0004_review_state'
down_revision = '0003_domain_events'
branch_labels = None
depends_on = None

# Columns erasure may not touch in an audit entry: everything but the free-text reason.
_FIXED = ("id", "at", "actor", "action", "article_id", "comment_id", "author_id", "previous_status", "new_status")


def upgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_owner', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True))
        batch_op.add_column(sa.Column('request_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.drop_constraint('uq_comments_idempotency_key', type_='unique')
        batch_op.create_unique_constraint(op.f('uq_comments_idempotency_owner_idempotency_key'),
                                          ['idempotency_owner', 'idempotency_key'])

    # An erased reader's reports keep their weight without saying who filed them (NULL).
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('reporter_id', existing_type=sa.String(length=128), nullable=True)

    op.create_table('audit_redactions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_redactions'))
    )
    # Scoring failures: attempts, the error class, when it was given up (issue 11).
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('score_error', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('score_failed_at', moderation.db.UTCDateTime(timezone=True), nullable=True))
    _let_erasure_redact_reasons()


def _let_erasure_redact_reasons() -> None:
    """The audit log stays append-only, except that a transaction holding an audit_redactions
    row (erasure's, which removes it before committing) may set ``reason`` to NULL."""
    if op.get_bind().dialect.name == "sqlite":
        changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in _FIXED)
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "WHEN NOT EXISTS (SELECT 1 FROM audit_redactions) OR NEW.reason IS NOT NULL "
            f"OR NEW.details IS NOT OLD.details OR {changed} "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
    else:
        same = " AND ".join(f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in _FIXED)
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND NEW.reason IS NULL "
            "AND NEW.details::text IS NOT DISTINCT FROM OLD.details::text "
            f"AND {same} AND EXISTS (SELECT 1 FROM audit_redactions) THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )


def downgrade() -> None:
    # Scoring failures (issue 11).
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('score_failed_at')
        batch_op.drop_column('score_error')
        batch_op.drop_column('score_attempts')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    else:
        op.execute("CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$")
    op.drop_table('audit_redactions')
    op.execute("UPDATE reports SET reporter_id = 'erased-' || CAST(id AS VARCHAR(20)) WHERE reporter_id IS NULL")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('reporter_id', existing_type=sa.String(length=128), nullable=False)
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_comments_idempotency_owner_idempotency_key'), type_='unique')
        batch_op.create_unique_constraint('uq_comments_idempotency_key', ['idempotency_key'])
        batch_op.drop_column('version')
        batch_op.drop_column('request_digest')
        batch_op.drop_column('idempotency_owner')
