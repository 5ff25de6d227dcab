"""webhook endpoints and deliveries (issue 13)

Revision ID: 0006_webhooks
Revises: 0005_console_accounts
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import moderation.db  # noqa: F401

revision = '0006_webhooks'
down_revision = '0005_console_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
