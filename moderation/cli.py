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
            details = "".join(f" {field}: {' '.join(map(str, problems))}" for field, problems in exc.details.items()
                              if isinstance(problems, list))
            click.echo(f"moderation: {exc.message}{details}", err=True)
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


def _backup_errors(command: Callable) -> Callable:
    """A refused or failed backup, verify or restore ends with its one line and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from moderation.backup.service import BackupError

        try:
            return command(*args, **kwargs)
        except BackupError as exc:
            click.echo(f"moderation: {exc}", err=True)
            sys.exit(1)

    return wrapper


@db.command("backup")
@click.argument("path", type=click.Path(file_okay=False))
@friendly
@_backup_errors
def db_backup(path: str) -> None:
    """A consistent copy of the database into the new directory PATH, while the service runs."""
    from moderation.backup import service
    from moderation.clock import SystemClock

    settings = _settings()
    manifest = service.backup(settings.database.url, path, SystemClock().now())
    click.echo(f"backup written to {path}: {manifest['backend']}, revision {manifest['revision']}, "
               f"{sum(manifest['counts'].values())} rows in {len(manifest['counts'])} tables")


@db.command("verify")
@click.argument("path", type=click.Path(file_okay=False))
@friendly
@_backup_errors
def db_verify(path: str) -> None:
    """Check a backup: its manifest, its checksum and that the data reads back."""
    from moderation.backup import service

    manifest = service.verify(path).manifest
    click.echo(f"backup {path} is sound: {manifest['backend']}, revision {manifest['revision']}, "
               f"made {manifest['created_at']}")


@db.command("restore")
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
@friendly
@_backup_errors
def db_restore(path: str, force: bool) -> None:
    """Restore the backup PATH into the configured (empty) database, then upgrade its schema.
    Stop the service first."""
    from moderation import migrate
    from moderation.backup import service

    settings = _settings()
    manifest = service.restore(settings.database.url, path, force=force)
    click.echo(f"restored {path} (revision {manifest['revision']}, {sum(manifest['counts'].values())} rows); "
               f"database at revision {migrate.head_revision()}")


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


# --- console accounts ------------------------------------------------------------------

@main.group()
def users() -> None:
    """Accounts of the people who use the moderators' console (/console/)."""


def _password_from_stdin(enabled: bool) -> str | None:
    if not enabled:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        click.echo("moderation: no password on standard input", err=True)
        sys.exit(1)
    return password


@users.command("create")
@click.option("--role", type=click.Choice(["moderator", "admin"]), required=True)
@click.option("--email", required=True, help="The login; the audit log names the person user:<email>.")
@click.option("--name", required=True, help="The name shown in the console.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of "
                                                     "generating a one-time password.")
@friendly
def users_create(role: str, email: str, name: str, password_stdin: bool) -> None:
    """Create an account; prints a one-time password (changed at the first login)."""
    from moderation.accounts import service

    password = _password_from_stdin(password_stdin)
    runtime = _runtime()
    with runtime.db.transaction() as session:
        account, one_time = service.create_account(session, email, name, role, runtime.now(), password=password)
        email = account.email
    click.echo(f"created {role} account {email}")
    if one_time is not None:
        click.echo("one-time password (to be changed at the first login), shown once:")
        click.echo(one_time)


@users.command("list")
@friendly
def users_list() -> None:
    """E-mail, name, role and state of every account."""
    from moderation.accounts import service

    runtime = _runtime()
    with runtime.db.transaction(write=False) as session:
        for account in service.list_accounts(session):
            state = f"disabled {account.disabled_at.isoformat()}" if account.disabled_at else "active"
            click.echo(f"{account.email}\t{account.name}\t{account.role}\t{state}")


@users.command("disable")
@click.argument("email")
@friendly
def users_disable(email: str) -> None:
    """Disable an account; its console sessions end at once."""
    from moderation.accounts import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        account = service.disable_account(session, email, runtime.now())
        email = account.email
    click.echo(f"disabled {email}")


