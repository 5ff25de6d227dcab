"""People who use the moderators' console: accounts, their console sessions, failed logins.

API keys (auth/) remain for programs; accounts are for people. Passwords are stored as
Argon2id hashes only.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

ACCOUNT_ROLES = ("moderator", "admin")


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Set for a password the CLI generated: the person picks their own at the next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))  # None: the browser's Accept-Language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def actor(self) -> str:
        """How the audit log (and comments' decided_by) names this person."""
        return actor_for(self.email)

    def may(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


def actor_for(email: str) -> str:
    return f"user:{email}"


class ConsoleSession(Base):
    """A logged-in browser. Only the SHA-256 of the session token is stored; logging out,
    disabling the account or resetting its password deletes the row, which ends the session."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """One failed login, kept for the throttling window. Keyed by digests: no addresses or
    e-mail addresses are stored for this."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_key: Mapped[str] = mapped_column(String(64))
    address_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_login_failures_account", "account_key", "at"),
        Index("ix_login_failures_address", "address_key", "at"),
    )


class ConsoleSecret(Base):
    """The console's cookie signing key when [console] secret_key is empty: generated once,
    shared by every process through the database."""

    __tablename__ = "console_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
