"""Accounts of the people who moderate: create, verify, disable, reset; console sessions;
throttling of failed logins. The CLI (`moderation users …`) and the console both call these.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile);
a hash made with weaker parameters is upgraded at the next successful login.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation.accounts.models import (
    ACCOUNT_ROLES,
    Account,
    ConsoleSecret,
    ConsoleSession,
    LoginFailure,
    actor_for,
)
from moderation.audit import service as audit
from moderation.errors import ApiError, Conflict, NotFound, ValidationError

# Tests swap in cheaper parameters (still real Argon2id); production uses these defaults.
HASHER = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
LANGUAGES = ("en", "fr", "de", "it")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Verifying against this when the account is unknown takes as long as a real check, so the
# answer's timing does not tell whether an address has an account.
_DUMMY_HASH: str | None = None


class LoginThrottled(ApiError):
    status, code, message = 429, "login_throttled", "Too many failed logins; try again later."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_email(email: str) -> str:
    email = normalise_email(email)
    if len(email) > 120 or not _EMAIL.match(email):
        raise ValidationError(details={"email": ["Must be an e-mail address of at most 120 characters."]})
    return email


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(details={"password": [f"Must be at least {MIN_PASSWORD_LENGTH} characters."]})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(details={"password": [f"Must be at most {MAX_PASSWORD_LENGTH} characters."]})


def generate_password() -> str:
    """A one-time password: 16 random characters from an alphabet without look-alikes."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _audit(session: Session, actor: str | None, action: str, account: Account, now: datetime, **details: Any) -> None:
    """An administrator's change to an account, in the audit log (the console passes its
    actor; the CLI and fixtures, which pass none, are not recorded)."""
    if actor is not None:
        audit.record(session, now, actor, action, reason=account.email,
                     details={"email": account.email, **details})


def create_account(session: Session, email: str, name: str, role: str, now: datetime,
                   password: str | None = None, *, actor: str | None = None) -> tuple[Account, str | None]:
    """Create an account. Without ``password`` a one-time password is generated and returned
    (the person must choose their own at the first login); with one, None is returned."""
    email = _check_email(email)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise ValidationError(details={"name": ["Must be 1 to 200 characters."]})
    if role not in ACCOUNT_ROLES:
        raise ValidationError(details={"role": [f"Must be one of {', '.join(ACCOUNT_ROLES)}."]})
    generated = password is None
    if password is None:
        password = generate_password()
    else:
        check_password_rules(password)
    account = Account(email=email, name=name, role=role, password_hash=HASHER.hash(password),
                      must_change_password=generated, created_at=now, password_changed_at=now)
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError:
        raise Conflict(f"An account for {email} exists already.", details={"email": [email]}) from None
    _audit(session, actor, "account_create", account, now, role=role)
    return account, password if generated else None


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.email)))


def get_account(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == normalise_email(email)))
    if account is None:
        raise NotFound(f"No account for {normalise_email(email)}.")
    return account


def _not_yourself(account: Account, actor: str | None) -> None:
    """An administrator cannot lock themselves out (disable or demote their own account)."""
    if actor is not None and actor == actor_for(account.email):
        raise Conflict("You cannot do this to your own account.", details={"email": [account.email]})


def disable_account(session: Session, email: str, now: datetime, *, actor: str | None = None) -> Account:
    """The person can no longer log in; their open console sessions end now."""
    account = get_account(session, email)
    _not_yourself(account, actor)
    if account.disabled_at is None:
        account.disabled_at = now
        _audit(session, actor, "account_disable", account, now)
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account.id))
    return account


def enable_account(session: Session, email: str, now: datetime | None = None, *, actor: str | None = None) -> Account:
    account = get_account(session, email)
    if account.disabled_at is not None and now is not None:
        _audit(session, actor, "account_enable", account, now)
    account.disabled_at = None
    return account


def set_role(session: Session, email: str, role: str, now: datetime, *, actor: str | None = None) -> Account:
    """Make the account a moderator or an administrator (never one's own)."""
    if role not in ACCOUNT_ROLES:
        raise ValidationError(details={"role": [f"Must be one of {', '.join(ACCOUNT_ROLES)}."]})
    account = get_account(session, email)
    _not_yourself(account, actor)
    if account.role != role:
        _audit(session, actor, "account_role", account, now, previous=account.role, role=role)
        account.role = role
    return account


def reset_password(session: Session, email: str, now: datetime, password: str | None = None, *,
                   actor: str | None = None) -> str | None:
    """A new password (generated one-time password when none is given); open sessions end."""
    account = get_account(session, email)
    _audit(session, actor, "account_reset", account, now)
    generated = password is None
    if password is None:
        password = generate_password()
    else:
        check_password_rules(password)
    account.password_hash = HASHER.hash(password)
    account.must_change_password = generated
    account.password_changed_at = now
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account.id))
    return password if generated else None


