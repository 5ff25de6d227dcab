"""No server-side request forgery: addresses are checked after resolution, on every attempt,
and the request goes to the address that was checked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.db import Database
from moderation.runtime import Runtime
from moderation.webhooks.models import WebhookAttempt, WebhookDelivery
from moderation.webhooks.transport import address_problem
from moderation.webhooks.worker import Deliverer, deliver_pending
from tests.factories import headers, make_article, make_comment, make_key
from tests.webhooks.conftest import add_endpoint


@pytest.mark.parametrize("address,problem", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.10", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"), ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"), ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"), ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "metadata"),
    ("100.64.0.1", "not a public"), ("192.0.2.1", "private"),
    # IPv4 addresses carried in IPv6 ones: NAT64 (well-known and local-use prefixes), 6to4,
    # IPv4-compatible.
    ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::a9fe:a9fe", "metadata"), ("64:ff9b::a00:1", "private"),
    ("64:ff9b:1::c0a8:101", "private"), ("2002:7f00:1::", "loopback"), ("2002:a9fe:a9fe::1", "metadata"),
    ("::7f00:1", "loopback"), ("::a9fe:a9fe", "metadata"),
])
def test_forbidden_addresses(address, problem):
    assert problem in address_problem(address, allow_private=False)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8",
                                     "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_are_allowed(address):
    assert address_problem(address, allow_private=False) is None


def test_allowing_private_addresses_never_allows_metadata_multicast_or_unspecified():
    assert address_problem("127.0.0.1", allow_private=True) is None
    assert address_problem("10.0.0.7", allow_private=True) is None
    for address in ("169.254.169.254", "fd00:ec2::254", "0.0.0.0", "239.1.1.1"):
        assert address_problem(address, allow_private=True) is not None


@pytest.mark.parametrize("address", [
    "169.254.170.2",    # ECS task credentials
    "169.254.170.23",   # EKS Pod Identity
    "fd00:ec2::23",     # EKS Pod Identity over IPv6
    "169.254.0.23",     # Tencent Cloud metadata
    "169.254.1.1", "fe80::1", "fe80::1%eth0", "fd00:ec2::1", "::ffff:169.254.170.2", "64:ff9b::a9fe:aa02",
])
def test_link_local_is_never_a_target_even_where_private_addresses_are_allowed(address):
    """Clouds put credential endpoints on link-local addresses (and AWS on fd00:ec2::/32):
    allowing a private network for an in-house receiver must not open them."""
    assert address_problem(address, allow_private=True) is not None
    assert address_problem(address, allow_private=False) is not None


@pytest.fixture
def strict(hooks_settings, clock, engine, connection):
    """A runtime with the default: private addresses refused."""
    settings = hooks_settings.replace(webhooks={"allow_private_addresses": False})
    return Runtime(settings, clock=clock, database=Database(settings.database, engine, connection=connection))


def _attempt_errors(runtime) -> list[str]:
    with runtime.db.transaction(write=False) as session:
        return [a.error for a in session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id))]


def _approve_one(runtime) -> None:
    from moderation.review import service as review

    comment = make_comment(runtime, make_article(runtime))
    with runtime.db.transaction() as session:
        review.decide(session, comment.id, "approve", "alice", None, runtime.now(), expected_status="pending")


def test_a_name_resolving_to_loopback_is_refused_and_nothing_is_sent(strict, receiver):
    from moderation.app import create_app

    client = create_app(runtime=strict).test_client()
    admin = headers(make_key(strict, "admin"))
    add_endpoint(client, admin, receiver, url=f"http://localhost:{receiver.port}/hooks")
    _approve_one(strict)
    deliverer = Deliverer(strict)
    try:
        deliver_pending(strict, deliverer)
    finally:
        deliverer.close()
    assert receiver.requests == []
    [error] = _attempt_errors(strict)
    assert "loopback" in error and ("127.0.0.1" in error or "::1" in error)
    with strict.db.transaction(write=False) as session:
        assert session.scalars(select(WebhookDelivery.state)).one() == "pending"  # retried later, checked again


def test_a_name_resolving_to_the_metadata_address_is_refused(strict, receiver):
    from moderation.app import create_app

    client = create_app(runtime=strict).test_client()
    admin = headers(make_key(strict, "admin"))
    add_endpoint(client, admin, receiver, url="http://hooks.example.test/moderation")
    _approve_one(strict)
    asked = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["169.254.169.254"]

    deliverer = Deliverer(strict, resolver=resolver)
    try:
        deliver_pending(strict, deliverer)
    finally:
        deliverer.close()
    assert asked == [("hooks.example.test", 80)]
    [error] = _attempt_errors(strict)
    assert "169.254.169.254" in error and "metadata" in error


def test_a_name_mixing_public_and_private_addresses_is_refused(strict, receiver):
    from moderation.app import create_app

    client = create_app(runtime=strict).test_client()
    admin = headers(make_key(strict, "admin"))
    add_endpoint(client, admin, receiver, url="https://hooks.example.test/moderation")
    _approve_one(strict)
    deliverer = Deliverer(strict, resolver=lambda host, port: ["93.184.215.14", "10.0.0.5"])
    try:
        deliver_pending(strict, deliverer)
    finally:
        deliverer.close()
    [error] = _attempt_errors(strict)
    assert "10.0.0.5" in error and "private" in error


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://[::1]/x", "http://169.254.169.254/latest",
                                 "http://10.0.0.1/x", "http://[::ffff:127.0.0.1]/x"])
def test_literal_forbidden_addresses_are_refused_when_saved(strict, url):
    from moderation.app import create_app

    client = create_app(runtime=strict).test_client()
    admin = headers(make_key(strict, "admin"))
    response = client.post("/api/v1/admin/webhooks", headers=admin, json={"url": url, "events": ["thread.locked"]})
    if "[" in url:  # IPv6 literals are not receiver URLs at all (name the host): malformed, 422
        assert response.status_code == 422 and "url" in response.json["error"]["details"]
    else:  # a well-formed URL the configuration refuses to send to
        assert response.status_code == 403 and response.json["error"]["code"] == "address_refused"
        assert response.json["error"]["details"]["url"] == url


def test_metadata_is_refused_even_where_private_addresses_are_allowed(client, admin):
    response = client.post("/api/v1/admin/webhooks", headers=admin,
                           json={"url": "http://169.254.169.254/latest/meta-data", "events": ["thread.locked"]})
    assert response.status_code == 403 and response.json["error"]["code"] == "address_refused"


def test_the_request_goes_to_the_checked_address_with_the_url_host(runtime, client, admin, receiver):
    """No second resolution: the address checked is the one connected to (DNS rebinding)."""
    add_endpoint(client, admin, receiver, url=f"http://hooks.example.test:{receiver.port}/moderation")
    _approve_one(runtime)
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a second lookup would get another answer
    deliverer = Deliverer(runtime, resolver=lambda host, port: next(answers))
    try:
        deliver_pending(runtime, deliverer)
    finally:
        deliverer.close()
    assert len(receiver.verified()) == 1
    assert receiver.host_headers == [f"hooks.example.test:{receiver.port}"]
