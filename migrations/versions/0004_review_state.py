"""comment versions, review state and erasure (issue 10/15)

Revision ID: 0004_review_state
Revises: 0003_domain_events
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import moderation.db  # noqa: F401

revision = '0004_review_state'
down_revision = '0003_domain_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # issue 11: scoring failures (begin) -- the lead merges these lines into this revision.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('score_error', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('score_failed_at', moderation.db.UTCDateTime(timezone=True), nullable=True))
    # issue 11: scoring failures (end)


def downgrade() -> None:
    # issue 11: scoring failures (begin)
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('score_failed_at')
        batch_op.drop_column('score_error')
        batch_op.drop_column('score_attempts')
    # issue 11: scoring failures (end)
