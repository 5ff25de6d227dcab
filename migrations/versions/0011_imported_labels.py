"""labels imported from a CSV file keep their text (issue 23)

Revision ID: 0011_imported_labels
Revises: 0010_quiet_hours
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_imported_labels'
down_revision = '0010_quiet_hours'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('model_labels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('model_labels', schema=None) as batch_op:
        batch_op.drop_column('text')
