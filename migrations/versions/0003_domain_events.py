"""domain events outbox

Revision ID: 0003_domain_events
Revises: 1db7e32e06e8
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0003_domain_events'
down_revision = '1db7e32e06e8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('domain_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('article_id', sa.String(length=128), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_domain_events_event_id'))
    )
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.create_index('ix_domain_events_type', ['type', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.drop_index('ix_domain_events_type')
    op.drop_table('domain_events')
