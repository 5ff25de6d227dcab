"""featured comments (issue 22, point 6); the console's site settings (issue 22, point 7)

Revision ID: 0014_featured_and_site_settings
Revises: 0013_author_notes
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

import moderation.db

revision = '0014_featured_and_site_settings'
down_revision = '0013_author_notes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # When a moderator featured the comment (NULL: not featured). A time, not a flag, so that
    # the site can tell the newest pick and the audit log need not be read to know it.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('featured_at', moderation.db.UTCDateTime(timezone=True), nullable=True))
    # Settings an administrator changed in the console: one row per setting, its value as JSON.
    # A row wins over the configuration file; no row means the file's value.
    op.create_table(
        'site_settings',
        sa.Column('name', sa.String(length=64), primary_key=True),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_at', moderation.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('site_settings')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('featured_at')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops a column by rebuilding the table from what SQLAlchemy reflects, and it
        # cannot reflect an index on an expression: 0013's lower(author_name) index comes back here.
        op.execute("CREATE INDEX IF NOT EXISTS ix_comments_queue_author_name ON comments (lower(author_name)) "
                   "WHERE awaiting_review = 1")
