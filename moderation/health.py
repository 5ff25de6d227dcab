"""Liveness and readiness, outside /api/v1 so that load balancers need no key."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from moderation import migrate
from moderation.clock import utc_iso
from moderation.web import runtime
from moderation.webhooks.status import webhooks_check

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process serves requests."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to take traffic: database reachable and migrated; scheduler and scorer states."""
    rt = runtime()
    checks: dict = {}
    ready = True
    try:
        # Reading the schema's revision is the round trip that shows the database answers.
        current = migrate.current_revision(rt.db.engine)
        checks["database"] = {"ok": True}
        head = migrate.head_revision()
        at_head = current == head
        checks["migrations"] = {"ok": at_head, "head": head}
        ready &= at_head
    except Exception as exc:  # any failure to reach the database means "not ready"
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        ready = False
    if rt.scheduler is not None:
        checks["scheduler"] = rt.scheduler.status()
    if rt.scoring is not None:
        checks["scorer"] = rt.scoring.status()
    stats = current_app.extensions.get("moderation.stats")
    snapshot = stats.get() if stats is not None and checks["database"]["ok"] else None
    if snapshot is not None:
        # A scorer falling behind shows here whichever process scores (figures at most
        # [metrics] refresh_seconds old, the same as /metrics).
        checks["backlog"] = {"unscored": snapshot.unscored,
                             "oldest_unscored_age_seconds": round(snapshot.oldest_unscored_age_seconds(rt.now()), 1),
                             "scoring_failed": snapshot.scoring_failed, "as_of": utc_iso(snapshot.read_at)}
    if rt.settings.webhooks.enabled:
        checks["webhooks"] = webhooks_check(rt)
    response = jsonify(ready=ready, checks=checks)
    response.status_code = 200 if ready else 503
    return response