@dataclass(frozen=True)
class PasswordChange:
    """A password change prepared outside any write transaction (Argon2 is slow by design):
    the hash it was checked against and the new hash."""
    account_id: int
    checked_hash: str
    new_hash: str


def prepare_password_change(session: Session, account_id: int, current: str, new: str) -> PasswordChange:
    """Check the current password and hash the new one, reading only; ValidationError when
    the current password is wrong (the caller's reserved attempt then stays counted) or the new
    one breaks a rule."""
    account = session.get(Account, account_id)
    if account is None or not _matches(account.password_hash, current[:MAX_PASSWORD_LENGTH]):
        raise ValidationError(details={"current_password": ["Wrong password."]})
    check_password_rules(new)
    if new == current:
        raise ValidationError(details={"new_password": ["Must differ from the current password."]})
    return PasswordChange(account.id, account.password_hash, HASHER.hash(new))


def change_password(session: Session, change: PasswordChange, token: str, now: datetime) -> bool:
    """Write a prepared change, only the fields it changes, under the account's row lock, and
    only if nothing happened meanwhile: the account still enabled, its password still the
    one checked (an admin's reset-password wins), and this console session still open.
    Every other console session of the account ends (someone who knew the old password may
    be logged in). Returns whether the change was made."""
    account = _locked_account(session, change.account_id)
    if account is None or account.disabled_at is not None or account.password_hash != change.checked_hash \
            or session.get(ConsoleSession, _token_id(token)) is None:
        return False
    session.execute(update(Account).where(Account.id == change.account_id)
                    .values(password_hash=change.new_hash, must_change_password=False, password_changed_at=now))
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == change.account_id,
                                                 ConsoleSession.id != _token_id(token)))
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == _account_key(account.email)))
    return True


def set_language(session: Session, account_id: int, token: str, language: str | None) -> bool:
    """The person's console language: this one field, and only while the account is enabled
    and this session open. Returns whether it was written."""
    if language is not None and language not in LANGUAGES:
        raise ValidationError(details={"language": [f"Must be one of {', '.join(LANGUAGES)}."]})
    account = _locked_account(session, account_id)
    if account is None or account.disabled_at is not None or session.get(ConsoleSession, _token_id(token)) is None:
        return False
    session.execute(update(Account).where(Account.id == account_id).values(language=language))
    return True


def _locked_account(session: Session, account_id: int) -> Account | None:
    """The account as committed now, its row locked until commit (SQLite: the one writer)."""
    return session.scalar(select(Account).where(Account.id == account_id).with_for_update()
                          .execution_options(populate_existing=True))


