"""The nightly training as a plain function: the scheduler (leader only), the CLI and tests call it."""
from __future__ import annotations

from datetime import datetime

from moderation.audit.service import AUTO
from moderation.house import service
from moderation.runtime import Runtime


def train(runtime: Runtime, who: str = AUTO, now: datetime | None = None) -> service.TrainingOutcome:
    """Train a new house model; it becomes current only if it beats the current one.

    Reading and recording are two short transactions; the fit runs between them, holding no
    lock (on SQLite a write transaction open during the fit would stop intake).
    """
    settings = runtime.settings.house
    with runtime.db.transaction(write=False) as session:
        prepared = service.prepare_training(session, holdout_fraction=settings.holdout_fraction,
                                            min_labels=settings.min_labels)
    if isinstance(prepared, service.TrainingOutcome):
        return prepared
    trained = service.fit_and_evaluate(prepared)
    with runtime.db.transaction() as session:
        return service.record_training(session, now or runtime.now(), who, prepared, trained)
