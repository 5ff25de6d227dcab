"""Issue 10, point 5: the reader's address is kept, and X-Forwarded-For is read as ProxyFix reads it."""
import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder

from moderation.comments.models import Comment
from moderation.db import Database
from moderation.runtime import Runtime
from moderation.web import reader_address
from tests.factories import headers, make_article, make_key

CONNECTION = "192.0.2.250"  # the frontend's own server: never the reader


def stored_address(runtime, comment_id):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(Comment.reader_address).where(Comment.id == comment_id))


def post(client, key, **payload):
    body = {"author": {"id": "reader", "name": "R"}, "body": f"Bonjour {payload}", **payload}
    return client.post("/api/v1/articles/a-1/comments", headers=key, json=body)


@pytest.fixture
def frontend(runtime):
    make_article(runtime, "a-1")
    return headers(make_key(runtime, "frontend"))


@pytest.mark.parametrize("given,kept", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:DB8:0:0::1", "2001:db8::1"),  # canonical form
])
def test_the_given_address_is_stored(client, runtime, frontend, given, kept):
    response = post(client, frontend, reader_address=given)
    assert response.status_code == 202
    assert stored_address(runtime, response.json["id"]) == kept


@pytest.mark.parametrize("given", ["not an address", "999.1.1.1", "fe80::1%" + "z" * 40, "fe80::1%eth0",
                                   " 198.51.100.4", 42])
def test_an_invalid_or_too_long_address_is_a_422_and_stores_nothing(client, runtime, frontend, given):
    response = post(client, frontend, reader_address=given)
    assert response.status_code == 422
    assert "reader_address" in response.json["error"]["details"]
    with runtime.db.transaction(write=False) as session:
        assert session.scalars(select(Comment.id)).all() == []


def test_without_an_address_the_connection_is_never_used(client, runtime, frontend):
    response = client.post("/api/v1/articles/a-1/comments", headers=frontend,
                           json={"author": {"id": "r", "name": "R"}, "body": "Sans adresse"},
                           environ_base={"REMOTE_ADDR": CONNECTION})
    assert stored_address(runtime, response.json["id"]) is None


@pytest.fixture
def proxied_client(settings, clock, engine, connection):
    def build(hops):
        from moderation.app import create_app

        runtime = Runtime(settings.replace(ratelimit={"trusted_proxies": hops}), clock=clock,
                          database=Database(settings.database, engine, connection=connection))
        return runtime, create_app(runtime=runtime).test_client()
    return build


def test_the_forwarded_address_is_stored_when_no_address_is_given(proxied_client):
    runtime, client = proxied_client(1)
    make_article(runtime, "a-1")
    key = headers(make_key(runtime, "frontend"), **{"X-Forwarded-For": "10.0.0.1, 203.0.113.9"})
    response = post(client, key)
    assert stored_address(runtime, response.json["id"]) == "203.0.113.9"
    # The body's address wins over the header.
    response = post(client, key, reader_address="198.51.100.1")
    assert stored_address(runtime, response.json["id"]) == "198.51.100.1"


FORWARDED = [None, "", "203.0.113.9", "10.0.0.1, 203.0.113.9", "10.0.0.1,203.0.113.9, 198.51.100.2",
             '"203.0.113.9", 10.0.0.1', "a, b, 2001:db8::1", " , 203.0.113.9", "10.0.0.1,,203.0.113.9",
             "garbage", "203.0.113.9, garbage"]


@pytest.mark.parametrize("hops", [0, 1, 2, 3])
@pytest.mark.parametrize("forwarded", FORWARDED)
def test_x_forwarded_for_is_read_exactly_as_proxyfix_reads_it(settings, hops, forwarded):
    """Compared with werkzeug's ProxyFix(x_for=hops) itself, on the same request."""
    environ_overrides = {"REMOTE_ADDR": CONNECTION}
    if forwarded is not None:
        environ_overrides["HTTP_X_FORWARDED_FOR"] = forwarded

    seen = {}

    def spy(environ, start_response):
        seen["remote_addr"] = environ["REMOTE_ADDR"]
        start_response("204 No Content", [])
        return [b""]

    environ = EnvironBuilder(path="/", environ_overrides=environ_overrides).get_environ()
    ProxyFix(spy, x_for=hops)(environ, lambda *args: None)
    proxyfix_says = seen["remote_addr"] if hops and seen["remote_addr"] != CONNECTION else None

    app = Flask(__name__)
    app.extensions["moderation"] = type("R", (), {"settings": settings.replace(ratelimit={"trusted_proxies": hops})})
    with app.test_request_context("/", environ_overrides=environ_overrides):
        ours = reader_address({})
    if proxyfix_says is not None:
        try:
            import ipaddress

            expected = str(ipaddress.ip_address(proxyfix_says))
        except ValueError:
            expected = None  # ProxyFix passes any text on; an address that is not one counts as none
    else:
        expected = None
    assert ours == expected
