"""Fixtures for the console: accounts, a logged-in test client, CSRF tokens read from pages."""
from __future__ import annotations

import os
import re

import pytest
from argon2 import PasswordHasher

from moderation.accounts import service as accounts

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    # Real Argon2id with small parameters: the production defaults cost ~50 ms a hash,
    # which adds up over hundreds of logins in the suite.
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def make_account(runtime, email: str, role: str = "moderator", name: str | None = None,
                 password: str = PASSWORD):
    with runtime.db.transaction() as session:
        account, _ = accounts.create_account(session, email, name or email.split("@")[0].title(), role,
                                             runtime.now(), password=password)
    return account


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(response) -> str:
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, **headers):
    page = client.get("/console/login")
    return client.post("/console/login", data={"email": email, "password": password,
                                               "csrf_token": csrf_from(page)}, headers=headers)


class Console:
    """A logged-in test client that adds the CSRF token to every POST."""

    def __init__(self, client, account):
        self.client, self.account = client, account
        self.token = csrf_from(client.get("/console/queue"))

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, headers=headers, **kwargs)


@pytest.fixture
def moderator_account(runtime):
    return make_account(runtime, "alice@example.ch", "moderator", "Alice Moderator")


@pytest.fixture
def admin_account(runtime):
    return make_account(runtime, "root@example.ch", "admin", "Root Admin")


@pytest.fixture
def console(app, moderator_account):
    client = app.test_client()
    assert login(client, moderator_account.email).status_code == 302
    return Console(client, moderator_account)


@pytest.fixture
def admin_console(app, admin_account):
    client = app.test_client()
    assert login(client, admin_account.email).status_code == 302
    return Console(client, admin_account)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test module (Playwright's sync API allows one at a time)."""
    from tests.console.live import chromium_missing, launch

    missing = chromium_missing()
    if missing:
        if os.environ.get("MODERATION_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but cannot run: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
