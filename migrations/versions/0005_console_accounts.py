"""console accounts and sessions (issue 12)

Revision ID: 0005_console_accounts
Revises: 0004_review_state
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0005_console_accounts'
down_revision = '0004_review_state'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('email', name=op.f('uq_accounts_email'))
    )
    op.create_table('console_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_console_sessions_account_id_accounts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_account_id'), ['account_id'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_account', ['account_key', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_address', ['address_key', 'at'], unique=False)

    op.create_table('console_secrets',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_console_secrets'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_recent_decisions', ['status', 'decided_at', 'id'], unique=False,
                              sqlite_where=sa.text('decided_at IS NOT NULL'),
                              postgresql_where=sa.text('decided_at IS NOT NULL'))
        batch_op.create_index('ix_comments_queue_reported', ['created_at', 'id'], unique=False,
                              sqlite_where=sa.text('awaiting_review = 1 AND open_reports > 0'),
                              postgresql_where=sa.text('awaiting_review AND open_reports > 0'))


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_queue_reported')
        batch_op.drop_index('ix_comments_recent_decisions')
    op.drop_table('console_secrets')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_address')
        batch_op.drop_index('ix_login_failures_account')
    op.drop_table('login_failures')
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_account_id'))
    op.drop_table('console_sessions')
    op.drop_table('accounts')
