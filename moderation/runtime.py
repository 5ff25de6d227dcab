"""Everything one process shares: settings, clock, database, policies and background parts.

Built by the app factory and by the CLI; never at import time.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from moderation import signals
from moderation.auth.service import KeyVerifier
from moderation.caching.service import BodyCache
from moderation.clock import Clock, SystemClock
from moderation.closing.policy import ClosingPolicy
from moderation.comments.service import IntakeRules
from moderation.config import Settings
from moderation.db import Database
from moderation.review.words import WordList
from moderation.sitesettings import service as sitesettings

log = logging.getLogger(__name__)

# How long a process trusts the console settings it read (sitesettings): a change made on
# another instance is in force everywhere within this time (at once on the instance that
# made it). One indexed read of a tiny table per period, never one per request.
SITE_SETTINGS_SECONDS = 2.0


@dataclass(frozen=True)
class Effective:
    """What the effective settings build: rebuilt only when a console value changes."""

    file_settings: Settings
    stored: dict[str, Any]
    settings: Settings
    policy: ClosingPolicy
    intake_rules: IntakeRules


class Runtime:
    def __init__(self, settings: Settings, clock: Clock | None = None, database: Database | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db = database or Database(settings.database)
        self.site_settings_seconds = SITE_SETTINGS_SECONDS
        self._effective: Effective | None = None
        self._effective_until = 0.0
        self._effective_lock = threading.Lock()
        self.keys = KeyVerifier(settings.api.key_cache_seconds)
        # Public thread pages as served, keyed by thread version (see caching.BodyCache).
        self.thread_bodies = BodyCache(settings.public.body_cache_bytes)
        # Set by moderation.background when the process runs the scheduler or scorer.
        self.scoring = None
        self.scheduler = None
        # Set by analyzer/host.py in the process that holds the machine's model (issue 16).
        self.analyzer = None
        # Set by moderation.webhooks.worker when the process runs a delivery worker.
        self.webhooks = None
        # Services announce their changes after commit (moderation/signals.py); this process's
        # background parts react to the changes made in its own database.
        signals.comment_stored.connect(self._wake_scorer, sender=self.db)
        signals.deadlines_changed.connect(self._replan_deadlines, sender=self.db)
        signals.events_published.connect(self._wake_webhooks, sender=self.db)
        signals.deliveries_queued.connect(self._wake_webhooks, sender=self.db)
        signals.settings_changed.connect(self._forget_effective, sender=self.db)

    def now(self) -> datetime:
        return self.clock.now()

    # --- the settings in force ----------------------------------------------------------------
    # ``settings`` is the configuration file's; what the domain uses is the effective
    # settings (sitesettings.effective: a value set in the console wins), and the policies
    # built from them.

    @property
    def effective_settings(self) -> Settings:
        return self._current().settings

    @property
    def policy(self) -> ClosingPolicy:
        return self._current().policy

    @property
    def intake_rules(self) -> IntakeRules:
        return self._current().intake_rules

    def _current(self) -> Effective:
        cached = self._effective
        if cached is not None and cached.file_settings is self.settings and time.monotonic() < self._effective_until:
            return cached
        with self._effective_lock:
            with self.db.transaction(write=False) as session:
                stored = sitesettings.stored(session)
            cached = self._effective
            if cached is None or cached.file_settings is not self.settings or cached.stored != stored:
                cached = self._build(self.settings, stored)
                self._effective = cached
            self._effective_until = time.monotonic() + self.site_settings_seconds
            return cached

    @staticmethod
    def _build(file_settings: Settings, stored: dict[str, Any]) -> Effective:
        settings = sitesettings.effective(file_settings, stored)
        policy = ClosingPolicy.from_settings(settings)
        return Effective(file_settings, stored, settings, policy, IntakeRules(
            policy=policy,
            banned_words=WordList(settings.review.banned_words),
            suspect_words=WordList(settings.review.suspect_words),
            max_comment_length=settings.api.max_comment_length,
            duplicate_window=timedelta(seconds=settings.api.duplicate_window_seconds),
        ))

    def _forget_effective(self, _database) -> None:
        self._effective_until = 0.0

    def _wake_scorer(self, _database) -> None:
        if self.scoring is not None:
            self.scoring.wake()

    def _wake_webhooks(self, _database) -> None:
        if self.webhooks is not None:
            self.webhooks.wake()

    def _replan_deadlines(self, _database) -> None:
        if self.scheduler is not None:
            self.scheduler.replan()
