"""models per language and moderation labels (issue 16)

Revision ID: 0007_analyzer
Revises: 0006_webhooks
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0007_analyzer'
down_revision = '0006_webhooks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covered', sa.Boolean(), nullable=True))

    op.create_table('model_labels',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('key_name', sa.String(length=128), nullable=False),
    sa.Column('client_token', sa.String(length=256), nullable=True),
    sa.Column('community_id', sa.String(length=256), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('label', sa.Integer(), nullable=False),
    sa.Column('suggested', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_labels')),
    sa.UniqueConstraint('key_name', 'client_token', name=op.f('uq_model_labels_key_name_client_token'))
    )
    with op.batch_alter_table('model_labels', schema=None) as batch_op:
        batch_op.create_index('ix_model_labels_created', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('model_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_model_labels_created')
    op.drop_table('model_labels')
    with op.batch_alter_table('comment_scores', schema=None) as batch_op:
        batch_op.drop_column('covered')
