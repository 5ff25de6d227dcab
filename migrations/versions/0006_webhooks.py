"""webhook endpoints and deliveries (issue 13)

Revision ID: 0006_webhooks
Revises: 0005_console_accounts
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0006_webhooks'
down_revision = '0005_console_accounts'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('previous_secret', sa.String(length=100), nullable=True),
    sa.Column('previous_secret_expires_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('disabled_reason', sa.String(length=500), nullable=True),
    sa.Column('disabled_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failing_since', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('endpoint_id', BIG_ID, nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('event_seq', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retry_from', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claim_expires_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_latency_ms', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'],
                            name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('endpoint_id', 'event_id', name=op.f('uq_webhook_deliveries_endpoint_id_event_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['next_attempt_at'], unique=False,
                              sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.create_index('ix_webhook_deliveries_endpoint', ['endpoint_id', 'id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_failed', ['endpoint_id'], unique=False,
                              sqlite_where=sa.text("state = 'failed'"), postgresql_where=sa.text("state = 'failed'"))

    op.create_table('webhook_attempts',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('delivery_id', BIG_ID, nullable=False),
    sa.Column('endpoint_id', BIG_ID, nullable=False),
    sa.Column('attempted_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'],
                            name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'],
                            name=op.f('fk_webhook_attempts_endpoint_id_webhook_endpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_attempts_endpoint', ['endpoint_id', 'id'], unique=False)
        batch_op.create_index('ix_webhook_attempts_delivery', ['delivery_id'], unique=False)

    fanout = op.create_table('webhook_fanout',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), nullable=False),
    sa.Column('gaps', sa.JSON(), nullable=False),
    sa.Column('updated_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_fanout'))
    )
    # Events published before webhooks existed had no endpoint to go to: start after them.
    last = op.get_bind().execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM domain_events")).scalar()
    op.bulk_insert(fanout, [{"id": 1, "last_event_id": last, "gaps": []}])


def downgrade() -> None:
    op.drop_table('webhook_fanout')
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_attempts_delivery')
        batch_op.drop_index('ix_webhook_attempts_endpoint')
    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_failed')
        batch_op.drop_index('ix_webhook_deliveries_endpoint')
        batch_op.drop_index('ix_webhook_deliveries_due')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhook_endpoints')
