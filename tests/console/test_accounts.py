"""Accounts: the domain service the CLI and the console share, and the `users` commands."""
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.accounts import service as accounts
from moderation.accounts.models import Account, ConsoleSession
from moderation.errors import Conflict, ValidationError
from tests.console.conftest import PASSWORD, make_account

LIMITS = accounts.LoginLimits(per_account=3, per_address=5, window=timedelta(minutes=15))


def verify(runtime, email, password, address="192.0.2.1"):
    with runtime.db.transaction() as session:
        return accounts.verify_login(session, email, password, address, LIMITS, runtime.now())


def test_create_hashes_with_argon2_and_verifies(runtime):
    account = make_account(runtime, "Alice@Example.CH", "admin", "Alice")
    assert account.email == "alice@example.ch" and account.actor == "user:alice@example.ch"
    with runtime.db.transaction(write=False) as session:
        stored = session.scalar(select(Account.password_hash).where(Account.email == "alice@example.ch"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify(runtime, "ALICE@example.ch", PASSWORD).id == account.id
    assert verify(runtime, "alice@example.ch", "wrong password!") is None
    assert verify(runtime, "nobody@example.ch", PASSWORD) is None


def test_generated_one_time_password_must_be_changed(runtime):
    with runtime.db.transaction() as session:
        account, one_time = accounts.create_account(session, "bob@example.ch", "Bob", "moderator", runtime.now())
    assert one_time and len(one_time) == 16 and account.must_change_password
    assert verify(runtime, "bob@example.ch", one_time) is not None


@pytest.mark.parametrize("email,name,role,password", [
    ("not-an-address", "X", "moderator", PASSWORD), ("a@b.ch", "", "moderator", PASSWORD),
    ("a@b.ch", "X", "frontend", PASSWORD), ("a@b.ch", "X", "moderator", "short"),
])
def test_create_refuses_bad_input(runtime, email, name, role, password):
    with pytest.raises(ValidationError), runtime.db.transaction() as session:
        accounts.create_account(session, email, name, role, runtime.now(), password=password)


def test_duplicate_email_is_a_conflict(runtime):
    make_account(runtime, "dup@example.ch")
    with pytest.raises(Conflict), runtime.db.transaction() as session:
        accounts.create_account(session, "DUP@example.ch", "Again", "moderator", runtime.now(), password=PASSWORD)


def test_failed_logins_are_throttled_per_account_then_per_address(runtime, clock):
    make_account(runtime, "carol@example.ch")
    for _ in range(3):
        assert verify(runtime, "carol@example.ch", "wrong password!") is None
    with pytest.raises(accounts.LoginThrottled):
        verify(runtime, "carol@example.ch", PASSWORD)  # even the right password, while throttled
    clock.advance(minutes=16)
    assert verify(runtime, "carol@example.ch", PASSWORD) is not None
    for n in range(5):  # one address trying many accounts
        assert verify(runtime, f"guess{n}@example.ch", "x" * 12, address="198.51.100.7") is None
    with pytest.raises(accounts.LoginThrottled):
        verify(runtime, "carol@example.ch", PASSWORD, address="198.51.100.7")
    assert verify(runtime, "carol@example.ch", PASSWORD, address="198.51.100.8") is not None


def test_disable_and_reset_end_sessions(runtime, clock):
    account = make_account(runtime, "dan@example.ch")
    idle = timedelta(hours=12)
    with runtime.db.transaction() as session:
        token = accounts.open_session(session, account, runtime.now())
    with runtime.db.transaction() as session:
        assert accounts.resolve_session(session, token, idle, runtime.now()).account.id == account.id
    with runtime.db.transaction() as session:
        new = accounts.reset_password(session, "dan@example.ch", runtime.now())
    assert new and verify(runtime, "dan@example.ch", PASSWORD) is None and verify(runtime, "dan@example.ch", new)
    with runtime.db.transaction() as session:
        assert accounts.resolve_session(session, token, idle, runtime.now()) is None
        token = accounts.open_session(session, account, runtime.now())
    with runtime.db.transaction() as session:
        accounts.disable_account(session, "dan@example.ch", runtime.now())
    with runtime.db.transaction() as session:
        assert accounts.resolve_session(session, token, idle, runtime.now()) is None
        assert session.scalar(select(ConsoleSession).where(ConsoleSession.account_id == account.id)) is None
    assert verify(runtime, "dan@example.ch", new) is None


def test_session_expires_after_inactivity(runtime, clock):
    account = make_account(runtime, "eve@example.ch")
    idle = timedelta(hours=12)
    with runtime.db.transaction() as session:
        token = accounts.open_session(session, account, runtime.now())
    clock.advance(hours=11)
    with runtime.db.transaction() as session:
        active = accounts.resolve_session(session, token, idle, runtime.now())
        assert active is not None and active.needs_touch
        accounts.touch_session(session, token, runtime.now())
    clock.advance(hours=11)  # 22 h after login, 11 h after the last request: still in
    with runtime.db.transaction() as session:
        assert accounts.resolve_session(session, token, idle, runtime.now()) is not None
    clock.advance(hours=1, seconds=1)
    with runtime.db.transaction() as session:
        assert accounts.resolve_session(session, token, idle, runtime.now()) is None


def cli(args, env, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120, input=stdin)


def test_users_cli(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           "MODERATION_SCORING__BACKEND": "none"}
    assert cli(["db", "upgrade"], env, tmp_path).returncode == 0
    created = cli(["users", "create", "--role", "admin", "--email", "Ops@Example.ch", "--name", "Ops"], env, tmp_path)
    assert created.returncode == 0, created.stderr
    one_time = created.stdout.strip().splitlines()[-1]
    assert len(one_time) == 16 and " " not in one_time
    scripted = cli(["users", "create", "--role", "moderator", "--email", "mod@example.ch", "--name", "Mod",
                    "--password-stdin"], env, tmp_path, stdin="a long enough password\n")
    assert scripted.returncode == 0 and "one-time" not in scripted.stdout
    weak = cli(["users", "create", "--role", "moderator", "--email", "weak@example.ch", "--name", "W",
                "--password-stdin"], env, tmp_path, stdin="short\n")
    assert weak.returncode == 1 and "password" in weak.stderr and "Traceback" not in weak.stderr
    listed = cli(["users", "list"], env, tmp_path).stdout
    assert "ops@example.ch\tOps\tadmin\tactive" in listed and "mod@example.ch\tMod\tmoderator\tactive" in listed
    assert one_time not in listed
    assert cli(["users", "disable", "mod@example.ch"], env, tmp_path).returncode == 0
    assert "mod@example.ch\tMod\tmoderator\tdisabled" in cli(["users", "list"], env, tmp_path).stdout
    reset = cli(["users", "reset-password", "mod@example.ch"], env, tmp_path)
    assert reset.returncode == 0 and len(reset.stdout.strip().splitlines()[-1]) == 16
    unknown = cli(["users", "disable", "nobody@example.ch"], env, tmp_path)
    assert unknown.returncode == 1 and "No account" in unknown.stderr


def test_argon2_runs_outside_any_write_transaction_at_login(app, runtime, monkeypatch):
    """Argon2 is slow by design; at login it must not hold SQLite's one writer (a stream of
    login attempts would stall intake)."""
    from tests.console.conftest import login

    make_account(runtime, "alice@example.ch")
    writing_while_hashing = []
    real = accounts.HASHER

    class Watching:
        def verify(self, *args):
            writing_while_hashing.append(runtime.db.in_write_transaction)
            return real.verify(*args)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "HASHER", Watching())
    assert login(app.test_client(), "alice@example.ch", "wrong password!").status_code == 401
    assert login(app.test_client(), "nobody@example.ch").status_code == 401
    assert login(app.test_client(), "alice@example.ch").status_code == 302
    assert writing_while_hashing == [False, False, False]


def test_changing_the_password_ends_the_other_sessions_only(app, runtime):
    from tests.console.conftest import Console, login

    account = make_account(runtime, "alice@example.ch")
    here, elsewhere = app.test_client(), app.test_client()
    assert login(here, "alice@example.ch").status_code == 302
    assert login(elsewhere, "alice@example.ch").status_code == 302
    console = Console(here, account)
    changed = console.post("/console/account/password", data={
        "current_password": PASSWORD, "new_password": "a new long passphrase", "repeat_password":
        "a new long passphrase"})
    assert changed.status_code == 302
    assert here.get("/console/queue").status_code == 200
    assert "/console/login" in elsewhere.get("/console/queue").headers.get("Location", "")
    with runtime.db.transaction(write=False) as session:
        assert len(session.scalars(select(ConsoleSession).where(ConsoleSession.account_id == account.id)).all()) == 1


# --- issue 20, points 1 and 2: no stale write-back, every password check throttled ----------

def _account(runtime, email):
    with runtime.db.transaction(write=False) as session:
        return session.scalar(select(Account).where(Account.email == email))


@pytest.mark.parametrize("form_name,path,data", [
    ("LanguageForm", "/console/account/language", {"language": "fr"}),
    ("PasswordForm", "/console/account/password", {"current_password": PASSWORD,
                                                   "new_password": "a new long passphrase",
                                                   "repeat_password": "a new long passphrase"}),
])
def test_a_request_in_flight_never_undoes_an_admins_disable_or_reset(app, runtime, monkeypatch, form_name, path,
                                                                     data):
    """The console loaded the account at the start of the request; an admin disables it and
    resets its password meanwhile (committed); the request's own write must not bring the
    old password or the enabled state back."""
    from moderation.console import forms
    from tests.console.conftest import Console, login

    account = make_account(runtime, "alice@example.ch")
    client = app.test_client()
    assert login(client, "alice@example.ch").status_code == 302
    console = Console(client, account)
    real_validate = getattr(forms, form_name).validate

    def admin_acts_meanwhile(self, *args, **kwargs):
        with runtime.db.transaction() as session:
            accounts.reset_password(session, "alice@example.ch", runtime.now(), password="the admin's choice!")
            accounts.disable_account(session, "alice@example.ch", runtime.now())
        return real_validate(self, *args, **kwargs)

    monkeypatch.setattr(getattr(forms, form_name), "validate", admin_acts_meanwhile)
    console.post(path, data=data)
    monkeypatch.undo()
    stored = _account(runtime, "alice@example.ch")
    assert stored.disabled_at is not None
    assert accounts._matches(stored.password_hash, "the admin's choice!")
    assert not accounts._matches(stored.password_hash, PASSWORD)
    assert not accounts._matches(stored.password_hash, "a new long passphrase")


def test_concurrent_wrong_logins_check_no_more_passwords_than_the_limit(app, committed_runtime, monkeypatch):
    """A burst of wrong passwords at once: the attempt is reserved before Argon2 and counted
    atomically, so the per-account limit holds (it let about 11 of 30 through)."""
    import threading


    runtime = committed_runtime
    make_account(runtime, "target@example.ch")
    limit = runtime.settings.console.login_failures_per_account
    checks, lock = [], threading.Lock()
    real = accounts.HASHER

    class Counting:
        def verify(self, *args):
            with lock:
                checks.append(1)
            return real.verify(*args)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "HASHER", Counting())
    from moderation.app import create_app

    web = create_app(runtime=runtime)
    clients = [web.test_client() for _ in range(30)]
    pages = [client.get("/console/login") for client in clients]  # CSRF cookies, before the burst
    from tests.console.conftest import csrf_from

    start, statuses = threading.Barrier(30), []

    def attempt(client, page):
        start.wait(30)
        response = client.post("/console/login", data={"email": "target@example.ch", "password": "wrong password!",
                                                        "csrf_token": csrf_from(page)},
                               environ_base={"REMOTE_ADDR": f"198.51.100.{len(statuses) % 250}"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, pages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(set(statuses)) == [401, 429]
    assert len(checks) <= limit
    assert statuses.count(401) == len(checks)


def test_wrong_current_passwords_are_throttled_and_end_the_session(app, runtime):
    from tests.console.conftest import Console, login

    account = make_account(runtime, "alice@example.ch")
    client = app.test_client()
    assert login(client, "alice@example.ch").status_code == 302
    console = Console(client, account)
    limit = runtime.settings.console.login_failures_per_account
    answers = [console.post("/console/account/password", data={
        "current_password": f"guess number {n}!", "new_password": "a new long passphrase",
        "repeat_password": "a new long passphrase"}) for n in range(limit)]
    assert [a.status_code for a in answers[:-1]] == [422] * (limit - 1)
    # The limit reached: the session ends, and the right password cannot be tried from it.
    assert "/console/login" in client.get("/console/queue").headers.get("Location", "")
    with runtime.db.transaction(write=False) as session:
        assert session.scalars(select(ConsoleSession).where(ConsoleSession.account_id == account.id)).all() == []
    # Logging in again is throttled too: the guesses counted as failed logins.
    assert login(app.test_client(), "alice@example.ch").status_code == 429
