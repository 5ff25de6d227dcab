"""Webhook delivery as /readyz and /metrics show it: backlog, failures, disabled endpoints."""
from __future__ import annotations

import logging
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from moderation.runtime import Runtime
from moderation.webhooks import service

log = logging.getLogger(__name__)


def backlog(runtime: Runtime) -> dict[str, Any]:
    """Pending and failed deliveries, failing and disabled endpoints (empty if unreadable:
    the database check of /readyz reports the outage itself)."""
    try:
        with runtime.db.transaction(write=False) as session:
            found = service.stats(session)
    except Exception:
        return {}
    return {"pending": found.pending, "failed": found.failed, "failing_endpoints": found.failing_endpoints,
            "disabled_endpoints": found.endpoints["disabled"]}


def webhooks_check(runtime: Runtime) -> dict[str, Any]:
    """The /readyz entry. A backlog never makes the service unready (receivers are not ours);
    ``ok`` says whether this process's delivery worker runs."""
    if runtime.webhooks is not None:
        return runtime.webhooks.status()
    found = backlog(runtime)
    if not found:
        return {"ok": False, "state": "unknown"}
    return {"ok": True, "state": "no worker in this process", **found}


class WebhookCollector:
    """Gauges read from the database at scrape time (the same whichever process answers)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self):
        pending = GaugeMetricFamily("moderation_webhook_deliveries_pending",
                                    "Webhook deliveries waiting to be delivered (backlog)")
        failed = GaugeMetricFamily("moderation_webhook_deliveries_failed",
                                   "Webhook deliveries given up after the retry window (redeliver them by hand)")
        oldest = GaugeMetricFamily("moderation_webhook_oldest_pending_timestamp_seconds",
                                   "When the oldest waiting delivery was created (Unix time; absent when none)")
        undispatched = GaugeMetricFamily("moderation_webhook_events_undispatched",
                                         "Outbox events not yet turned into deliveries")
        endpoints = GaugeMetricFamily("moderation_webhook_endpoints", "Webhook endpoints by state",
                                      labels=["state"])
        try:
            with self.runtime.db.transaction(write=False) as session:
                found = service.stats(session)
        except Exception:  # the database may be down: /metrics still answers with the rest
            log.warning("metrics: database unavailable")
            return
        pending.add_metric([], found.pending)
        failed.add_metric([], found.failed)
        undispatched.add_metric([], found.undispatched_events)
        for state, count in found.endpoints.items():
            endpoints.add_metric([state], count)
        endpoints.add_metric(["failing"], found.failing_endpoints)
        yield pending
        yield failed
        yield undispatched
        yield endpoints
        if found.oldest_pending_at is not None:
            oldest.add_metric([], found.oldest_pending_at.timestamp())
            yield oldest
