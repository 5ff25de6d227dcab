"""The nightly training as a plain function: the scheduler (leader only), the CLI and tests call it."""
from __future__ import annotations

from datetime import datetime

from moderation.audit.service import AUTO
from moderation.house import service
from moderation.runtime import Runtime


def train(runtime: Runtime, who: str = AUTO, now: datetime | None = None) -> service.TrainingOutcome:
    """Train a new house model in one transaction; it becomes current only if it beats the current one."""
    settings = runtime.settings.house
    with runtime.db.transaction() as session:
        return service.train_and_maybe_promote(session, now or runtime.now(), who,
                                               holdout_fraction=settings.holdout_fraction,
                                               min_labels=settings.min_labels)
