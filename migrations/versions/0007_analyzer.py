"""models per language and moderation labels (issue 16)

Revision ID: 0007_analyzer
Revises: 0006_webhooks
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import moderation.db  # noqa: F401

revision = '0007_analyzer'
down_revision = '0006_webhooks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
