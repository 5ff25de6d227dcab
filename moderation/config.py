"""Settings: config/default.toml, overridden by a site file, overridden by the environment.

Ops adjust the service without touching code. Every key has a default in
``config/default.toml``; ``MODERATION_CONFIG`` names a site file; variables named
``MODERATION_<SECTION>__<KEY>`` win over both. Anything invalid raises ``ConfigError`` with
one message that names the key, which the CLI prints without a traceback.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from moderation.review.words import matchable

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config" / "default.toml"
ENV_PREFIX = "MODERATION_"


# The longest window a thread may have, site-wide or its own: a year (closing/policy.py).
MAX_WINDOW_HOURS = 8760
# A delivery worker starts no attempt later than its deadline and this before its lease ends,
# which leaves the time to record the results (webhooks/worker.py).
WEBHOOK_LEASE_MARGIN_SECONDS = 2.0


class ConfigError(Exception):
    """The configuration cannot be used; the message names the offending key."""


@dataclass(frozen=True)
class ServerSettings:
    # Empty: $XDG_RUNTIME_DIR/moderation, else instance/runtime (moderation/rundir.py).
    runtime_dir: str = ""

    def validate(self) -> None:
        if "\0" in self.runtime_dir:
            raise ConfigError("server.runtime_dir: must not contain a NUL character")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///instance/moderation.db"
    sqlite_synchronous: str = "FULL"
    timeout_seconds: float = 5.0
    pool_size: int = 5

    def validate(self) -> None:
        try:
            url = make_url(self.url)
        except ArgumentError:
            raise ConfigError(f"database.url: not a database URL: {self.url!r}") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigError(
                f"database.url: unsupported database {url.get_backend_name()!r} (use sqlite or postgresql)"
            )
        if self.sqlite_synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
            raise ConfigError("database.sqlite_synchronous: must be FULL, NORMAL or EXTRA")
        _positive("database.timeout_seconds", self.timeout_seconds)
        _positive("database.pool_size", self.pool_size)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_QUIET_RANGE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-(?:([01][0-9]|2[0-3]):([0-5][0-9])|(24):(00))$")


def quiet_range(text: str) -> tuple[int, int]:
    """``"23:00-06:00"`` as minutes after midnight (1380, 360); an end at or before the start
    is on the next day, ``24:00`` is midnight at the end of the day. ValueError otherwise."""
    match = _QUIET_RANGE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a range such as \"23:00-06:00\"")
    start = int(match[1]) * 60 + int(match[2])
    end = 1440 if match[5] else int(match[3]) * 60 + int(match[4])
    if start == end:
        raise ValueError(f"{text!r} is empty (for a whole day write \"00:00-24:00\")")
    return start, end


@dataclass(frozen=True)
class ClosingSettings:
    close_after_hours: float = 72.0
    sweep_interval_seconds: float = 60.0
    run_scheduler: bool = True
    # Daily ranges "HH:MM-HH:MM" in [console] timezone; per weekday, a list replaces them.
    quiet_hours: list[str] = field(default_factory=list)
    quiet_hours_by_day: dict[str, Any] = field(default_factory=dict)
    extend_for_quiet_hours: bool = False

    def validate(self) -> None:
        _positive("closing.close_after_hours", self.close_after_hours)
        if self.close_after_hours > MAX_WINDOW_HOURS:
            raise ConfigError(f"closing.close_after_hours: at most {MAX_WINDOW_HOURS} (a year)")
        _positive("closing.sweep_interval_seconds", self.sweep_interval_seconds)
        week = [self.quiet_ranges(day) for day in WEEKDAYS]
        if _covers_the_week(week):
            raise ConfigError("closing.quiet_hours: no time left open: quiet hours cover the whole week")

    def quiet_ranges(self, weekday: str) -> list[tuple[int, int]]:
        """The ranges of one weekday ("mon"...), checked; ConfigError names the key."""
        for day in self.quiet_hours_by_day:
            if day not in WEEKDAYS:
                raise ConfigError(f"closing.quiet_hours_by_day: {day!r} is not one of {', '.join(WEEKDAYS)}")
        key, ranges = "closing.quiet_hours", self.quiet_hours
        if weekday in self.quiet_hours_by_day:
            key, ranges = f"closing.quiet_hours_by_day.{weekday}", self.quiet_hours_by_day[weekday]
            if not isinstance(ranges, list):
                raise ConfigError(f"{key}: expected a list of ranges such as [\"22:00-08:00\"], got {ranges!r}")
        try:
            return [quiet_range(text) for text in ranges]
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None


@dataclass(frozen=True)
class ScoringSettings:
    backend: str = "detoxify"
    model_type: str = "multilingual"
    checkpoint: str = ""
    huggingface_config_path: str = ""
    allow_download: bool = True
    download_url: str = ""
    download_connect_timeout_seconds: float = 10.0
    download_read_timeout_seconds: float = 30.0
    device: str = "cpu"
    threads: int = 1
    scheduling: str = "normal"
    niceness: int = 3
    max_busy_fraction: float = 1.0
    max_attempts: int = 3
    batch_size: int = 8
    precision: str = "float32"
    run_worker: bool = True
    poll_interval_seconds: float = 2.0
    retry_initial_seconds: float = 5.0
    retry_max_seconds: float = 300.0
    claim_seconds: float = 60.0
    auto_reject_above: dict[str, float] = field(default_factory=dict)
    auto_approve_below: dict[str, float] = field(default_factory=dict)
    languages: list[str] = field(default_factory=lambda: ["fr", "de", "it", "en", "es", "pt", "tr", "ru"])
    # [scoring.models]: language (ISO 639-1, or "*" for every other) -> model table (see ModelSpec).
    models: dict[str, dict[str, Any]] = field(default_factory=dict)

    def model_specs(self) -> dict[str, "ModelSpec"]:
        """The model of each language; without [scoring.models], today's keys make the "*" model."""
        if not self.models:
            return {"*": ModelSpec(language="*", kind="detoxify", model_type=self.model_type,
                                   checkpoint=self.checkpoint, huggingface_config_path=self.huggingface_config_path)}
        return {language: ModelSpec.parse(language, table, self.languages) for language, table in self.models.items()}

    def validate(self) -> None:
        _choice("scoring.backend", self.backend, ("detoxify", "fake", "none"))
        _choice("scoring.precision", self.precision, ("float32", "int8"))
        _choice("scoring.scheduling", self.scheduling, ("normal", "idle"))
        if not 0 < self.max_busy_fraction <= 1:
            raise ConfigError("scoring.max_busy_fraction: must be greater than 0 and at most 1")
        if self.download_url and not re.match(r"^https?://", self.download_url):
            raise ConfigError(f"scoring.download_url: not an http(s) URL: {self.download_url!r}")
        if not (self.device == "cpu" or self.device.startswith("cuda")):
            raise ConfigError(f"scoring.device: must be cpu or cuda[:N], got {self.device!r}")
        if not 0 <= self.niceness <= 19:
            raise ConfigError("scoring.niceness: must be between 0 and 19")
        for name in ("threads", "batch_size", "poll_interval_seconds", "retry_initial_seconds",
                     "retry_max_seconds", "claim_seconds", "max_attempts", "download_connect_timeout_seconds",
                     "download_read_timeout_seconds"):
            _positive(f"scoring.{name}", getattr(self, name))
        for table in ("auto_reject_above", "auto_approve_below"):
            for label, threshold in getattr(self, table).items():
                if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
                    raise ConfigError(f"scoring.{table}.{label}: must be a number between 0 and 1")
        if not self.languages:
            raise ConfigError("scoring.languages: must name at least one language")
        self.model_specs()


