"""Migration 0006: the tables it creates are those of the models, and it goes down and up again."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from moderation import migrate
from moderation.db import Base, make_engine
from tests.conftest import base_settings

TABLES = {"webhook_endpoints", "webhook_deliveries", "webhook_attempts", "webhook_fanout"}


def test_the_migrated_tables_match_the_models(engine):
    from moderation import models  # noqa: F401

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in differences if any(table in repr(d) for table in TABLES)]
    assert ours == []


def test_downgrade_and_upgrade_again(tmp_path):
    from moderation.webhooks.models import WebhookFanout

    engine = make_engine(base_settings(f"sqlite:///{tmp_path / 'm.db'}").database)
    migrate.upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(select(WebhookFanout.last_event_id)).scalar_one() == 0
    config = migrate.alembic_config()
    from alembic import command

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005_console_accounts")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
