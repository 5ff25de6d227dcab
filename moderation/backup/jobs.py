"""The daily backup as a plain function: the closing scheduler runs it on the leader at [backup] hour."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from moderation.backup import service
from moderation.runtime import Runtime


def daily(runtime: Runtime, now: datetime | None = None) -> tuple[Path, list[Path]]:
    """One backup into [backup] directory, keeping the [backup] keep newest."""
    settings = runtime.settings.backup
    return service.daily(runtime.settings.database.url, settings.directory, settings.keep, now or runtime.now())
