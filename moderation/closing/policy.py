"""The closing rule, in one place: comments close a set number of hours after publication.

    closes_at = window_opened_at + window
    window    = the article's close_after_hours if set, else [closing] close_after_hours (72)

``window_opened_at`` is the publication time, or the moment a moderator reopened the thread.
A thread accepts comments while ``now < closes_at`` and it is not locked: at the deadline
itself it is closed.

Quiet hours (issue 26) are the rule's second half: during them an open thread is paused,
posting is refused until they end, and the deadline stays where it is unless
``[closing] extend_for_quiet_hours`` makes the window count open time only.
``ClosingPolicy.thread_state`` decides both, for intake and for the public status alike.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

from moderation.articles.models import Article
from moderation.config import (
    MAX_WINDOW_HOURS,  # noqa: F401  (the rule's bound, re-exported here)
    WEEKDAYS,
    ClosingSettings,
    Settings,
)


@dataclass(frozen=True)
class ThreadState:
    """Whether a thread accepts comments now, as intake and the public status both say it."""

    open: bool
    closes_at: datetime
    # Open, but inside quiet hours: posting waits until resumes_at, or for ever when the
    # thread closes before the pause ends (resumes_at None).
    paused: bool = False
    resumes_at: datetime | None = None


@dataclass(frozen=True)
class ClosingPolicy:
    """The site window and quiet hours, read from config at start-up."""

    close_after_hours: float
    quiet: QuietHours | None = None
    extend_for_quiet_hours: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ClosingPolicy:
        closing = settings.closing
        return cls(closing.close_after_hours, QuietHours.from_settings(closing, settings.console.timezone),
                   closing.extend_for_quiet_hours)

    @property
    def site_window(self) -> timedelta:
        return hours(self.close_after_hours)

    @property
    def extends_windows(self) -> bool:
        """Whether quiet hours add to deadlines (those of threads that observe them)."""
        return self.quiet is not None and self.extend_for_quiet_hours

    def window_for(self, article: Article) -> timedelta:
        if article.close_after_hours is not None:
            return hours(article.close_after_hours)
        return self.site_window

    def closes_at(self, article: Article) -> datetime:
        if article.fixed_closes_at is not None:
            nominal = article.fixed_closes_at
        else:
            nominal = article.window_opened_at + self.site_window
        if not self.extends_windows or not observes_quiet_hours(article):
            return nominal
        # The window counts open time only: it ends once that much time outside quiet hours
        # has passed since it opened.
        return _open_until(self.quiet, article.window_opened_at, nominal - article.window_opened_at)

    def closes_at_with_window(self, article: Article, close_after_hours: float | None) -> datetime:
        """The deadline the thread would have with this own window (None: the site window),
        by the same rule as closes_at (quiet hours included)."""
        fixed = fixed_closes_at(article.window_opened_at, close_after_hours)
        nominal = fixed if fixed is not None else article.window_opened_at + self.site_window
        if not self.extends_windows or not observes_quiet_hours(article):
            return nominal
        return _open_until(self.quiet, article.window_opened_at, nominal - article.window_opened_at)

    def window_change_closes_now(self, article: Article, close_after_hours: float | None, now: datetime) -> bool:
        """Whether giving an open thread this window would close it at once (its new deadline
        is already past): a moderator must confirm that explicitly."""
        return self.is_open(article, now) and self.closes_at_with_window(article, close_after_hours) <= now

    def is_open(self, article: Article, now: datetime) -> bool:
        return article.locked_at is None and now < self.closes_at(article)

    def thread_state(self, article: Article, now: datetime) -> ThreadState:
        """The rule intake applies and the public status shows, computed from ``now`` alone
        (never from a job having run). A closed thread is closed, not paused; an exempt one
        (``quiet_hours`` false) is never paused."""
        closes_at = self.closes_at(article)
        is_open = article.locked_at is None and now < closes_at
        if not is_open or self.quiet is None or not observes_quiet_hours(article):
            return ThreadState(is_open, closes_at)
        pause = self.quiet.pause_at(now)
        if pause is None:
            return ThreadState(True, closes_at)
        resumes_at = pause[1] if pause[1] < closes_at else None
        return ThreadState(True, closes_at, paused=True, resumes_at=resumes_at)

    def next_pause(self, article: Article, now: datetime) -> datetime | None:
        """When an open thread, not paused now, next pauses, if that comes before it closes
        (None otherwise): what a moderator needs to know of the night ahead."""
        state = self.thread_state(article, now)
        if not state.open or state.paused or self.quiet is None or not observes_quiet_hours(article):
            return None
        start, _ = next(self.quiet.after(now))
        return start if start < state.closes_at else None

    def site_window_cutoff(self, now: datetime, quiet_hours: bool = True) -> datetime:
        """Threads on the site window whose window opened at or before this are due.

        With ``extend_for_quiet_hours`` that depends on whether the thread observes quiet
        hours; the default (it does) is the earlier cutoff, so that ``window_opened_at >``
        it finds every thread that may still be open.
        """
        if self.extends_windows and quiet_hours:
            return self.quiet.open_since(now, self.site_window)
        return now - self.site_window


def observes_quiet_hours(article: Article) -> bool:
    # None: an article built in memory, not stored yet; the column's default applies.
    return article.quiet_hours is not False


@functools.lru_cache(maxsize=65536)
def _open_until(quiet: QuietHours, opened: datetime, window: timedelta) -> datetime:
    # Cached: the console and the sweep ask for the same threads' deadlines over and over.
    return quiet.open_until(opened, window)


Interval = tuple[datetime, datetime]
_DAY = timedelta(days=1)
# Days of ranges turned into UTC intervals at once while walking the schedule: a pause is
# shorter than a week, since config refuses a schedule that leaves no time open.
_CHUNK_DAYS = 9


@dataclass(frozen=True)
class QuietHours:
    """Daily quiet ranges on the site's wall clock, as UTC intervals ("pauses").

    Each weekday has its ranges (``[closing] quiet_hours``, or that day's list in
    ``quiet_hours_by_day``); a range that crosses midnight belongs to the day it starts on.
    A boundary is the first instant the site's clock shows its time: on the night the clock
    is put back (Europe/Zurich: 02:00-03:00 twice, last Sunday of October) the first time; a
    time the clock skips (02:00-03:00, last Sunday of March) takes effect when the clock
    jumps past it, at 03:00 summer time. Ranges that overlap or touch, also from one day
    into the next, make one pause.
    """

    zone: ZoneInfo
    days: tuple[tuple[tuple[int, int], ...], ...]  # Monday first: (start, end) in minutes after midnight

    @classmethod
    def from_settings(cls, closing: ClosingSettings, timezone_name: str) -> QuietHours | None:
        return cls.from_config(closing.quiet_hours, closing.quiet_hours_by_day, timezone_name)

    @classmethod
    def from_config(cls, daily: list[str], by_day: dict[str, list[str]], timezone_name: str) -> QuietHours | None:
        """None when no day has a range. Checked as config checks it (ConfigError)."""
        closing = ClosingSettings(quiet_hours=list(daily), quiet_hours_by_day=dict(by_day))
        closing.validate()
        days = tuple(tuple(closing.quiet_ranges(day)) for day in WEEKDAYS)
        if not any(days):
            return None
        return cls(ZoneInfo(timezone_name), days)

    def pause_at(self, moment: datetime) -> Interval | None:
        """The pause ``moment`` is in, from its start (inclusive) to its end (exclusive)."""
        start, end = next(self.after(moment))
        if start > moment:
            return None
        before = next(self.before(moment))
        # A pause that ran up to ``moment`` is this one (touching pauses are merged); else it
        # begins at ``moment`` exactly.
        return (before[0] if before[1] == moment else moment), end

    def next_change(self, moment: datetime) -> datetime:
        """The first boundary after ``moment``: the end of its pause, or the next start."""
        start, end = next(self.after(moment))
        return start if start > moment else end

    def last_resumed(self, moment: datetime) -> datetime:
        """The end of the last pause that ended at or before ``moment`` (which is in none)."""
        return next(self.before(moment))[1]

    def open_until(self, start: datetime, open_time: timedelta) -> datetime:
        """The moment ``open_time`` outside quiet hours has passed since ``start``."""
        remaining, t = open_time, start
        for pause_start, pause_end in self.after(start):
            if pause_start > t:
                if pause_start - t >= remaining:
                    break
                remaining -= pause_start - t
            t = max(t, pause_end)
        return t + remaining

    def open_since(self, end: datetime, open_time: timedelta) -> datetime:
        """The latest moment from which ``open_time`` outside quiet hours passes by ``end``."""
        remaining, t = open_time, end
        for pause_start, pause_end in self.before(end):
            if pause_end < t:
                if t - pause_end >= remaining:
                    break
                remaining -= t - pause_end
            t = min(t, pause_start)
        return t - remaining

    def after(self, moment: datetime) -> Iterator[Interval]:
        """The quiet time after ``moment``: its pauses in order, for ever; one under way at
        ``moment`` is given from ``moment``."""
        first = self._local_date(moment) - 2 * _DAY
        last = first
        floor: datetime | None = None  # pauses that begin before it were given already
        while True:
            last = max(first + _CHUNK_DAYS * _DAY, last + _DAY)
            # Ranges of later days begin at or after this, so a pause ending before it is whole.
            edge = self._instant(last + _DAY, 0)
            held = None
            for start, end in self._merged(first, last):
                if end <= moment or (floor is not None and start < floor):
                    continue
                if end >= edge:
                    held = start
                    break
                yield max(start, moment), end
            if held is None:
                first, floor = last, edge
            else:  # it may go on beyond the days computed: again, with the days that follow
                first, floor = self._local_date(held) - 2 * _DAY, held

    def before(self, moment: datetime) -> Iterator[Interval]:
        """The quiet time before ``moment``: its pauses, latest first, for ever back; one under
        way at ``moment`` is given up to ``moment``."""
        last = self._local_date(moment) + _DAY
        first = last
        ceiling: datetime | None = None  # pauses that begin after it were given already
        while True:
            first = min(last - _CHUNK_DAYS * _DAY, first - _DAY)
            # Ranges of earlier days end before this, so a pause beginning after it is whole.
            edge = self._instant(first + _DAY, 0)
            held = None
            for start, end in reversed(self._merged(first, last)):
                if start >= moment or (ceiling is not None and start > ceiling):
                    continue
                if start <= edge:
                    held = (start, end)
                    break
                yield start, min(end, moment)
            if held is None:
                last, ceiling = first, edge
            else:
                last, ceiling = self._local_date(held[1]) + _DAY, held[0]

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _merged(self, first: date, last: date) -> list[Interval]:
        """The pauses of the ranges of days ``first`` to ``last``: overlapping or touching
        intervals merged. Exact between ``first`` + 1 day and ``last`` + 1 day, midnight."""
        raw = sorted(interval for offset in range((last - first).days + 1)
                     for interval in self._day_intervals(first + offset * _DAY))
        merged: list[Interval] = []
        for start, end in raw:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (a schedule lives as long as the process)
    def _day_intervals(self, day: date) -> tuple[Interval, ...]:
        intervals = []
        for start, end in self.days[day.weekday()]:
            begins = self._instant(day, start)
            ends = self._instant(day, end if end > start else end + 1440)
            if begins < ends:  # a range inside the hour the clock skips is empty
                intervals.append((begins, ends))
        return tuple(intervals)

    def _instant(self, day: date, minute: int) -> datetime:
        return first_instant(datetime(day.year, day.month, day.day) + timedelta(minutes=minute), self.zone)


def first_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the clock of ``zone`` shows ``wall`` (naive) or a
    later time: the earlier of two when the clock shows it twice, the jump when it skips it."""
    utc = wall.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return utc  # fold=0 is the first of two
    # Skipped: the clock jumps from before ``wall`` to after it between these two readings.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    low_s, high_s = int(low.timestamp()), int(utc.timestamp())
    while high_s - low_s > 1:  # zone transitions fall on whole seconds
        middle = (low_s + high_s) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) > wall:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, timezone.utc)


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
