"""Downloading Detoxify's weights once, with progress, bounded timeouts and a checksum.

Detoxify would fetch its checkpoint (about 1 GB for ``multilingual``) through torch hub,
which has no timeouts (a server that stops answering hangs it for ever) and shows progress
only on a terminal. Here the file is streamed with a connect timeout and a read timeout (no
byte for that long is a failure), progress is kept for /readyz and shown on stderr (a bar
on a terminal, a log line every few seconds otherwise), the SHA-256 prefix that torch hub
names carry (``…-0b549669.ckpt``) is checked, and the file appears in the torch hub cache
only once complete, under the name Detoxify itself would use.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# torch hub's convention (torch.hub.HASH_REGEX): "name-<first hex digits of the SHA-256>.ext".
HASH_PREFIX = re.compile(r"-([a-f0-9]{6,})\.")
CHUNK = 1 << 16  # progress moves every 64 KiB
LOG_EVERY_SECONDS = 10.0


class DownloadError(Exception):
    """The file could not be downloaded; the message says why in one line."""


@dataclass
class DownloadProgress:
    """How far a download is, readable from other threads (/readyz)."""

    url: str
    total: int | None = None
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.url = public_url(self.url)  # shown on /readyz

    def snapshot(self) -> dict:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        speed = self.done / elapsed
        eta = (self.total - self.done) / speed if self.total and speed > 0 else None
        return {"url": self.url, "bytes": self.done, "total_bytes": self.total,
                "percent": round(100 * self.done / self.total, 1) if self.total else None,
                "bytes_per_second": round(speed), "seconds_left": round(eta) if eta is not None else None}


def public_url(url: str) -> str:
    """What of ``url`` may be logged and shown on /readyz: no user, password, query or
    fragment (a mirror's URL may carry credentials or a signed token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme and host else "(the configured URL)"


def _mb(count: float) -> str:
    return f"{count / 1e6:,.1f} MB"


class _Display:
    """A tqdm bar on a terminal (size, speed, time left); otherwise a log line now and then."""

    def __init__(self, progress: DownloadProgress, name: str, show: bool) -> None:
        self.progress, self.name = progress, name
        self.bar = None
        self.last_log = time.monotonic()
        if show and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=progress.total, unit="B", unit_scale=True, unit_divisor=1024,
                            desc=f"downloading {name}", file=sys.stderr, mininterval=0.5)

    def update(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)
        elif time.monotonic() - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = time.monotonic()
            state = self.progress.snapshot()
            of_total = f" of {_mb(state['total_bytes'])} ({state['percent']}%)" if state["total_bytes"] else ""
            left = f", about {state['seconds_left']} s left" if state["seconds_left"] is not None else ""
            log.info("downloading %s: %s%s, %s/s%s", self.name, _mb(state["bytes"]), of_total,
                     _mb(state["bytes_per_second"]), left)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def download(url: str, destination: Path, *, connect_timeout: float, read_timeout: float,
             progress: DownloadProgress | None = None, show: bool = True,
             stop: threading.Event | None = None) -> Path:
    """Stream ``url`` to ``destination`` (atomically); DownloadError with a one-line reason."""
    import requests

    shown = public_url(url)
    progress = progress or DownloadProgress(shown)
    host = urlsplit(shown).netloc or shown
    destination.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two processes downloading at once never write the same file.
    partial = destination.with_name(f"{destination.name}.{uuid.uuid4().hex[:8]}.part")
    display = None
    try:
        with requests.get(url, stream=True, timeout=(connect_timeout, read_timeout),
                          headers={"User-Agent": "moderation (comment moderation service)"}) as response:
            if response.status_code != 200:
                raise DownloadError(f"{shown} answered HTTP {response.status_code}")
            length = response.headers.get("Content-Length")
            progress.total = int(length) if length and length.isdigit() else None
            # Said once the server answers: a machine without network only logs why it waits.
            log.info("downloading %s (%s) from %s, once; comments wait unscored meanwhile", destination.name,
                     _mb(progress.total) if progress.total else "size unknown", shown)
            display = _Display(progress, destination.name, show)
            digest = hashlib.sha256()
            with open(partial, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    if stop is not None and stop.is_set():
                        raise DownloadError("download stopped: the service is shutting down")
                    out.write(chunk)
                    digest.update(chunk)
                    progress.done += len(chunk)
                    display.update(len(chunk))
                out.flush()
                os.fsync(out.fileno())
        if progress.total is not None and progress.done != progress.total:
            raise DownloadError(f"{shown}: the connection ended after {progress.done} of {progress.total} bytes")
        expected = HASH_PREFIX.search(destination.name)
        if expected and not digest.hexdigest().startswith(expected.group(1)):
            raise DownloadError(f"{shown}: the file's SHA-256 does not start with {expected.group(1)} as its name says")
        os.replace(partial, destination)
        return destination
    except requests.ConnectTimeout:
        raise DownloadError(f"cannot connect to {host} within {connect_timeout:g} s") from None
    except requests.Timeout:
        raise DownloadError(f"no answer from {host} within {read_timeout:g} s") from None
    except requests.ConnectionError as exc:
        if "timed out" in str(exc).lower():  # a read timeout in the middle of the body
            raise DownloadError(f"no data from {host} for {read_timeout:g} s") from None
        raise DownloadError(f"cannot reach {host}: {_reason(exc, url)}") from None
    except requests.RequestException as exc:
        raise DownloadError(f"cannot download {shown}: {_reason(exc, url)}") from None
    except OSError as exc:  # the cache folder: full disk, no permission
        raise DownloadError(f"cannot write {partial}: {exc.strerror or type(exc).__name__}") from None
    finally:
        if display is not None:
            display.close()
        partial.unlink(missing_ok=True)


def _reason(exc: Exception, url: str) -> str:
    """The innermost cause's class and message, first line, short (urllib3 nests them),
    without the URL's query (urllib3 quotes the path and query it asked for)."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner).splitlines()[0] if str(inner) else ""
    text = re.sub(r"<[^>]*>: ", "", text)  # urllib3's "<HTTPConnection object at 0x…>: " prefix
    parts = urlsplit(url)
    for secret in (parts.query, parts.fragment, parts.username, parts.password):
        if secret:
            text = text.replace(secret, "…")
    return f"{type(inner).__name__}: {text}"[:200] if text else type(inner).__name__
