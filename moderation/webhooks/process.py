"""The delivery worker of `moderation serve` and gunicorn, in a process of its own.

A delivery thread inside a serving process shares that process's interpreter lock with the
request threads: every event it signs and sends is time during which requests wait, and a
lower priority does not help (a thread that the kernel preempts keeps the lock). So the
serving processes of a machine elect one of them (a machine lock) to start
`moderation webhooks worker` as a child, restart it if it dies, and stop it with them; the
others stand by and take over if the holder goes. In the child, only the sending threads
run at [webhooks] niceness (see worker.py).

Commits wake the child at once: every serving process sends a datagram to a local socket
that the child listens on (``wake_path``); it also polls, so a lost datagram only delays.
"""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from moderation.leader import LockRefused, MachineLock
from moderation.rundir import machine_path
from moderation.runtime import Runtime

log = logging.getLogger(__name__)

# Set in the child's environment: it binds the wake socket and exits when its parent does.
PARENT_ENV = "MODERATION_WEBHOOKS_PARENT_PID"
RESTART_MAX_SECONDS = 60.0


def wake_path(runtime: Runtime) -> str:
    """The child's wake socket: beside the machine lock, one per database."""
    return machine_path(runtime.settings, str(runtime.db.engine.url), "webhooks", ".wake")


class Waker:
    """Sends wake-ups to the machine's delivery process (never blocks, never fails a commit)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def wake(self) -> None:
        try:
            self._socket.sendto(b"!", self.path)
        except OSError:  # no child yet, or its queue is full: it polls anyway
            pass


def listen_for_wakes(path: str, wake) -> socket.socket:
    """In the child: call ``wake()`` for every datagram sent to ``path`` (a daemon thread)."""
    try:
        os.unlink(path)  # left by a child that was killed
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)

    def receive() -> None:
        while True:
            try:
                listener.recv(64)
            except OSError:
                return
            wake()

    threading.Thread(target=receive, name="webhook-wakes", daemon=True).start()
    return listener


def watch_parent(parent: int, stop) -> None:
    """In the child: stop when the serving process that started it is gone."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        log.info("the serving process that started this delivery worker is gone; stopping")
        stop()

    threading.Thread(target=watch, name="webhook-parent", daemon=True).start()


class DeliveryProcess:
    """In each serving process: wakes the machine's delivery process after commits, and in
    the one holding the machine lock, runs and supervises it."""

    def __init__(self, runtime: Runtime, command: list[str] | None = None) -> None:
        self.runtime = runtime
        self.command = command or [sys.executable, "-m", "moderation.cli", "webhooks", "worker"]
        self.state = "starting"
        self.restarts = 0
        self.child: subprocess.Popen | None = None
        self._waker = Waker(wake_path(runtime))
        self._lock = MachineLock.for_runtime(runtime, "webhooks-process")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.runtime.webhooks = self
        self._thread = threading.Thread(target=self._run, name="webhook-process", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait + 5)

    def wake(self) -> None:
        self._waker.wake()

    def status(self) -> dict[str, Any]:
        from moderation.webhooks.status import backlog

        return {"ok": self.state in ("running", "standby"), "state": self.state,
                "pid": self.child.pid if self.child is not None and self.state == "running" else None,
                "restarts": self.restarts, **backlog(self.runtime)}

    def _run(self) -> None:
        delay = 1.0
        refused = None
        while not self._stop.is_set():
            try:
                held = self._lock.try_acquire()
            except LockRefused as exc:
                # Not "standby": /readyz must not call ready a machine where nobody delivers.
                self.state = "error"
                if str(exc) != refused:
                    log.error("cannot take the webhook delivery lock: %s", exc)
                    refused = str(exc)
                self._stop.wait(5)
                continue
            if not held:
                self.state = "standby"  # another serving process of this machine runs it
                self._stop.wait(5)
                continue
            started = time.monotonic()
            try:
                self.child = subprocess.Popen(self.command, env={**os.environ, PARENT_ENV: str(os.getpid())})
            except OSError as exc:
                self.state = "error"
                log.error("cannot start the webhook delivery process: %s", type(exc).__name__)
            else:
                self.state = "running"
                while self.child.poll() is None and not self._stop.wait(0.5):
                    pass
                if self._stop.is_set():
                    self._terminate()
                    break
                self.state = "restarting"
                self.restarts += 1
                log.warning("the webhook delivery process ended (exit status %s); restarting it",
                            self.child.returncode)
            # Back off while it keeps failing at once; a long run resets the delay.
            delay = 1.0 if time.monotonic() - started > RESTART_MAX_SECONDS else min(delay * 2, RESTART_MAX_SECONDS)
            self._stop.wait(delay)
        self.state = "stopped"
        self._lock.release()

    def _terminate(self) -> None:
        child = self.child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)
