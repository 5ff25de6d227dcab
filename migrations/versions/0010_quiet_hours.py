"""quiet hours: articles may be exempt, and the state last announced to the site (issue 26)

Revision ID: 0010_quiet_hours
Revises: 0009_thread_cache
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0010_quiet_hours'
down_revision = '0009_thread_cache'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every thread registered so far observes quiet hours, as a new one does by default.
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_hours', sa.Boolean(), server_default=sa.text('true'), nullable=False))
    state = op.create_table(
        'quiet_hours_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('paused', sa.Boolean(), nullable=False),
        sa.Column('changed_at', moderation.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiet_hours_state')),
    )
    # Not paused: the first pause the service sees is announced; a first look at an open
    # site announces nothing (there was no pause to resume from).
    op.bulk_insert(state, [{"id": 1, "paused": False, "changed_at": None}])


def downgrade() -> None:
    op.drop_table('quiet_hours_state')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('quiet_hours')
