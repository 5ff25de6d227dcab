"""Request ids, access logs, Prometheus metrics and CORS: cross-cutting request hooks.

Logs carry the request id and never a comment body or an API key. Under gunicorn with
several workers, set PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker.
"""
from __future__ import annotations

import hmac
import logging
import os
import re
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from moderation import logs
from moderation.errors import Unauthorized
from moderation.metrics import LATENCY, REQUESTS
from moderation.ops.stats import DatabaseStats
from moderation.runtime import Runtime

log = logging.getLogger("moderation.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class QueueCollector:
    """Gauges from the database, the same whichever process answers; read through the
    DatabaseStats cache, so a scrape costs no query while the last reading is recent."""

    def __init__(self, runtime: Runtime, stats: DatabaseStats) -> None:
        self.runtime = runtime
        self.stats = stats

    def collect(self):
        snapshot = self.stats.get()
        # Always there, unlike the figures below: "database unavailable" alerts on its 0.
        up = GaugeMetricFamily("moderation_database_up",
                               "1 when the last reading of the database figures succeeded, else 0")
        up.add_metric([], 0 if snapshot is None else 1)
        yield up
        if snapshot is None:  # the database may be down: /metrics still answers with the rest
            return
        waiting = GaugeMetricFamily("moderation_comments_waiting", "Comments waiting for a moderator")
        waiting.add_metric([], snapshot.waiting)
        yield waiting
        waiting_age = GaugeMetricFamily("moderation_queue_oldest_waiting_age_seconds",
                                        "How long the oldest comment waiting for a moderator has waited (0 when none)")
        waiting_age.add_metric([], snapshot.oldest_waiting_age_seconds(self.runtime.now()))
        yield waiting_age
        unscored = GaugeMetricFamily("moderation_comments_unscored",
                                     "Comments the scorer has yet to score (its backlog)")
        unscored.add_metric([], snapshot.unscored)
        yield unscored
        oldest = GaugeMetricFamily("moderation_scoring_oldest_unscored_age_seconds",
                                   "Age of the oldest comment in the scoring backlog (0 when empty)")
        oldest.add_metric([], snapshot.oldest_unscored_age_seconds(self.runtime.now()))
        yield oldest
        failed = GaugeMetricFamily("moderation_comments_scoring_failed",
                                   "Comments the scorer gave up on; they wait for an admin's retry")
        failed.add_metric([], snapshot.scoring_failed)
        yield failed
        locked = GaugeMetricFamily("moderation_threads_locked", "Threads locked, automatically or by hand",
                                   labels=["reason"])
        for reason, count in sorted(snapshot.locked.items()):
            locked.add_metric([reason], count)
        yield locked
        age = GaugeMetricFamily("moderation_database_figures_age_seconds",
                                "Age of the reading behind the database gauges above")
        age.add_metric([], max(0.0, (self.runtime.now() - snapshot.read_at).total_seconds()))
        yield age


class QuietHoursCollector:
    """Whether quiet hours pause posting now, and when that changes: from the schedule and
    the clock, like intake's decision, so the same in every process and without a query."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self):
        try:
            # The effective settings are read from the database (site settings): when it is
            # down /metrics must still answer, with moderation_database_up 0 for the alert.
            quiet, now = self.runtime.policy.quiet, self.runtime.now()
        except Exception:
            return
        paused = GaugeMetricFamily("moderation_quiet_hours_paused",
                                   "1 while the site's quiet hours pause posting (exempt threads excepted), else 0")
        paused.add_metric([], 0 if quiet is None or quiet.pause_at(now) is None else 1)
        yield paused
        if quiet is not None:
            change = GaugeMetricFamily("moderation_quiet_hours_next_change_timestamp_seconds",
                                       "When quiet hours next begin or end (Unix time)")
            change.add_metric([], quiet.next_change(now).timestamp())
            yield change


# Label values come from closed sets, so that requests with invented methods or paths cannot
# add time series without bound: these methods or "other"; the matched route's template or
# "unmatched"; the status code.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "other"


def install_request_hooks(app: Flask, runtime: Runtime) -> None:
    origins = set(runtime.settings.api.cors_origins)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    stats = DatabaseStats(runtime.db, runtime.now, runtime.settings.metrics.refresh_seconds)
    app.extensions["moderation.stats"] = stats  # /readyz shows the same figures
    database_registry = CollectorRegistry()
    database_registry.register(QueueCollector(runtime, stats))
    database_registry.register(QuietHoursCollector(runtime))
    token = runtime.settings.metrics.token.encode()
    if runtime.settings.webhooks.enabled:
        from moderation.webhooks.status import WebhookCollector

        database_registry.register(WebhookCollector(runtime))

    @app.before_request
    def start() -> Response | None:
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-Id", "")
        # 32 random hex digits, without building a UUID object on every request.
        g.request_id = given if _REQUEST_ID.match(given) else os.urandom(16).hex()
        g.request_id_token = logs.request_id.set(g.request_id)
        if request.method == "OPTIONS" and origins:
            return _preflight(origins)
        return None

    @app.after_request
    def finish(response: Response) -> Response:
        route = _template(request.url_rule.rule) if request.url_rule is not None else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        method = method_label(request.method)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        response.headers["X-Request-Id"] = g.get("request_id", "")
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        if response.status_code >= 500 or log.isEnabledFor(logging.DEBUG):
            log.log(logging.WARNING if response.status_code >= 500 else logging.DEBUG,
                    "%s %s %s %.1fms", method, route, response.status_code, elapsed * 1000)
        return response

    @app.teardown_request
    def forget_request_id(_error: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                logs.request_id.reset(token)
            except ValueError:  # set in another context: it ends with that context anyway
                logs.request_id.set(None)

    @app.get("/metrics")
    def metrics() -> Response:
        if token:  # [metrics] token: only the monitoring system may read
            scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token):
                raise Unauthorized("A metrics token is required (Authorization: Bearer <token>).")
        body = generate_latest(registry) + generate_latest(database_registry)
        return Response(body, mimetype=CONTENT_TYPE_LATEST)


_CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def _template(rule: str) -> str:
    """A route as the OpenAPI document writes it: /api/v1/articles/{article_id}."""
    return _CONVERTER.sub(r"{\1}", rule)


def _preflight(origins: set[str]) -> Response:
    origin = request.headers.get("Origin", "")
    response = Response(status=204)
    if origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
    return response
