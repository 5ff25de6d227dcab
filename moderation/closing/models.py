from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, UTCDateTime


class QuietHoursState(Base):
    """What the site last heard of quiet hours: one row (id 1).

    Quiet hours pause every thread at once, so the site hears of it once per boundary
    (thread.paused, thread.resumed), not once per article. The process that changes
    ``paused`` here announces the change, in the same transaction: a boundary is announced
    once however many processes look at it.
    """

    __tablename__ = "quiet_hours_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    paused: Mapped[bool] = mapped_column(Boolean)
    # The boundary last announced: when the pause began, or when it ended.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
