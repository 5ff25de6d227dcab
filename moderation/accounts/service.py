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

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation.accounts.models import ACCOUNT_ROLES, Account, ConsoleSecret, ConsoleSession, LoginFailure
from moderation.errors import ApiError, Conflict, NotFound, ValidationError

# Tests swap in cheaper parameters (still real Argon2id); production uses these defaults.
HASHER = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
LANGUAGES = ("en", "fr")
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


def create_account(session: Session, email: str, name: str, role: str, now: datetime,
                   password: str | None = None) -> tuple[Account, str | None]:
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
        raise Conflict(f"An account for {email} exists already.") from None
    return account, password if generated else None


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.email)))


def get_account(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == normalise_email(email)))
    if account is None:
        raise NotFound(f"No account for {normalise_email(email)}.")
    return account


def disable_account(session: Session, email: str, now: datetime) -> Account:
    """The person can no longer log in; their open console sessions end now."""
    account = get_account(session, email)
    if account.disabled_at is None:
        account.disabled_at = now
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account.id))
    return account


def enable_account(session: Session, email: str) -> Account:
    account = get_account(session, email)
    account.disabled_at = None
    return account


def reset_password(session: Session, email: str, now: datetime, password: str | None = None) -> str | None:
    """A new password (generated one-time password when none is given); open sessions end."""
    account = get_account(session, email)
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


def change_password(session: Session, account: Account, current: str, new: str, now: datetime, *,
                    keep_session: str | None = None) -> None:
    """The person replaces their password (required after a one-time password).

    Every other console session of the account ends (someone who knew the old password
    may be logged in); ``keep_session``, the token of the session making the change, stays.
    """
    if not _matches(account.password_hash, current):
        raise ValidationError(details={"current_password": ["Wrong password."]})
    check_password_rules(new)
    if new == current:
        raise ValidationError(details={"new_password": ["Must differ from the current password."]})
    account.password_hash = HASHER.hash(new)
    account.must_change_password = False
    account.password_changed_at = now
    others = ConsoleSession.account_id == account.id
    if keep_session:
        others &= ConsoleSession.id != _token_id(keep_session)
    session.execute(delete(ConsoleSession).where(others))


def set_language(account: Account, language: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise ValidationError(details={"language": [f"Must be one of {', '.join(LANGUAGES)}."]})
    account.language = language


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
    account_key: str
    address_key: str
    new_hash: str | None  # the password hashed anew when the hash's parameters are outdated


def check_login(session: Session, email: str, password: str, address: str, limits: LoginLimits,
                now: datetime) -> LoginCheck:
    """Check credentials, reading only: LoginThrottled after too many failures for this
    account or from this address within the window (a correct password is refused too while
    throttled, so guessing cannot go on).

    Argon2 takes tens of milliseconds by design; doing it here, outside any write
    transaction, keeps a stream of login attempts from holding SQLite's one writer, which
    intake needs. ``record_login`` then writes the outcome in a short transaction.
    """
    global _DUMMY_HASH
    email = normalise_email(email)[:200]
    account_key, address_key = _digest("account", email), _digest("address", address or "unknown")
    since = now - limits.window
    by_account = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.account_key == account_key, LoginFailure.at > since)) or 0
    by_address = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address_key == address_key, LoginFailure.at > since)) or 0
    if by_account >= limits.per_account or by_address >= limits.per_address:
        raise LoginThrottled(headers={"Retry-After": str(int(limits.window.total_seconds()))})
    account = session.scalar(select(Account).where(Account.email == email))
    if account is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
        _matches(_DUMMY_HASH, password)
        return LoginCheck(None, account_key, address_key, None)
    if not (_matches(account.password_hash, password[:MAX_PASSWORD_LENGTH]) and account.disabled_at is None):
        return LoginCheck(None, account_key, address_key, None)
    new_hash = HASHER.hash(password) if HASHER.check_needs_rehash(account.password_hash) else None
    return LoginCheck(account.id, account_key, address_key, new_hash)


def record_login(session: Session, check: LoginCheck, limits: LoginLimits, now: datetime) -> Account | None:
    """Write what ``check_login`` found: a failure (counted for throttling), or a success
    (the account's failures forgotten, an outdated hash replaced). Returns the account, or
    None when the login failed or the account was disabled meanwhile."""
    account = session.get(Account, check.account_id) if check.account_id is not None else None
    if account is None or account.disabled_at is not None:
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - limits.window))
        session.add(LoginFailure(account_key=check.account_key, address_key=check.address_key, at=now))
        return None
    if check.new_hash is not None:
        account.password_hash = check.new_hash
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == check.account_key))
    return account


def verify_login(session: Session, email: str, password: str, address: str, limits: LoginLimits,
                 now: datetime) -> Account | None:
    """``check_login`` and ``record_login`` in one (write) transaction: the account for these
    credentials, or None (the failure is recorded: commit it)."""
    return record_login(session, check_login(session, email, password, address, limits, now), limits, now)


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
