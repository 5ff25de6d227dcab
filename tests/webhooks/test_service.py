"""The delivery bookkeeping on its own: claims and what recording a run changes."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from moderation.webhooks import service
from moderation.webhooks.models import WebhookAttempt, WebhookDelivery


def test_a_run_deferred_whole_is_released_untried(runtime):
    """A run that the lease's end left untried has nothing to write but its release: it must
    not fail the pass's transaction, which holds the other runs' results."""
    with runtime.db.transaction() as session:
        endpoint, _ = service.create_endpoint(session, "http://127.0.0.1:9/hooks", ["thread.locked"], None, "test",
                                              runtime.now(), True)
        service.send_test(session, endpoint.id, "test", runtime.now())
    with runtime.db.transaction() as session:
        claimed = service.claim_due(session, "worker-1", runtime.now(), 10, timedelta(seconds=30))
    assert len(claimed) == 1
    with runtime.db.transaction() as session:
        service.record(session, "worker-1", [], claimed, runtime.now(), runtime.settings.webhooks)
    with runtime.db.transaction(write=False) as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert session.scalar(select(func.count()).select_from(WebhookAttempt)) == 0
        assert delivery.state == "pending" and delivery.claimed_by is None and delivery.attempts == 0
        assert service.has_due(session, runtime.now())
