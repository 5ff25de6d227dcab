"""Settings administrators edit in the console (issue 22, point 7): the word lists, the
automatic thresholds and the site's close window.

The configuration file gives the defaults; a value set in the console is stored in
``site_settings`` and wins over the file's until an administrator resets it. ``effective``
is the one place that rule is written: the runtime builds the policies every request uses
(intake's word lists and closing policy, the scorer's thresholds, the closing sweep) from
its result, re-read from the database every few seconds so that every instance sees a
change (moderation/runtime.py).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation import signals
from moderation.audit import service as audit
from moderation.config import ConfigError, Settings
from moderation.errors import Conflict, ValidationError
from moderation.sitesettings.models import SiteSetting

# Editable settings: name -> the configuration file's section that holds the default.
EDITABLE: dict[str, str] = {
    "banned_words": "review",
    "suspect_words": "review",
    "auto_reject_above": "scoring",
    "auto_approve_below": "scoring",
    "close_after_hours": "closing",
}
# Changing these moves deadlines: the closing scheduler re-plans after the commit.
_MOVES_DEADLINES = {"close_after_hours"}


def stored(session: Session) -> dict[str, Any]:
    """The values set in the console (name -> value); a name absent here takes the file's."""
    return {row.name: json.loads(row.value) for row in session.execute(
        select(SiteSetting.name, SiteSetting.value).order_by(SiteSetting.name)) if row.name in EDITABLE}


def rows(session: Session) -> list[SiteSetting]:
    """The stored values with who set them and when (the settings page says which wins)."""
    return list(session.scalars(select(SiteSetting).order_by(SiteSetting.name)))


def effective(file_settings: Settings, values: Mapping[str, Any]) -> Settings:
    """The settings in force: the file's, with every value set in the console winning."""
    sections: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if name in EDITABLE:
            sections.setdefault(EDITABLE[name], {})[name] = value
    return file_settings.replace(**sections) if sections else file_settings


def file_default(file_settings: Settings, name: str) -> Any:
    return getattr(getattr(file_settings, EDITABLE[name]), name)


def set_value(session: Session, file_settings: Settings, name: str, value: Any, actor: str,
              now: datetime) -> bool:
    """Store a console value (validated as the configuration file's would be); audited.
    Returns whether it changed anything."""
    if name not in EDITABLE:
        raise ValidationError(details={"name": [f"Not an editable setting: {name}."]})
    current = stored(session)
    try:
        effective(file_settings, {**current, name: value})
    except ConfigError as error:
        raise ValidationError(details={name: [str(error)]}) from None
    previous = current.get(name, file_default(file_settings, name))
    row = session.get(SiteSetting, name, with_for_update=True)
    if row is not None and json.loads(row.value) == value:
        return False
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(SiteSetting(name=name, value=encoded, updated_at=now, updated_by=actor))
                session.flush()
        except IntegrityError:  # another administrator saved it first, this very moment
            raise Conflict("This setting was just changed by someone else; reload the page.",
                           details={"name": name}) from None
    else:
        row.value, row.updated_at, row.updated_by = encoded, now, actor
        session.flush()
    audit.record(session, now, actor, "setting_change", reason=name,
                 details={"name": name, "previous": previous, "value": value})
    _after_change(session, name)
    return True


def reset(session: Session, file_settings: Settings, name: str, actor: str, now: datetime) -> bool:
    """Back to the configuration file's value (the console's row goes); audited."""
    if name not in EDITABLE:
        raise ValidationError(details={"name": [f"Not an editable setting: {name}."]})
    row = session.get(SiteSetting, name, with_for_update=True)
    if row is None:
        return False
    previous = json.loads(row.value)
    session.execute(delete(SiteSetting).where(SiteSetting.name == name))
    audit.record(session, now, actor, "setting_reset", reason=name,
                 details={"name": name, "previous": previous, "value": file_default(file_settings, name)})
    _after_change(session, name)
    return True


def _after_change(session: Session, name: str) -> None:
    signals.notify_after_commit(session, signals.settings_changed)
    if name in _MOVES_DEADLINES:
        signals.notify_after_commit(session, signals.deadlines_changed)