@users.command("enable")
@click.argument("email")
@friendly
def users_enable(email: str) -> None:
    """Enable a disabled account again."""
    from moderation.accounts import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        email = service.enable_account(session, email).email
    click.echo(f"enabled {email}")


@users.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@friendly
def users_reset_password(email: str, password_stdin: bool) -> None:
    """Set a new one-time password (or the one on standard input); open sessions end."""
    from moderation.accounts import service

    password = _password_from_stdin(password_stdin)
    runtime = _runtime()
    with runtime.db.transaction() as session:
        one_time = service.reset_password(session, email, runtime.now(), password=password)
    click.echo(f"password of {service.normalise_email(email)} reset")
    if one_time is not None:
        click.echo("one-time password (to be changed at the next login), shown once:")
        click.echo(one_time)


# --- serving and jobs ------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@friendly
def serve(host: str, port: int, threads: int) -> None:
    """Migrate if needed and serve the API with the scheduler and scorer in this one process."""
    from moderation import migrate
    from moderation.rundir import runtime_dir
    from moderation.server import serve_embedded

    settings = _settings()
    runtime_dir(settings)  # refused here in one line, not in gunicorn's worker with a traceback
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
def webhooks() -> None:
    """Webhook endpoints and the delivery worker."""


def _with_details(command: Callable) -> Callable:
    """A refused value names the field and the reason on the one line `friendly` prints."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ApiError as exc:
            if exc.details:
                reasons = "; ".join(f"{field}: {' '.join(map(str, why)) if isinstance(why, list) else why}"
                                    for field, why in exc.details.items())
                raise ApiError(f"{exc.message} {reasons}") from None
            raise

    return wrapper


def _print_endpoint(endpoint) -> None:
    state = endpoint.state if endpoint.state == "active" else f"{endpoint.state} ({endpoint.disabled_reason})"
    failing = f"\tfailing since {endpoint.failing_since.isoformat()}" if endpoint.failing_since else ""
    click.echo(f"{endpoint.id}\t{endpoint.url}\t{','.join(endpoint.event_types)}\t{state}{failing}")


@webhooks.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True, help="An event type to receive (repeat it); default: all.")
@click.option("--description", default=None)
@friendly
@_with_details
def webhooks_add(url: str, events: tuple[str, ...], description: str | None) -> None:
    """Register an endpoint; its signing secret is printed once, alone on the last line."""
    from moderation.events.service import EVENT_TYPES
    from moderation.webhooks import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        endpoint, secret = service.create_endpoint(session, url, list(events or EVENT_TYPES), description, "cli",
                                                   runtime.now(), runtime.settings.webhooks.allow_private_addresses)
    click.echo(f"created webhook endpoint {endpoint.id} for {', '.join(endpoint.event_types)}; "
               "store its signing secret now, it cannot be shown again:")
    click.echo(secret)


@webhooks.command("list")
@friendly
def webhooks_list() -> None:
    """Id, URL, events and state of every endpoint (never the secrets)."""
    from moderation.webhooks import service

    runtime = _runtime()
    with runtime.db.transaction(write=False) as session:
        for endpoint in service.list_endpoints(session):
            _print_endpoint(endpoint)


@webhooks.command("disable")
@click.argument("endpoint_id", type=int)
@click.option("--reason", default=None)
@friendly
@_with_details
def webhooks_disable(endpoint_id: int, reason: str | None) -> None:
    """Stop deliveries to an endpoint (waiting ones resume when it is enabled)."""
    from moderation.webhooks import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        _print_endpoint(service.disable_endpoint(session, endpoint_id, "cli", reason, runtime.now()))


@webhooks.command("enable")
@click.argument("endpoint_id", type=int)
@friendly
@_with_details
def webhooks_enable(endpoint_id: int) -> None:
    """Deliver to an endpoint again, starting with what waited."""
    from moderation.webhooks import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        _print_endpoint(service.enable_endpoint(session, endpoint_id, "cli", runtime.now()))


@webhooks.command("rotate")
@click.argument("endpoint_id", type=int)
@friendly
@_with_details
def webhooks_rotate(endpoint_id: int) -> None:
    """A new signing secret, printed once on the last line (the previous one also signs for a while)."""
    from datetime import timedelta

    from moderation.webhooks import service

    runtime = _runtime()
    keep = timedelta(hours=runtime.settings.webhooks.previous_secret_hours)
    with runtime.db.transaction() as session:
        endpoint, secret = service.rotate_secret(session, endpoint_id, "cli", runtime.now(), keep)
    until = endpoint.previous_secret_expires_at
    click.echo(f"rotated the secret of endpoint {endpoint.id}"
               + (f"; the previous one also signs until {until.isoformat()}" if until else "") + ":")
    click.echo(secret)


@webhooks.command("test")
@click.argument("endpoint_id", type=int)
@friendly
@_with_details
def webhooks_test(endpoint_id: int) -> None:
    """Queue a webhook.test event for an endpoint (a running worker delivers it)."""
    from moderation.webhooks import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        delivery = service.send_test(session, endpoint_id, "cli", runtime.now())
    click.echo(f"queued test event {delivery.event_id} (delivery {delivery.id})")


@webhooks.command("worker")
@friendly
def webhooks_worker() -> None:
    """Run only a delivery worker (scale-out; several may run on several machines)."""
    from moderation.webhooks.worker import run_forever

    runtime = _runtime()
    if not runtime.settings.webhooks.enabled:
        # The setting promises that no delivery worker runs anywhere.
        click.echo("moderation: webhooks are off ([webhooks] enabled = false); no delivery worker started", err=True)
        sys.exit(2)
    run_forever(runtime)


@main.group()
def authors() -> None:
    """Readers' rights: the subject-access export."""


