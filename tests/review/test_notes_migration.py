"""Migration 0013 (issue 22): the author notes table and the queue's author indexes match the
models (the expression index on names, which autogenerate cannot compare, is checked by name)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from moderation.db import Base


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_migrated_schema_matches_the_models(engine):
    from moderation import models  # noqa: F401

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        catalogue = "SELECT name FROM sqlite_master WHERE type = 'index'" if engine.dialect.name == "sqlite" \
            else "SELECT indexname FROM pg_indexes WHERE tablename = 'comments'"
        indexes = set(connection.execute(text(catalogue)).scalars())
    ours = [d for d in differences if "author_notes" in repr(d) or "ix_comments_queue_author" in repr(d)]
    assert ours == []
    assert {"ix_comments_queue_author", "ix_comments_queue_author_name"} <= indexes
