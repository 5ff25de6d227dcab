"""Everything one process shares: settings, clock, database, policies and background parts.

Built by the app factory and by the CLI; never at import time.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from moderation import signals
from moderation.auth.service import KeyVerifier
from moderation.caching.service import BodyCache
from moderation.clock import Clock, SystemClock
from moderation.closing.policy import ClosingPolicy
from moderation.comments.service import IntakeRules
from moderation.config import Settings
from moderation.db import Database
from moderation.review.words import WordList

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, clock: Clock | None = None, database: Database | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db = database or Database(settings.database)
        self.policy = ClosingPolicy.from_settings(settings)
        self.intake_rules = IntakeRules(
            policy=self.policy,
            banned_words=WordList(settings.review.banned_words),
            suspect_words=WordList(settings.review.suspect_words),
            max_comment_length=settings.api.max_comment_length,
            duplicate_window=timedelta(seconds=settings.api.duplicate_window_seconds),
        )
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

    def now(self) -> datetime:
        return self.clock.now()

    def _wake_scorer(self, _database) -> None:
        if self.scoring is not None:
            self.scoring.wake()

    def _wake_webhooks(self, _database) -> None:
        if self.webhooks is not None:
            self.webhooks.wake()

    def _replan_deadlines(self, _database) -> None:
        if self.scheduler is not None:
            self.scheduler.replan()
