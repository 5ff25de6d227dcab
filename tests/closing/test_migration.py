"""Migration 0010 (quiet hours): it matches the models, keeps every thread observing quiet
hours, and goes down and up again."""
from datetime import datetime, timezone

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from moderation import migrate
from moderation.articles.models import Article
from moderation.closing.models import QuietHoursState
from moderation.db import Base, make_engine
from tests.conftest import base_settings


def test_the_migrated_schema_matches_the_models(engine):
    from moderation import models  # noqa: F401

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in differences if "quiet_hours" in repr(d)]
    assert ours == []


def _migrate(engine, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision) if revision != "head" else command.upgrade(config, revision)


def test_existing_threads_observe_quiet_hours_and_the_migration_goes_down_and_up(tmp_path):
    engine = make_engine(base_settings(f"sqlite:///{tmp_path / 'm.db'}").database)
    migrate.upgrade(engine)
    _migrate(engine, "0009_thread_cache")
    assert "quiet_hours_state" not in inspect(engine).get_table_names()
    at = datetime(2026, 11, 25, 8, tzinfo=timezone.utc).isoformat()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO articles (id, title, published_at, window_opened_at, created_at, "
                                "updated_at) VALUES ('old', 'T', :at, :at, :at, :at)"), {"at": at})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(select(Article.quiet_hours).where(Article.id == "old")).scalar_one() is True
        state = connection.execute(select(QuietHoursState.paused, QuietHoursState.changed_at)).one()
        assert tuple(state) == (False, None)
    _migrate(engine, "0009_thread_cache")
    assert "quiet_hours" not in {c["name"] for c in inspect(engine).get_columns("articles")}
    migrate.upgrade(engine)
    engine.dispose()
