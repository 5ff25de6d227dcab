"""console accounts and sessions (issue 12)

Revision ID: 0005_console_accounts
Revises: 0004_review_state
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import moderation.db  # noqa: F401

revision = '0005_console_accounts'
down_revision = '0004_review_state'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