def _matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{value}".encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class LoginLimits:
    per_account: int
    per_address: int
    window: timedelta


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of checking credentials, to be recorded by ``record_login``."""
    account_id: int | None  # None: wrong e-mail address or password, or a disabled account
    attempt: "Attempt"
    new_hash: str | None  # the password hashed anew when the hash's parameters are outdated


@dataclass(frozen=True)
class Attempt:
    """A password check reserved before it runs: counted as a failure until it succeeds."""
    account_key: str
    address_key: str
    failure_id: int


def reserve_attempt(session: Session, email: str, address: str, limits: LoginLimits, now: datetime) -> Attempt:
    """Count this password check among the failures before Argon2 runs, atomically:
    LoginThrottled (nothing recorded) when the account or the address has reached its limit
    within the window. A burst of concurrent checks thus gets exactly the limit, never more.
    Call in its own short write transaction; ``record_login`` (or ``change_password`` and
    ``forget_attempt`` on the password form) forgets the reservation when the password was right.
    """
    account_key = _account_key(email)
    address_key = _digest("address", address or "unknown")
    if session.get_bind().dialect.name == "postgresql":
        # One checker at a time per account and per address (SQLite: the one writer does it).
        for key in sorted({account_key, address_key}):
            session.execute(text("SELECT pg_advisory_xact_lock(:lock)"),
                            {"lock": int(key[:15], 16)})
    since = now - limits.window
    if _failures(session, LoginFailure.account_key == account_key, since) >= limits.per_account \
            or _failures(session, LoginFailure.address_key == address_key, since) >= limits.per_address:
        raise LoginThrottled(headers={"Retry-After": str(int(limits.window.total_seconds()))})
    session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
    failure = LoginFailure(account_key=account_key, address_key=address_key, at=now)
    session.add(failure)
    session.flush()
    return Attempt(account_key, address_key, failure.id)


def forget_attempt(session: Session, attempt: Attempt) -> None:
    """The password was right after all: the reservation is no failure."""
    session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.failure_id))


def failures_left(session: Session, attempt: Attempt, limits: LoginLimits, now: datetime) -> int:
    """How many more failed checks the account may have within the window."""
    used = _failures(session, LoginFailure.account_key == attempt.account_key, now - limits.window)
    return max(limits.per_account - used, 0)


def _failures(session: Session, whose: Any, since: datetime) -> int:
    """Failed (or reserved) password checks of one account or address within the window."""
    return session.scalar(select(func.count()).select_from(LoginFailure).where(whose, LoginFailure.at > since)) or 0


def _account_key(email: str) -> str:
    """How failures of an account are keyed (a digest: no e-mail address is stored for this)."""
    return _digest("account", normalise_email(email)[:200])


def check_login(session: Session, email: str, password: str, attempt: Attempt) -> LoginCheck:
    """Check credentials, reading only, for a reserved attempt.

    Argon2 takes tens of milliseconds by design; doing it here, outside any write
    transaction, keeps a stream of login attempts from holding SQLite's one writer, which
    intake needs. ``record_login`` then writes the outcome in a short transaction.
    """
    global _DUMMY_HASH
    email = normalise_email(email)[:200]
    account = session.scalar(select(Account).where(Account.email == email))
    if account is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
        _matches(_DUMMY_HASH, password)
        return LoginCheck(None, attempt, None)
    if not (_matches(account.password_hash, password[:MAX_PASSWORD_LENGTH]) and account.disabled_at is None):
        return LoginCheck(None, attempt, None)
    new_hash = HASHER.hash(password) if HASHER.check_needs_rehash(account.password_hash) else None
    return LoginCheck(account.id, attempt, new_hash)


def record_login(session: Session, check: LoginCheck, limits: LoginLimits, now: datetime) -> Account | None:
    """Write what ``check_login`` found: a failure stays counted (its reservation), a success
    forgets the account's failures and replaces an outdated hash (that field only). Returns
    the account, or None when the login failed or the account was disabled meanwhile."""
    account = _locked_account(session, check.account_id) if check.account_id is not None else None
    if account is None or account.disabled_at is not None:
        return None
    if check.new_hash is not None:
        session.execute(update(Account).where(Account.id == account.id).values(password_hash=check.new_hash))
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == check.attempt.account_key))
    return account


def verify_login(session: Session, email: str, password: str, address: str, limits: LoginLimits,
                 now: datetime) -> Account | None:
    """``reserve_attempt``, ``check_login`` and ``record_login`` in one (write) transaction:
    the account for these credentials, or None (the failure is recorded: commit it)."""
    attempt = reserve_attempt(session, email, address, limits, now)
    return record_login(session, check_login(session, email, password, attempt), limits, now)


# --- console sessions ------------------------------------------------------------------

def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(session: Session, account: Account, now: datetime) -> str:
    """Start a console session; returns its token (kept in the browser's signed cookie)."""
    token = secrets.token_urlsafe(32)
    session.add(ConsoleSession(id=_token_id(token), account_id=account.id, created_at=now, last_seen_at=now))
    return token


# The session's last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class ActiveSession:
    account: Account
    needs_touch: bool  # last_seen_at is old enough to be written again (touch_session)


def resolve_session(session: Session, token: str, idle: timedelta, now: datetime) -> ActiveSession | None:
    """The active account of a session token, or None (unknown, idle too long, disabled).
    Reads only, so that most console requests need no write transaction."""
    if not token or len(token) > 100:
        return None
    row = session.get(ConsoleSession, _token_id(token))
    if row is None or row.last_seen_at + idle <= now:
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled_at is not None:
        return None
    return ActiveSession(account, now - row.last_seen_at >= TOUCH_INTERVAL)


def touch_session(session: Session, token: str, now: datetime) -> None:
    row = session.get(ConsoleSession, _token_id(token))
    if row is not None and row.last_seen_at < now:
        row.last_seen_at = now


def purge_sessions(session: Session, idle: timedelta, now: datetime) -> int:
    """Delete sessions idle for longer than ``idle`` (run at each login: cheap, indexed by id)."""
    return session.execute(delete(ConsoleSession).where(ConsoleSession.last_seen_at <= now - idle)).rowcount or 0


def close_session(session: Session, token: str) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.id == _token_id(token)))


def secret_key(session: Session) -> str:
    """The generated cookie signing key shared through the database (created once)."""
    return site_secret(session, "cookie")


def site_secret(session: Session, name: str) -> str:
    """A random key generated once and shared by every process through the database."""
    row = session.get(ConsoleSecret, name)
    if row is not None:
        return row.value
    try:
        with session.begin_nested():
            session.add(ConsoleSecret(name=name, value=secrets.token_hex(32)))
            session.flush()
    except IntegrityError:  # another process created it first
        pass
    return session.get(ConsoleSecret, name).value
