"""moderators' notes on authors, shown on their cards, and the queue's author filter's
indexes (issue 22)

Revision ID: 0013_author_notes
Revises: 0011_imported_labels
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0013_author_notes'
down_revision = '0012_house_models'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('author_notes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('author_id', sa.String(length=128), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_author_notes'))
    )
    with op.batch_alter_table('author_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_author_notes_author_id'), ['author_id'], unique=False)
    # The queue's author filter: waiting comments by author id, and by display name in any case.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_queue_author', ['author_id'], unique=False,
                              sqlite_where=sa.text('awaiting_review = 1'), postgresql_where=sa.text('awaiting_review'))
        batch_op.create_index('ix_comments_queue_author_name', [sa.text('lower(author_name)')], unique=False,
                              sqlite_where=sa.text('awaiting_review = 1'), postgresql_where=sa.text('awaiting_review'))


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_queue_author_name')
        batch_op.drop_index('ix_comments_queue_author')
    with op.batch_alter_table('author_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_author_notes_author_id'))
    op.drop_table('author_notes')