_MODEL_KEYS = {
    "detoxify": {"model_type", "checkpoint", "huggingface_config_path"},
    "transformers": {"path", "labels", "activation"},
    "fake": set(),
}


@dataclass(frozen=True)
class ModelSpec:
    """One entry of [scoring.models], checked: which model scores the comments of ``language``.

    * ``kind = "detoxify"``: ``model_type`` ("multilingual", "original", "unbiased"), optional
      local ``checkpoint`` and ``huggingface_config_path``, as in [scoring].
    * ``kind = "transformers"``: any Hugging Face sequence-classification checkpoint on disk at
      ``path``; ``labels`` maps its label names (config.id2label) to our classes, e.g.
      ``{ toxic = "toxicity" }``; ``activation`` "sigmoid" or "softmax" (default: sigmoid for a
      multi-label model, softmax otherwise).
    * ``kind = "fake"``: the word-count scorer, for development and tests only.

    ``languages`` lists what the model was trained on (a language outside it is "not covered");
    by default Detoxify's own list, or the table's language for a transformers model.
    """

    language: str
    kind: str
    model_type: str = "multilingual"
    checkpoint: str = ""
    huggingface_config_path: str = ""
    path: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    activation: str = ""
    languages: tuple[str, ...] | None = None
    precision: str = ""

    @classmethod
    def parse(cls, language: str, table: Any, detected: list[str]) -> "ModelSpec":
        from moderation.scoring.classes import CLASSES

        key = f"scoring.models.{language}"
        if language != "*" and not re.fullmatch(r"[a-z]{2}", language):
            raise ConfigError(f"{key}: a language is a two-letter ISO 639-1 code, or \"*\" for every other")
        if language != "*" and language not in detected:
            raise ConfigError(f"{key}: {language!r} is not in scoring.languages, so no comment would be detected in it")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{key}: must be a table such as {{ kind = \"detoxify\" }}")
        kind = table.get("kind")
        if kind not in _MODEL_KEYS:
            raise ConfigError(f"{key}.kind: must be one of {', '.join(_MODEL_KEYS)}, got {kind!r}")
        allowed = _MODEL_KEYS[kind] | {"kind", "languages", "precision"}
        for name in table:
            if name not in allowed:
                raise ConfigError(f"{key}.{name}: unknown key for a {kind} model")
        values = {name: value for name, value in table.items() if name not in ("kind", "languages", "labels")}
        for name, value in values.items():
            if not isinstance(value, str):
                raise ConfigError(f"{key}.{name}: expected a string, got {value!r}")
        if values.get("precision", "") not in ("", "float32", "int8"):
            raise ConfigError(f"{key}.precision: must be float32 or int8")
        if values.get("activation", "") not in ("", "sigmoid", "softmax"):
            raise ConfigError(f"{key}.activation: must be sigmoid or softmax")
        languages = table.get("languages")
        if languages is not None:
            if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
                raise ConfigError(f"{key}.languages: expected a list of language codes")
            languages = tuple(languages)
        labels = table.get("labels", {})
        if kind == "transformers":
            if not values.get("path"):
                raise ConfigError(f"{key}.path: a transformers model needs the folder of its checkpoint")
            if not isinstance(labels, Mapping) or not labels:
                raise ConfigError(f"{key}.labels: map the model's labels to our classes, "
                                  "e.g. { toxic = \"toxicity\" }")
            for label, ours in labels.items():
                if ours not in CLASSES:
                    raise ConfigError(f"{key}.labels.{label}: {ours!r} is not one of our classes "
                                      f"({', '.join(CLASSES)})")
            if language == "*" and languages is None:
                raise ConfigError(f"{key}.languages: say which languages the default transformers model covers")
        return cls(language=language, kind=kind, labels=dict(labels),
                   languages=languages if languages is not None else ((language,) if kind == "transformers" else None),
                   **values)


@dataclass(frozen=True)
class ReviewSettings:
    banned_words: list[str] = field(default_factory=list)
    suspect_words: list[str] = field(default_factory=list)

    def validate(self) -> None:
        for name in ("banned_words", "suspect_words"):
            for word in getattr(self, name):
                if not word.strip():
                    raise ConfigError(f"review.{name}: empty word")
                if not matchable(word):
                    raise ConfigError(f"review.{name}: {word.encode('unicode_escape').decode()!r} is made only "
                                      "of invisible characters")


@dataclass(frozen=True)
class ApiSettings:
    max_comment_length: int = 5000
    max_request_bytes: int = 65536
    cors_origins: list[str] = field(default_factory=list)
    key_cache_seconds: float = 5.0
    duplicate_window_seconds: float = 300.0

    def validate(self) -> None:
        _positive("api.max_comment_length", self.max_comment_length)
        if self.duplicate_window_seconds < 0:
            raise ConfigError("api.duplicate_window_seconds: must be >= 0")
        for origin in self.cors_origins:
            if not re.match(r"^https?://[^/\s]+$", origin):
                raise ConfigError(f"api.cors_origins: {origin!r} is not an origin like https://www.example.ch")
        _positive("api.max_request_bytes", self.max_request_bytes)
        if self.key_cache_seconds < 0:
            raise ConfigError("api.key_cache_seconds: must be >= 0")


@dataclass(frozen=True)
class RateLimitSettings:
    enabled: bool = True
    storage_uri: str = "memory://"
    intake_per_author: str = "10/minute"
    intake_per_address: str = "30/minute"
    moderation_per_key: str = "1200/minute"
    frontend_per_key: str = "3000/minute"
    reports_per_reporter: str = "20/minute"
    analyzer_per_key: str = "6000/minute"
    trusted_proxies: int = 0

    def validate(self) -> None:
        from limits import parse

        for name in ("intake_per_author", "intake_per_address", "moderation_per_key", "frontend_per_key",
                     "reports_per_reporter", "analyzer_per_key"):
            try:
                parse(getattr(self, name))
            except ValueError:
                raise ConfigError(f"ratelimit.{name}: not a rate such as 10/minute") from None
        if not re.match(r"^(memory|redis|rediss|redis\+sentinel|redis\+cluster|memcached)://", self.storage_uri):
            raise ConfigError(f"ratelimit.storage_uri: unsupported storage {self.storage_uri!r}")
        if self.trusted_proxies < 0:
            raise ConfigError("ratelimit.trusted_proxies: must be >= 0")


# The reasons a moderator can give for a rejection (the console's keys 1-6, in this order).
REJECT_REASONS = ("offensive", "abusive", "spam", "off_topic", "personal_data", "other")


@dataclass(frozen=True)
class ConsoleSettings:
    timezone: str = "Europe/Zurich"
    session_hours: float = 12.0
    secure_cookies: bool = False
    secret_key: str = ""
    undo_seconds: float = 30.0
    poll_seconds: float = 10.0
    page_size: int = 25
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_window_minutes: float = 15.0
    default_reject_reason: str = "offensive"

    def validate(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"console.timezone: unknown time zone {self.timezone!r}") from None
        for name in ("session_hours", "poll_seconds", "page_size", "login_failures_per_account",
                     "login_failures_per_address", "login_window_minutes"):
            _positive(f"console.{name}", getattr(self, name))
        if self.undo_seconds < 10:
            raise ConfigError("console.undo_seconds: must be at least 10")
        if self.page_size > 100:
            raise ConfigError("console.page_size: must be at most 100")
        if self.secret_key and len(self.secret_key) < 32:
            raise ConfigError("console.secret_key: must be at least 32 characters (or empty)")
        if self.default_reject_reason not in REJECT_REASONS:
            raise ConfigError(f"console.default_reject_reason: must be one of {', '.join(REJECT_REASONS)}")


@dataclass(frozen=True)
class WebhooksSettings:
    enabled: bool = True
    run_worker: bool = True
    allow_private_addresses: bool = False
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 10.0
    max_retry_hours: float = 24.0
    retry_initial_seconds: float = 5.0
    retry_max_interval_seconds: float = 3600.0
    poll_interval_seconds: float = 1.0
    batch_size: int = 50
    concurrency: int = 4
    claim_seconds: float = 60.0
    outbox_gap_seconds: float = 600.0
    previous_secret_hours: float = 24.0
    keep_days: float = 30.0
    niceness: int = 10

    def validate(self) -> None:
        if not 0 <= self.niceness <= 19:
            raise ConfigError("webhooks.niceness: must be between 0 and 19")
        for name in ("connect_timeout_seconds", "read_timeout_seconds", "max_retry_hours", "retry_initial_seconds",
                     "retry_max_interval_seconds", "poll_interval_seconds", "batch_size", "concurrency",
                     "claim_seconds", "outbox_gap_seconds", "keep_days"):
            _positive(f"webhooks.{name}", getattr(self, name))
        if self.previous_secret_hours < 0:
            raise ConfigError("webhooks.previous_secret_hours: must be >= 0")
        # An attempt ends by its deadline, connect + read timeout (webhooks/transport.py). A
        # worker starts none later than that deadline and the margin before its lease ends.
        deadline = self.connect_timeout_seconds + self.read_timeout_seconds
        minimum = max(2 * deadline, deadline + WEBHOOK_LEASE_MARGIN_SECONDS)
        if self.claim_seconds <= minimum:
            raise ConfigError(f"webhooks.claim_seconds: must be more than {minimum:g} s, as an attempt may take "
                              f"connect_timeout_seconds + read_timeout_seconds ({deadline:g} s) in all: a lease "
                              "that ends during an attempt lets another worker send the delivery again")


@dataclass(frozen=True)
class AnalyzerSettings:
    enabled: bool = True
    batching: bool = True
    max_wait_ms: float = 2.0
    deadline_seconds: float = 0.75
    max_queue: int = 256
    detect_languages: bool = False
    socket_path: str = ""
    public_url: str = ""
    max_batch_parts: int = 100
    # Languages the transformer does not cover are answered with the house model's score
    # (issue 23), when one is current; off, they are answered as before.
    house_for_uncovered: bool = False

    def validate(self) -> None:
        if self.max_wait_ms < 0:
            raise ConfigError("analyzer.max_wait_ms: must be >= 0")
        _positive("analyzer.deadline_seconds", self.deadline_seconds)
        _positive("analyzer.max_queue", self.max_queue)
        _positive("analyzer.max_batch_parts", self.max_batch_parts)
        # Written into the discovery document as the root of every URL Google's clients call.
        if self.public_url and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", self.public_url):
            raise ConfigError(f"analyzer.public_url: {self.public_url!r} is not a URL like "
                              "https://moderation.example.ch (no query or fragment)")


@dataclass(frozen=True)
class HouseSettings:
    """The house model (issue 23): trained on the desk's own labels, scored beside the transformer."""

    # Score every comment with the current house model (when there is one) in the scoring worker.
    score: bool = True
    # The leader retrains nightly at this hour (UTC); a negative hour turns the job off.
    train_hour: int = 3
    # The newest share of the labels, time-ordered, held out to compare the new model with the current one.
    holdout_fraction: float = 0.15
    # Fewer labels than this: no training (a model of a few labels learns their words, not the desk's rules).
    min_labels: int = 50

    def validate(self) -> None:
        if not -1 <= self.train_hour <= 23:
            raise ConfigError("house.train_hour: must be an hour 0-23, or -1 (no nightly training)")
        if not 0 < self.holdout_fraction < 1:
            raise ConfigError("house.holdout_fraction: must be between 0 and 1")
        _positive("house.min_labels", self.min_labels)


@dataclass(frozen=True)
class BackupSettings:
    """The leader's daily backup (README "Backups"): `moderation db backup` at ``hour``."""

    # The hour (UTC) of the daily backup; -1: none (ops run `moderation db backup` themselves).
    hour: int = -1
    # Where the daily backups go, one directory each (moderation-YYYYMMDDTHHMMSSZ).
    directory: str = "instance/backups"
    # The newest daily backups kept; older ones of this directory are removed after each backup.
    keep: int = 7

    def validate(self) -> None:
        if isinstance(self.hour, bool) or not isinstance(self.hour, int) or not -1 <= self.hour <= 23:
            raise ConfigError("backup.hour: must be an hour 0-23, or -1 (no daily backup)")
        if not self.directory.strip() or "\0" in self.directory:
            raise ConfigError("backup.directory: must be a directory path")
        if isinstance(self.keep, bool) or not isinstance(self.keep, int) or self.keep < 1:
            raise ConfigError("backup.keep: must be a whole number of backups, at least 1")


@dataclass(frozen=True)
class PublicSettings:
    """Caching of the public reads (the thread, the article's status) by CDNs and browsers."""
    max_age: int = 5
    stale_while_revalidate: int = 30
    # Serialised thread pages kept per process (caching.BodyCache), in bytes; 0: none kept.
    body_cache_bytes: int = 16 * 2**20

    def validate(self) -> None:
        for key in ("max_age", "stale_while_revalidate"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 86400:
                raise ConfigError(f"public.{key}: whole seconds from 0 to 86400, got {value!r}")
        value = self.body_cache_bytes
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**34:
            raise ConfigError(f"public.body_cache_bytes: whole bytes from 0 to 17179869184, got {value!r}")


@dataclass(frozen=True)
class MetricsSettings:
    token: str = ""
    refresh_seconds: float = 5.0

    def validate(self) -> None:
        if self.token != self.token.strip() or any(ord(c) < 0x21 or ord(c) > 0x7E for c in self.token):
            raise ConfigError("metrics.token: printable ASCII without spaces")
        _positive("metrics.refresh_seconds", self.refresh_seconds)


@dataclass(frozen=True)
class Settings:
    """All settings of one process. Immutable: tests build their own with ``replace``."""

    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    closing: ClosingSettings = field(default_factory=ClosingSettings)
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    ratelimit: RateLimitSettings = field(default_factory=RateLimitSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    webhooks: WebhooksSettings = field(default_factory=WebhooksSettings)
    analyzer: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    public: PublicSettings = field(default_factory=PublicSettings)
    house: HouseSettings = field(default_factory=HouseSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)

    def validate(self) -> "Settings":
        for section in dataclasses.fields(self):
            getattr(self, section.name).validate()
        return self

    def replace(self, **sections: Mapping[str, Any]) -> "Settings":
        """A copy with some keys changed, e.g. ``replace(closing={"close_after_hours": 48})``."""
        return _build(_merge(self.as_dict(), sections), source="override")

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return dataclasses.asdict(self)


def _covers_the_week(week: list[list[tuple[int, int]]]) -> bool:
    """Whether the ranges of each weekday (Monday first) leave no minute of the week open, on
    the wall clock: a schedule that never resumes would pause posting for ever."""
    minutes = 7 * 1440
    covered = bytearray(minutes)
    for day, ranges in enumerate(week):
        for start, end in ranges:
            length = end - start if end > start else end + 1440 - start
            for minute in range(day * 1440 + start, day * 1440 + start + length):
                covered[minute % minutes] = 1
    return all(covered)


def _positive(key: str, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"{key}: must be greater than 0, got {value!r}")


def _choice(key: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{key}: must be one of {', '.join(choices)}, got {value!r}")


def _merge(base: dict[str, Any], override: Mapping[str, Any], source: str = "override") -> dict[str, Any]:
    merged = {name: dict(values) for name, values in base.items()}
    for section, values in override.items():
        if section not in merged:
            raise ConfigError(f"{section}: unknown section in {source}")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{section}: must be a table in {source}")
        merged[section].update(values)
    return merged


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Check one value against its declared type; ints are accepted where floats are."""
    origin = typing.get_origin(annotation)
    if annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif annotation is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif annotation is str:
        ok = isinstance(value, str)
    elif origin is list:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        value = list(value) if ok else value
    elif origin is dict:
        ok = isinstance(value, dict) and all(isinstance(k, str) for k in value)
        value = dict(value) if ok else value
    else:  # pragma: no cover - a new field type must be handled above
        raise TypeError(annotation)
    if not ok:
        name = getattr(annotation, "__name__", str(annotation))
        raise ConfigError(f"{key}: expected {name}, got {value!r}")
    return value


def _build(raw: Mapping[str, Mapping[str, Any]], source: str) -> Settings:
    sections = {}
    hints = typing.get_type_hints(Settings)
    for section_field in dataclasses.fields(Settings):
        section_cls = hints[section_field.name]
        values = dict(raw.get(section_field.name, {}))
        section_hints = typing.get_type_hints(section_cls)
        known = {f.name for f in dataclasses.fields(section_cls)}
        for key in values:
            if key not in known:
                raise ConfigError(f"{section_field.name}.{key}: unknown key in {source}")
        coerced = {
            key: _coerce(f"{section_field.name}.{key}", value, section_hints[key]) for key, value in values.items()
        }
        sections[section_field.name] = section_cls(**coerced)
    for section in raw:
        if section not in sections:
            raise ConfigError(f"{section}: unknown section in {source}")
    return Settings(**sections).validate()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"MODERATION_CONFIG: no such file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    hints = typing.get_type_hints(Settings)
    overrides: dict[str, dict[str, Any]] = {}
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name or name.startswith(ENV_PREFIX + "TEST_"):
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        if section not in hints:
            raise ConfigError(f"{name}: unknown section {section!r}")
        key_hints = typing.get_type_hints(hints[section])
        if key not in key_hints:
            raise ConfigError(f"{name}: unknown key {section}.{key}")
        overrides.setdefault(section, {})[key] = _parse_env_value(name, text, key_hints[key])
    return overrides


def _parse_env_value(name: str, text: str, annotation: Any) -> Any:
    if annotation is str:
        return text
    if annotation is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {text!r}")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError(f"{name}: expected a number, list or table written as JSON, got {text!r}") from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the defaults, the site file and the environment, and validate the result."""
    environ = os.environ if environ is None else environ
    raw = _read_toml(DEFAULT_FILE) if DEFAULT_FILE.exists() else {}
    merged = _merge(Settings().as_dict(), raw, source=str(DEFAULT_FILE))
    site_file = environ.get("MODERATION_CONFIG")
    if site_file:
        merged = _merge(merged, _read_toml(Path(site_file)), source=site_file)
        _build(merged, source=site_file)
    return _build(_merge(merged, _env_overrides(environ), source="environment"), source="environment")
