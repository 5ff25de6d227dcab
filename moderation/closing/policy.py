"""The closing rule, in one place: comments close a set number of hours after publication.

    closes_at = window_opened_at + window
    window    = the article's close_after_hours if set, else [closing] close_after_hours (72)

``window_opened_at`` is the publication time, or the moment a moderator reopened the thread.
A thread accepts comments while ``now < closes_at`` and it is not locked: at the deadline
itself it is closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from moderation.articles.models import Article
from moderation.config import MAX_WINDOW_HOURS  # noqa: F401  (the rule's bound, re-exported here)


@dataclass(frozen=True)
class ClosingPolicy:
    """The site window, read from config at start-up."""

    close_after_hours: float

    @property
    def site_window(self) -> timedelta:
        return hours(self.close_after_hours)

    def window_for(self, article: Article) -> timedelta:
        if article.close_after_hours is not None:
            return hours(article.close_after_hours)
        return self.site_window

    def closes_at(self, article: Article) -> datetime:
        if article.fixed_closes_at is not None:
            return article.fixed_closes_at
        return article.window_opened_at + self.site_window

    def is_open(self, article: Article, now: datetime) -> bool:
        return article.locked_at is None and now < self.closes_at(article)

    def site_window_cutoff(self, now: datetime) -> datetime:
        """Threads on the site window whose window opened at or before this are due."""
        return now - self.site_window


def hours(value: float) -> timedelta:
    # Whole microseconds, so that fractional windows (0.5 h, 1/3 h) are exact and reproducible.
    return timedelta(microseconds=round(value * 3_600_000_000))


def window_opened_at(published_at: datetime, reopened_at: datetime | None) -> datetime:
    """A reopened thread counts its window from the reopening, unless publication is later."""
    if reopened_at is None:
        return published_at
    return max(published_at, reopened_at)


def fixed_closes_at(opened_at: datetime, close_after_hours: float | None) -> datetime | None:
    """The stored deadline of a thread with its own window; None when the site window applies."""
    if close_after_hours is None:
        return None
    return opened_at + hours(close_after_hours)
