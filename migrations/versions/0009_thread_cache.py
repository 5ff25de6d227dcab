"""cacheable public reads: articles.thread_version and the maintained approved_count (issue 24)

Revision ID: 0009_thread_cache
Revises: 0008_erasure_tombstones
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_thread_cache'
down_revision = '0008_erasure_tombstones'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_version', sa.BigInteger(), server_default=sa.text('1'),
                                      nullable=False))
        batch_op.add_column(sa.Column('approved_count', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.execute("UPDATE articles SET approved_count = (SELECT count(*) FROM comments "
               "WHERE comments.article_id = articles.id AND comments.status = 'approved' "
               "AND comments.erased_at IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('approved_count')
        batch_op.drop_column('thread_version')
