"""Request ids, access logs, Prometheus metrics and CORS: cross-cutting request hooks.

Logs carry the request id and never a comment body or an API key. Under gunicorn with
several workers, set PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every worker.
"""
from __future__ import annotations

import logging
import os
import re
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from moderation.metrics import LATENCY, REQUESTS
from moderation.runtime import Runtime

log = logging.getLogger("moderation.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class QueueCollector:
    """Gauges read from the database at scrape time: they are the same whichever process answers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self):
        from moderation.articles.models import Article
        from moderation.comments.models import Comment

        waiting = GaugeMetricFamily("moderation_comments_waiting", "Comments waiting for a moderator")
        unscored = GaugeMetricFamily("moderation_comments_unscored", "Comments not scored yet (backlog)")
        locked = GaugeMetricFamily("moderation_threads_locked", "Threads locked, automatically or by hand",
                                   labels=["reason"])
        try:
            with self.runtime.db.transaction(write=False) as session:
                waiting.add_metric([], session.scalar(
                    select(func.count()).select_from(Comment).where(Comment.awaiting_review == True)))  # noqa: E712
                unscored.add_metric([], session.scalar(
                    select(func.count()).select_from(Comment).where(Comment.scored_at.is_(None))))
                for reason, count in session.execute(select(Article.lock_reason, func.count())
                                                     .where(Article.locked_at.is_not(None))
                                                     .group_by(Article.lock_reason)):
                    locked.add_metric([reason or "unknown"], count)
        except Exception:  # the database may be down: /metrics still answers with the rest
            log.warning("metrics: database unavailable")
            return
        yield waiting
        yield unscored
        yield locked


def install_request_hooks(app: Flask, runtime: Runtime) -> None:
    origins = set(runtime.settings.api.cors_origins)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    database_registry = CollectorRegistry()
    database_registry.register(QueueCollector(runtime))
    if runtime.settings.webhooks.enabled:
        from moderation.webhooks.status import WebhookCollector

        database_registry.register(WebhookCollector(runtime))

    @app.before_request
    def start() -> Response | None:
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-Id", "")
        # 32 random hex digits, without building a UUID object on every request.
        g.request_id = given if _REQUEST_ID.match(given) else os.urandom(16).hex()
        if request.method == "OPTIONS" and origins:
            return _preflight(origins)
        return None

    @app.after_request
    def finish(response: Response) -> Response:
        route = _template(request.url_rule.rule) if request.url_rule is not None else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        response.headers["X-Request-Id"] = g.get("request_id", "")
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        if response.status_code >= 500 or log.isEnabledFor(logging.DEBUG):
            log.log(logging.WARNING if response.status_code >= 500 else logging.DEBUG,
                    "%s %s %s %.1fms", request.method, route, response.status_code, elapsed * 1000)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
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
