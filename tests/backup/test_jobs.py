"""The daily backup: planned at [backup] hour, run by the leader only, keeping the [backup] keep newest."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest

from moderation.backup import service
from moderation.closing.scheduler import BACKUP_JOB, ClosingScheduler
from moderation.config import ConfigError, Settings
from moderation.leader import Leadership
from moderation.runtime import Runtime
from tests.factories import make_article, make_comment


def test_the_daily_backup_runs_under_leadership_and_keeps_the_newest(committed_runtime, settings, tmp_path):
    directory = tmp_path / "backups"
    runtime = Runtime(settings.replace(backup={"hour": 2, "directory": str(directory), "keep": 2}),
                      clock=committed_runtime.clock, database=committed_runtime.db)
    make_comment(runtime, make_article(runtime))
    (directory / "notes-by-hand").mkdir(parents=True)  # not a daily backup: never pruned
    scheduler = ClosingScheduler(runtime)
    other = Leadership(runtime.db, settings=settings)
    try:
        assert other.try_acquire()
        assert scheduler.run_backup() is None  # another process leads
        assert os.listdir(directory) == ["notes-by-hand"]
        other.release()
        made = []
        for _ in range(3):
            made.append(scheduler.run_backup())
            runtime.clock.advance(timedelta(days=1))
        assert all(path is not None for path in made)
        assert sorted(os.listdir(directory)) == sorted([made[1].name, made[2].name, "notes-by-hand"])
        assert made[2].name == "moderation-20261127T080000Z"
        for path in made[1:]:
            assert service.verify(path).manifest["counts"]["comments"] == 1
    finally:
        other.release()
        scheduler.leadership.release()


def test_a_failed_daily_backup_is_logged_without_stopping_the_scheduler(committed_runtime, settings, tmp_path,
                                                                         caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    runtime = Runtime(settings.replace(backup={"hour": 2, "directory": str(blocked / "sub"), "keep": 2}),
                      clock=committed_runtime.clock, database=committed_runtime.db)
    scheduler = ClosingScheduler(runtime)
    try:
        assert scheduler.run_backup() is None
        assert "daily backup failed" in caplog.text
        assert scheduler.last_error is None  # /readyz stays green
    finally:
        scheduler.leadership.release()


def test_the_daily_backup_is_planned_at_the_configured_hour_or_not_at_all(runtime, settings):
    for hour, planned in ((4, True), (-1, False)):
        configured = type(runtime)(settings.replace(backup={"hour": hour}), clock=runtime.clock, database=runtime.db)
        scheduler = ClosingScheduler(configured)
        scheduler._plan_backup()
        job = scheduler.scheduler.get_job(BACKUP_JOB)
        assert (job is not None) is planned
        if planned:
            assert "hour='4'" in str(job.trigger) and "minute='0'" in str(job.trigger)


@pytest.mark.parametrize("values, message", [
    ({"hour": 24}, "backup.hour"), ({"hour": -2}, "backup.hour"), ({"keep": 0}, "backup.keep"),
    ({"directory": " "}, "backup.directory"),
])
def test_the_backup_section_is_validated(values, message):
    with pytest.raises(ConfigError, match=message):
        Settings().replace(backup=values).validate()


def test_the_backup_section_defaults_to_no_daily_backup():
    assert Settings().backup.hour == -1 and Settings().backup.keep == 7
