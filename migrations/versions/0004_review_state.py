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
    pass


def downgrade() -> None:
    pass
