"""0012_house_models creates exactly what the models declare, and goes back down."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from moderation import migrate
from moderation.db import Base, make_engine
from tests.conftest import base_settings


def test_the_schema_matches_the_models(engine):
    from moderation import models  # noqa: F401

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in differences if any(name in repr(d) for name in ("house", "sort_house"))]
    assert ours == []


def test_down_to_0011_and_up_again(tmp_path):
    engine = make_engine(base_settings(f"sqlite:///{tmp_path / 'house.db'}").database)
    try:
        migrate.upgrade(engine)
        assert "house_models" in inspect(engine).get_table_names()
        migrate.downgrade(engine, "0011_imported_labels")
        assert "house_models" not in inspect(engine).get_table_names()
        assert "sort_house" not in {c["name"] for c in inspect(engine).get_columns("comments")}
        migrate.upgrade(engine)
        assert "sort_house" in {c["name"] for c in inspect(engine).get_columns("comments")}
    finally:
        engine.dispose()
