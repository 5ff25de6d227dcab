"""The runtime directory: where a machine's processes keep their locks and local sockets.

Whoever can create a file there can take a machine lock first (scoring and webhook delivery
then stand by forever while /readyz says ready) or serve the analyzer's socket (and read
readers' texts, answer with its own scores). The shared temp folder lets every local account
do that, so the folder must belong to the service's account and be closed to everyone else:
it is created with mode 0700, and one that is a symbolic link, belongs to another account or
is open to its group or others is refused at start.
"""
from __future__ import annotations

import hashlib
import os
import stat
from typing import Mapping

from moderation.config import ConfigError, Settings

KEY = "server.runtime_dir"
# The sockets' names ("analyzer-<digest>.sock", "webhooks-<digest>.wake") and the longest
# path a Unix socket may have on Linux (sun_path is 108 bytes, NUL included).
SOCKET_NAME = len("analyzer-") + 16 + len(".sock")
MAX_SOCKET_PATH = 107


class RuntimeDirError(ConfigError):
    """The runtime directory cannot be used safely; a configuration error, shown as one line."""


def configured_path(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """The absolute path of the runtime directory, whether it exists yet or not."""
    environ = os.environ if environ is None else environ
    if settings.server.runtime_dir:
        return os.path.abspath(settings.server.runtime_dir)
    if environ.get("XDG_RUNTIME_DIR"):
        # The login session's own folder (0700, emptied at logout or reboot): the usual home
        # of sockets and locks on systemd machines.
        return os.path.join(os.path.abspath(environ["XDG_RUNTIME_DIR"]), "moderation")
    # Beside the default SQLite database (sqlite:///instance/moderation.db).
    return os.path.abspath(os.path.join("instance", "runtime"))


def ensure(path: str) -> str:
    """``path``, created with mode 0700 if missing; RuntimeDirError if others could use it."""
    if len(os.fsencode(path)) + 1 + SOCKET_NAME > MAX_SOCKET_PATH:
        raise RuntimeDirError(f"{KEY}: {path} is too long for the Unix sockets kept there "
                              f"(at most {MAX_SOCKET_PATH - 1 - SOCKET_NAME} bytes); choose a shorter path")
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, exist_ok=True)
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise RuntimeDirError(f"{KEY}: cannot create {path}: {exc.strerror}") from None
    check(path)
    return path


def check(path: str) -> None:
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise RuntimeDirError(f"{KEY}: cannot read {path}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        # Whoever can change the link chooses where the locks and sockets go.
        raise RuntimeDirError(f"{KEY}: {path} is a symbolic link; give the real folder")
    if not stat.S_ISDIR(info.st_mode):
        raise RuntimeDirError(f"{KEY}: {path} is not a folder")
    if info.st_uid != os.geteuid():
        raise RuntimeDirError(f"{KEY}: {path} is owned by uid {info.st_uid}, not by this service's "
                              f"account (uid {os.geteuid()}); remove it or choose another folder")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise RuntimeDirError(f"{KEY}: {path} is accessible to other accounts (mode "
                              f"{stat.S_IMODE(info.st_mode):o}); make it 0700 (chmod 700 {path})")


def runtime_dir(settings: Settings) -> str:
    """The runtime directory of ``settings``, created and checked (cheap: one lstat once it exists)."""
    return ensure(configured_path(settings))


def machine_path(settings: Settings, database_url: str, name: str, suffix: str) -> str:
    """A lock or socket of this machine for one database: several services (databases) may
    share a runtime directory."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return os.path.join(runtime_dir(settings), f"{name}-{digest}{suffix}")
