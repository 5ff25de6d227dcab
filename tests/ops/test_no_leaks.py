"""Issue 11, point 6: no input ends in a 500, and no error writes a comment to the log."""
import logging
from urllib.parse import quote

import pytest
from sqlalchemy import text

from moderation.logs import JsonFormatter
from tests.factories import headers, make_article, make_comment, make_key


@pytest.fixture
def moderator(runtime):
    return headers(make_key(runtime, "moderator"))


def test_engine_hides_parameters(runtime):
    assert runtime.db.engine.hide_parameters is True


def _refuse_comments(session, backend: str) -> None:
    """Make the database itself refuse every new comment, as a failing disk or a broken
    constraint would: the error comes from the server, with its own message."""
    if backend == "postgres":
        # PostgreSQL quotes the whole failing row in the error's DETAIL.
        session.execute(text("ALTER TABLE comments ADD CONSTRAINT ck_comments_test_refuse "
                             "CHECK (length(body) < 0) NOT VALID"))
    else:
        session.execute(text("CREATE TRIGGER test_refuse_comments BEFORE INSERT ON comments "
                             "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))


def test_database_error_during_intake_logs_neither_body_nor_author_name(client, runtime, backend, caplog):
    key = make_key(runtime, "frontend")
    make_article(runtime, "a-1")
    with runtime.db.transaction() as session:
        _refuse_comments(session, backend)
    body, name = "Mon secret très personnel 7731", "Josiane Personne-Privée"
    formatted: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            formatted.append(JsonFormatter().format(record))

    keep = Keep()
    logging.getLogger().addHandler(keep)
    caplog.set_level("DEBUG")
    try:
        response = client.post("/api/v1/articles/a-1/comments", headers=headers(key),
                               json={"author": {"id": "reader-1", "name": name}, "body": body})
    finally:
        logging.getLogger().removeHandler(keep)
    assert response.status_code == 500 and response.json["error"]["code"] == "internal_error"
    assert caplog.records, "the failure must be logged"
    logged = caplog.text + "\n".join(formatted)
    assert body not in logged and name not in logged
    assert "Josiane" not in logged and "7731" not in logged
    assert "database error" in logged and "IntegrityError" in logged  # ops still learn what failed, and where
    assert "comments/service.py" in logged  # the stack is kept


@pytest.mark.parametrize("path,cursor", [
    ("/api/v1/articles/a-1/comments?cursor=", "c_1767225600000000_9223372036854775808"),  # 19 digits
    ("/api/v1/articles/a-1/comments?cursor=", "c_-1_1"),
    ("/api/v1/articles/a-1/comments?order=newest&cursor=", "oldest_1_1"),  # another listing's
    ("/api/v1/moderation/queue?order=oldest&cursor=", "oldest_1_"),
    ("/api/v1/moderation/queue?order=toxicity&cursor=", "toxicity_inf_1_1"),
    ("/api/v1/moderation/queue?order=toxicity&cursor=", "toxicity_nan_1_1"),
    ("/api/v1/moderation/log?cursor=", "WyJsb2ciLDVd"),  # the old base64 JSON form
    ("/api/v1/moderation/log?cursor=", "log_-1"),
    ("/api/v1/moderation/log?cursor=", "log_5\n"),  # Python's "$" would let it through
])
def test_cursors_the_pattern_refuses_are_422(client, runtime, moderator, path, cursor):
    article = make_article(runtime, "a-1")
    make_comment(runtime, article, status="approved")
    response = client.get(path + quote(cursor), headers=moderator)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error" and "cursor" in response.json["error"]["details"]


@pytest.mark.parametrize("path,cursor", [
    ("/api/v1/articles/a-1/comments?cursor=", "c_9999999999999999_999999999999999999"),  # past 2100: clamped
    ("/api/v1/articles/a-1/comments?order=newest&cursor=", "c_0_0"),
    ("/api/v1/moderation/queue?cursor=", "toxicity_9.99999999999999999e999_1_1"),  # beyond any score
    ("/api/v1/moderation/queue?cursor=", "toxicity_-9.99999999999999999e-999_9999999999999999_1"),
    ("/api/v1/moderation/log?cursor=", "log_999999999999999999"),
])
def test_every_cursor_the_pattern_allows_is_a_position(client, runtime, moderator, path, cursor):
    """The document states the cursors' pattern; every string it matches is answered, extremes
    included (a position before or after everything)."""
    article = make_article(runtime, "a-1")
    make_comment(runtime, article, status="approved")
    response = client.get(path + quote(cursor), headers=moderator)
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("published_at,hours,status", [
    ("1970-01-01T00:00:00Z", None, 201),
    ("2100-12-31T23:59:59Z", 8760, 201),
    ("1969-12-31T23:59:59Z", None, 422),
    ("1970-01-01T00:30:00+01:00", None, 201),  # the written year counts (1969 in UTC, and fine)
    ("2100-12-31T23:30:00-05:00", None, 201),  # 2101 in UTC: no overflow either
    ("2101-01-01T00:00:00Z", None, 422),
    ("0001-01-01T00:00+05:00", None, 422),
    ("9999-12-31T23:59-05:00", None, 422),
    ("2026-11-25T08:00:00Z", 8760.001, 422),
    ("2026-11-25T08:00:00Z", 87600, 422),
])
def test_publication_dates_and_windows_have_bounds(client, runtime, published_at, hours, status):
    admin = headers(make_key(runtime, "admin"))
    body = {"title": "Bornes", "published_at": published_at}
    if hours is not None:
        body["close_after_hours"] = hours
    response = client.put("/api/v1/articles/bounds", json=body, headers=admin)
    assert response.status_code == status, response.json
    if status == 422:
        assert set(response.json["error"]["details"]) <= {"published_at", "close_after_hours"}
    else:
        unlock = client.post("/api/v1/articles/bounds/unlock", json={"close_after_hours": 8760}, headers=admin)
        assert unlock.status_code == 200
        too_long = client.post("/api/v1/articles/bounds/unlock", json={"close_after_hours": 8761}, headers=admin)
        assert too_long.status_code == 422


def test_site_window_setting_is_bounded_too():
    from moderation.config import ConfigError, load_settings

    assert load_settings({"MODERATION_CLOSING__CLOSE_AFTER_HOURS": "8760"}).closing.close_after_hours == 8760
    with pytest.raises(ConfigError, match="closing.close_after_hours"):
        load_settings({"MODERATION_CLOSING__CLOSE_AFTER_HOURS": "8761"})