@authors.command("export")
@click.argument("author_id")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the document to this file (created 0600) instead of standard output.")
@friendly
def authors_export(author_id: str, output: str | None) -> None:
    """Everything stored about AUTHOR_ID as one JSON document (GDPR art. 15, FADP art. 25)."""
    import os

    from moderation.privacy import service

    runtime = _runtime()
    with runtime.db.transaction() as session:
        service.record_export(session, author_id, "cli", runtime.now())
    if output:
        # Personal data: readable by this account only, whatever the umask.
        stream = os.fdopen(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600),
                           "w", encoding="utf-8")
    else:
        stream = click.get_text_stream("stdout", encoding="utf-8")
    try:
        with runtime.db.transaction(write=False) as session:
            for piece in service.export_author(session, author_id, runtime.now()):
                stream.write(piece)
    finally:
        if output:
            stream.close()
        else:
            stream.flush()


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
    from moderation.scoring.router import build_scorer

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


@model.command("evaluate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='Exactly one JSON object: {"results": [...]}.')
@friendly
def model_evaluate(file: str, as_json: bool) -> None:
    """Score a labelled CSV (text,label,language) with every model covering each row's language.

    Prints n, ROC AUC, average precision and macro F1 at the model's threshold, per model and
    language: the current house model, and the transformer model(s) of [scoring] when their
    weights are on this machine (nothing is downloaded).
    """
    import dataclasses
    import json

    from moderation.house.evaluate import Row, evaluate, house_candidate, render, transformer_candidate
    from moderation.house.service import current
    from moderation.labels.importer import LabelImportError, labelled_rows
    from moderation.scoring.router import build_scorer

    try:
        with open(file, "rb") as stream:
            rows = [Row(text, label, language) for _line, text, label, language in labelled_rows(stream)]
    except LabelImportError as exc:
        click.echo(f"moderation: {file} {exc}", err=True)
        sys.exit(1)
    settings = _settings()
    runtime = _runtime()
    candidates = []
    with runtime.db.transaction(write=False) as session:
        house = current(session)
    if house is not None:
        candidates.append(house_candidate(house.name, house.model))
    else:
        click.echo("moderation: no house model yet (moderation house-model train)", err=True)
    if settings.scoring.backend != "none":
        # Never a download from here: an evaluation must not wait on the network.
        scorer = build_scorer(dataclasses.replace(settings.scoring, allow_download=False))
        try:
            scorer.load()
            candidates.append(transformer_candidate(scorer))
        except Exception as exc:
            click.echo(f"moderation: the transformer model is not evaluated, it cannot load: {exc}", err=True)
    results = evaluate(rows, candidates)
    if as_json:
        click.echo(json.dumps({"results": results}, ensure_ascii=False))
    else:
        click.echo(render(results))


@main.group()
def labels() -> None:
    """Labelled text: what a model learns from and is measured on."""


@labels.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", default=None, help="Name the labels are marked with (default: the file's name).")
@friendly
def labels_import(file: str, source: str | None) -> None:
    """Import a CSV file with the header text,label,language (label 1 = reject, 0 = keep; ISO 639-1)."""
    import os

    from moderation.labels.importer import LabelImportError, import_labels

    source = os.path.basename(file) if source is None else source
    if not source.strip() or len(source) > 128:
        raise click.BadParameter("between 1 and 128 characters", param_hint="--source")
    runtime = _runtime()
    try:
        # One transaction: a bad row anywhere leaves nothing imported.
        with open(file, "rb") as stream, runtime.db.transaction() as session:
            result = import_labels(session, stream, source=source, now=runtime.now())
    except LabelImportError as exc:
        click.echo(f"moderation: {file} {exc}", err=True)
        sys.exit(1)
    click.echo(f"{result.imported} label(s) imported from {file} (source {source}), "
               f"{result.duplicates} already there")



# --- the house model (issue 23) ----------------------------------------------------------

@main.group("house-model")
def house_model() -> None:
    """The house model: trained on the desk's own labels, versioned in the database."""


def _cli_actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


@house_model.command("train")
@click.option("--json", "as_json", is_flag=True, help="What happened, as JSON.")
@friendly
def house_model_train(as_json: bool) -> None:
    """Train on every label; promote the new model only if it beats the current one on the newest labels."""
    from moderation.house import jobs

    outcome = jobs.train(_runtime(), who=_cli_actor())
    if as_json:
        import json

        click.echo(json.dumps(outcome.as_dict(), indent=2))
        return
    if not outcome.trained:
        click.echo(f"not trained: {outcome.reason}")
        return
    evaluation = outcome.evaluation or {}
    click.echo(f"trained house-v{outcome.version}: held-out n={evaluation.get('n')} "
               f"ROC AUC={evaluation.get('roc_auc')} AP={evaluation.get('average_precision')} "
               f"macro F1={evaluation.get('f1_macro')}")
    click.echo(("promoted: " if outcome.promoted else "not promoted: ") + outcome.reason)


@house_model.command("list")
@friendly
def house_model_list() -> None:
    """Every version, newest first: state, labels, held-out evaluation."""
    from moderation.house.service import list_versions, model_name

    runtime = _runtime()
    with runtime.db.transaction(write=False) as session:
        for row in list_versions(session):
            evaluation = row.evaluation or {}
            click.echo(f"{model_name(row.version)}\t{row.state}\tcreated {row.created_at.isoformat()} by "
                       f"{row.created_by}\tlabels {row.trained_on.get('labels')}\theld-out n={evaluation.get('n')} "
                       f"AUC={evaluation.get('roc_auc')} AP={evaluation.get('average_precision')} "
                       f"F1={evaluation.get('f1_macro')}")


@house_model.command("promote")
@click.argument("version", type=int)
@friendly
def house_model_promote(version: int) -> None:
    """Make VERSION the current model (whatever its evaluation)."""
    from moderation.house.service import model_name, promote

    runtime = _runtime()
    with runtime.db.transaction() as session:
        promote(session, version, _cli_actor(), runtime.now())
    click.echo(f"{model_name(version)} is now the current model")


@house_model.command("rollback")
@friendly
def house_model_rollback() -> None:
    """Go back to the model that was current before the current one."""
    from moderation.house.service import model_name, rollback

    runtime = _runtime()
    with runtime.db.transaction() as session:
        row = rollback(session, _cli_actor(), runtime.now())
        version = row.version
    click.echo(f"rolled back: {model_name(version)} is now the current model")

if __name__ == "__main__":  # pragma: no cover
    main()
