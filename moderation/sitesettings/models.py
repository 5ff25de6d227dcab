from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, UTCDateTime


class SiteSetting(Base):
    """A setting an administrator changed in the console (issue 22): it wins over the
    configuration file's value until it is reset (the row deleted). ``value`` is JSON."""

    __tablename__ = "site_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(128))
