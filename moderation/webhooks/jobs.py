"""Plain jobs over the webhook tables, called by the delivery workers and the leader's scheduler."""
from __future__ import annotations

from datetime import timedelta

from moderation.runtime import Runtime
from moderation.webhooks import service

# Each transaction deletes at most one batch; a run stops after this many, the rest goes next time.
MAX_BATCHES = 20


def prune(runtime: Runtime) -> int:
    """Delete what is older than ``[webhooks] keep_days``: delivered and given-up deliveries
    with their attempts, and outbox events already fanned out (every old event when webhooks
    are off). Returns how many rows went."""
    settings = runtime.settings.webhooks
    before = runtime.now() - timedelta(days=settings.keep_days)
    total = 0
    for step in (lambda session: service.prune(session, before),
                 lambda session: service.prune_outbox(session, before, webhooks_enabled=settings.enabled)):
        for _ in range(MAX_BATCHES):
            with runtime.db.transaction() as session:
                deleted = step(session)
            total += deleted
            if not deleted:
                break
    return total
