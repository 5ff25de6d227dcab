"""the house model: trained versions with their evaluation, and the house score's queue order (issue 23)

Revision ID: 0012_house_models
Revises: 0011_imported_labels
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0012_house_models'
down_revision = '0011_imported_labels'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('house_models',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('trained_on', sa.JSON(), nullable=False),
    sa.Column('evaluation', sa.JSON(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('model', sa.LargeBinary(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('promoted_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('promoted_by', sa.String(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_house_models')),
    sa.UniqueConstraint('version', name=op.f('uq_house_models_version'))
    )
    with op.batch_alter_table('house_models', schema=None) as batch_op:
        batch_op.create_index('ix_house_models_state', ['state', 'promoted_at'], unique=False)
    # Comments scored before the house model sort last (-1), as unscored ones do by toxicity.
    with op.batch_alter_table('comment_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('house_model', sa.String(length=32), nullable=True))
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_house', sa.Float(), server_default=sa.text('-1'), nullable=False))
        batch_op.create_index('ix_comments_queue_house', ['sort_house', 'created_at', 'id'], unique=False,
                              sqlite_where=sa.text('awaiting_review = 1'), postgresql_where=sa.text('awaiting_review'))


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_queue_house', sqlite_where=sa.text('awaiting_review = 1'),
                            postgresql_where=sa.text('awaiting_review'))
        batch_op.drop_column('sort_house')
    with op.batch_alter_table('comment_scores', schema=None) as batch_op:
        batch_op.drop_column('house_model')
    with op.batch_alter_table('house_models', schema=None) as batch_op:
        batch_op.drop_index('ix_house_models_state')
    op.drop_table('house_models')
