"""The `moderation` command: migrations, API keys, serving, jobs and the model."""
from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

from moderation.config import ConfigError, Settings, load_settings
from moderation.errors import ApiError


def _settings() -> Settings:
    return load_settings()


def friendly(command: Callable) -> Callable:
    """Configuration and domain errors end the command with one line, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"moderation: invalid configuration: {exc}", err=True)
            sys.exit(2)
        except ApiError as exc:
            click.echo(f"moderation: {exc.message}", err=True)
            sys.exit(1)

    return wrapper


def _runtime():
    from moderation.runtime import Runtime

    return Runtime(_settings())


@click.group()
@click.option("--log-level", default="INFO", show_default=True)
def main(log_level: str) -> None:
    """Comment moderation service."""
    from moderation.logs import configure_logging

    configure_logging(log_level)


# --- database --------------------------------------------------------------------------

@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Apply every pending migration."""
    from moderation import migrate

    runtime = _runtime()
    migrate.upgrade(runtime.db.engine)
    click.echo(f"database at revision {migrate.current_revision(runtime.db.engine)}")


# --- keys ------------------------------------------------------------------------------

@main.group()
def keys() -> None:
    """API keys for the frontend, moderators, admins and analyzer clients (Perspective-compatible)."""


@keys.command("create")
@click.option("--role", type=click.Choice(["frontend", "moderator", "admin", "analyzer"]), required=True)
@click.option("--name", required=True, help="Who holds the key; the actor name in the audit log.")
@friendly
def keys_create(role: str, name: str) -> None:
    """Create a key; it is printed once, alone on the last line."""
    from moderation.auth import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        key = service.create_key(session, name, role, runtime.now())
    click.echo(f"created {role} key {name!r}; store it now, it cannot be shown again:")
    click.echo(key)


@keys.command("list")
@friendly
def keys_list() -> None:
    """Names, roles and state of every key (never the keys themselves)."""
    from moderation.auth import service

    runtime = _runtime()
    with runtime.db.transaction(write=False) as session:
        for key in service.list_keys(session):
            state = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
            click.echo(f"{key.name}\t{key.role}\t{state}\tcreated {key.created_at.isoformat()}")


@keys.command("revoke")
@click.argument("name")
@friendly
def keys_revoke(name: str) -> None:
    """Revoke a key by name."""
    from moderation.auth import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        service.revoke_key(session, name, runtime.now())
    click.echo(f"revoked {name!r}")


# --- serving and jobs ------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@friendly
def serve(host: str, port: int, threads: int) -> None:
    """Migrate if needed and serve the API with the scheduler and scorer in this one process."""
    from moderation import migrate
    from moderation.server import serve_embedded

    settings = _settings()
    runtime = _runtime()
    migrate.upgrade(runtime.db.engine)
    runtime.db.dispose()
    serve_embedded(settings, host, port, threads)


@main.group()
def closing() -> None:
    """The closing job."""


@closing.command("run-once")
@friendly
def closing_run_once() -> None:
    """Lock every thread whose deadline has passed, then exit."""
    from moderation.closing.jobs import sweep

    runtime = _runtime()
    locked = sweep(runtime)
    click.echo(f"locked {len(locked)} thread(s)")


@main.command()
@friendly
def scheduler() -> None:
    """Run only the closing scheduler (a dedicated process; others take over if it dies)."""
    from moderation.closing.scheduler import run_forever

    run_forever(_runtime())


@main.command()
@friendly
def worker() -> None:
    """Run only a scoring worker (scale-out; several may run on several machines)."""
    from moderation.scoring.worker import run_forever

    run_forever(_runtime())


@main.group()
def model() -> None:
    """The toxicity model."""


@model.command("download")
@friendly
def model_download() -> None:
    """Fetch the configured Detoxify weights and tokenizer (needs network)."""
    from moderation.scoring.detoxify_scorer import download

    click.echo(download(_settings().scoring))


@model.command("check")
@friendly
def model_check() -> None:
    """Load the configured model and score one sentence."""
    from moderation.scoring.scorer import build_scorer

    scorer = build_scorer(_settings().scoring)
    try:
        scorer.load()
    except Exception as exc:
        click.echo(f"moderation: the model cannot load: {exc}", err=True)
        sys.exit(1)
    sentence = "Merci pour cet article, très intéressant."
    models = getattr(scorer, "scorers", {"*": scorer})  # a model per language ([scoring.models])
    for language, one in models.items():
        prefix = "" if len(models) == 1 else f"{language}: "
        click.echo(f"{prefix}{one.name}: {sentence!r} -> {one.score([sentence])[0]}")


@model.command("report")
@click.option("--since", default=None, help="Only labels from this time on (RFC 3339, e.g. 2026-11-01T00:00:00Z).")
@click.option("--language", default=None, help="Only comments in this language (ISO 639-1).")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON (as GET /api/v1/admin/model-report).")
@friendly
def model_report(since: str | None, language: str | None, as_json: bool) -> None:
    """How well the model agrees with the moderators: AUC, average precision and thresholds per model and language."""
    from moderation.labels.report_text import parse_since, render
    from moderation.labels.schemas import ModelReportOut
    from moderation.labels.service import report

    runtime = _runtime()
    with runtime.db.transaction(write=False) as session:
        result = report(session, since=parse_since(since), language=language)
    if as_json:
        import json

        click.echo(json.dumps(ModelReportOut().dump(result), indent=2, ensure_ascii=False))
    else:
        click.echo(render(result))


if __name__ == "__main__":  # pragma: no cover
    main()
