"""Alembic environment: migrates the connection handed over by moderation.migrate, or the
database named by the service's own settings (for `alembic` run by hand)."""
from alembic import context

from moderation import models  # noqa: F401  (registers every table)
from moderation.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from moderation.config import load_settings
    from moderation.db import make_engine

    engine = make_engine(load_settings().database)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `moderation db upgrade`")
run_migrations_online()
