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
    """API keys for the frontend, moderators and admins."""


@keys.command("create")
@click.option("--role", type=click.Choice(["frontend", "moderator", "admin"]), required=True)
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
def scoring() -> None:
    """Comments the scorer could not score (issue 11)."""


@scoring.command("failures")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@friendly
def scoring_failures(limit: int) -> None:
    """List the comments marked failed to score: id, article, attempts, error class, when."""
    from moderation.scoring import service

    runtime = _runtime()
    with runtime.db.transaction(write=False) as session:
        failed = service.failed_comments(session, limit)
    for comment in failed:
        state = service.scoring_state(comment)
        click.echo(f"{comment.id}\t{comment.article_id}\t{state.attempts} attempts\t{state.error}\t"
                   f"failed {state.failed_at.isoformat() if state.failed_at else '-'}")
    click.echo(f"{len(failed)} comment(s) failed to score", err=True)


@scoring.command("retry")
@click.argument("comment_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@click.option("--all-failed", is_flag=True, help="Every comment marked failed to score.")
@friendly
def scoring_retry(comment_ids: tuple[int, ...], all_failed: bool) -> None:
    """Put comments back into the scoring backlog with a fresh count of attempts."""
    import getpass

    from moderation.scoring import service

    if bool(comment_ids) == all_failed:
        raise click.UsageError("give comment ids or --all-failed (not both)")
    runtime = _runtime()
    actor = f"cli:{getpass.getuser()}"
    retried = 0
    with runtime.db.transaction() as session:
        ids = list(comment_ids) or [c.id for c in service.failed_comments(session, limit=1_000_000)]
        for comment_id in ids:
            service.retry(session, comment_id, actor, runtime.now())
            retried += 1
    click.echo(f"{retried} comment(s) back in the scoring backlog")


@main.group()
def model() -> None:
    """The toxicity model."""


@model.command("download")
@friendly
def model_download() -> None:
    """Fetch the configured Detoxify weights and tokenizer (needs network)."""
    from moderation.scoring.detoxify_scorer import download_model
    from moderation.scoring.download import DownloadError

    try:
        click.echo(download_model(_settings().scoring))
    except (DownloadError, OSError) as exc:
        click.echo(f"moderation: {exc}", err=True)
        sys.exit(1)


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
    click.echo(f"{scorer.name}: {sentence!r} -> {scorer.score([sentence])[0]}")


if __name__ == "__main__":  # pragma: no cover
    main()
