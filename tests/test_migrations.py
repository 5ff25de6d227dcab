"""A site that has run for a while upgrades: every migration of this series runs on a database
made by the previous head (0007) that holds articles, comments and reports, and goes back down.

On SQLite a migration that alters ``articles`` recreates the table (batch mode), and the
comments that reference it made SQLite refuse the DROP TABLE. Run on both databases."""
from sqlalchemy import text

from moderation import migrate
from moderation.db import make_engine
from tests.conftest import base_settings

AT = "2026-11-25T08:00:00+00:00"




def _own_postgres_database(database_url: str) -> str:
    """A database of its own beside the suite's (whose schema the other tests use), emptied."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def test_a_database_of_the_previous_head_with_comments_upgrades_and_goes_back(tmp_path, backend, database_url):
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else _own_postgres_database(database_url)
    engine = make_engine(base_settings(url).database)
    try:
        migrate.upgrade(engine, "0007_analyzer")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO articles (id, title, published_at, window_opened_at, created_at, "
                                    "updated_at) VALUES ('a', 'T', :at, :at, :at, :at)"), {"at": AT})
            for n, status in enumerate(["approved", "approved", "pending", "rejected"]):
                connection.execute(text(
                    "INSERT INTO comments (article_id, author_id, author_name, body, status, created_at, "
                    "awaiting_review, open_reports, sort_toxicity, version, score_attempts) "
                    "VALUES ('a', 'u', 'N', :body, :status, :at, false, 0, -1, 1, 0)"),
                    {"body": f"avis {n}", "status": status, "at": AT})
            connection.execute(text("INSERT INTO reports (comment_id, reporter_id, reason, created_at) "
                                    "SELECT min(id), 'r', 'spam', :at FROM comments"), {"at": AT})
        migrate.upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT approved_count, thread_version FROM articles")).one() == (2, 1)
            assert connection.execute(text("SELECT count(*) FROM comments")).scalar() == 4
        migrate.downgrade(engine, "0007_analyzer")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM comments")).scalar() == 4
            assert connection.execute(text("SELECT count(*) FROM reports")).scalar() == 1
        migrate.upgrade(engine)
    finally:
        engine.dispose()
