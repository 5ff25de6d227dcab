"""The closing scheduler: APScheduler around the plain job in closing/jobs.py.

This wrapper adds only what a background job needs: leadership (one instance at a time),
overlap protection, error logging and status for /readyz and /metrics. Settings chosen on
purpose:
* coalesce=True, max_instances=1: runs that piled up (a busy or suspended process) become
  one run; a sweep locks everything due anyway, so extra runs would add nothing.
* misfire_grace_time=None: a late run still runs, however late.
* The sweep also runs at start-up, which locks whatever fell due while the service was down.
* Beside the periodic sweep, a one-off date job fires at the nearest upcoming deadline, so a
  thread is locked within about a second of it. Posting is refused from the deadline on in
  any case (closing/policy.py); the lock makes it visible and stops moderators' new work.
* Quiet hours: another one-off job fires at the next boundary, and every sweep and
  leadership check looks too, so the site hears thread.paused / thread.resumed within about
  a second of it, from the leader only. Posting is paused by the clock in any case.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from moderation.backup import jobs as backup_jobs
from moderation.clock import utc_iso
from moderation.closing import jobs
from moderation.house import jobs as house_jobs
from moderation.leader import Leadership
from moderation.metrics import SCHEDULER_LAST_RUN, THREADS_LOCKED
from moderation.runtime import Runtime
from moderation.webhooks import jobs as webhook_jobs

log = logging.getLogger(__name__)

SWEEP_JOB, DEADLINE_JOB, LEADERSHIP_JOB = "closing-sweep", "closing-next-deadline", "closing-leadership"
QUIET_JOB = "closing-quiet-hours"
# The outbox is pruned by the leader too, so that it stays bounded where no delivery worker runs.
PRUNE_JOB, PRUNE_EVERY_SECONDS = "outbox-prune", 3600
# The house model (issue 23) is retrained nightly by the leader, at [house] train_hour (UTC).
HOUSE_JOB = "house-model-training"
# The daily backup (issue 25), by the leader at [backup] hour (UTC), as the house model's training.
BACKUP_JOB = "daily-backup"
# Also how often the leader re-reads the nearest deadline: an article registered through
# another process (another gunicorn worker or instance) gets its one-off job within this.
LEADERSHIP_CHECK_SECONDS = 2


class ClosingScheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.leadership = Leadership(runtime.db, settings=runtime.settings)
        self.scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._run_lock = threading.Lock()
        self.last_run_at: datetime | None = None
        self.last_locked = 0
        self.total_locked = 0
        self.last_error: str | None = None
        # What this process last knew the site was told (None: unknown, read the database).
        self._announced_paused: bool | None = None
        self._quiet_job_at: datetime | None = None

    def start(self) -> None:
        interval = self.runtime.settings.closing.sweep_interval_seconds
        self.scheduler.add_job(self.run_sweep, IntervalTrigger(seconds=interval), id=SWEEP_JOB,
                               next_run_time=datetime.now(timezone.utc), replace_existing=True)
        self.scheduler.add_job(self._check_leadership, IntervalTrigger(seconds=LEADERSHIP_CHECK_SECONDS),
                               id=LEADERSHIP_JOB, replace_existing=True)
        self.scheduler.add_job(self.run_prune, IntervalTrigger(seconds=PRUNE_EVERY_SECONDS), id=PRUNE_JOB,
                               replace_existing=True)
        self._plan_house_training()
        self._plan_backup()
        self.scheduler.start()
        self.runtime.scheduler = self

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.leadership.release()

    def _is_leader(self) -> bool:
        try:
            return self.leadership.try_acquire()
        except Exception as exc:
            self.last_error = f"leadership: {type(exc).__name__}"
            log.warning("cannot check scheduler leadership: %s", type(exc).__name__)
            return False

    def _check_leadership(self) -> None:
        was_leader = self.leadership.held
        if not self._is_leader():
            # Another process announces meanwhile: read the state again when this one leads.
            self._announced_paused = None
            return
        if not was_leader:
            log.info("this process now runs the closing scheduler")
            self.run_sweep()
        else:
            self.replan()
            self._quiet_hours()

    def run_sweep(self) -> list[str]:
        """One sweep, if this process is the leader; then re-plan the next deadline job."""
        if not self._is_leader():
            return []
        with self._run_lock:
            try:
                locked = jobs.sweep(self.runtime)
            except Exception as exc:
                self.last_error = type(exc).__name__
                log.exception("closing sweep failed; the next run retries")
                return []
            self.last_run_at = datetime.now(timezone.utc)
            SCHEDULER_LAST_RUN.set(self.last_run_at.timestamp())
            THREADS_LOCKED.inc(len(locked))
            self.last_locked = len(locked)
            self.total_locked += len(locked)
            self.last_error = None
            if locked:
                log.info("closing sweep locked %d thread(s)", len(locked))
        self.replan()
        self._quiet_hours()
        return locked

    def run_quiet_hours(self) -> None:
        """At a quiet-hours boundary: announce it, if this process is the leader."""
        if self._is_leader():
            self._quiet_hours()

    def _quiet_hours(self) -> None:
        """Announce a boundary that passed (once for the site), then plan the job at the next."""
        now = self.runtime.now()
        quiet = self.runtime.policy.quiet
        paused = quiet is not None and quiet.pause_at(now) is not None
        if paused != self._announced_paused:  # else nothing to say: no query
            try:
                announced = jobs.announce_quiet_hours(self.runtime, now)
            except Exception as exc:
                self.last_error = f"quiet hours: {type(exc).__name__}"
                log.warning("cannot announce quiet hours; the next check retries: %s", type(exc).__name__)
                return
            self._announced_paused = paused
            if self.last_error and self.last_error.startswith("quiet hours"):
                self.last_error = None
            if announced:
                log.info("quiet hours: announced %s", announced)
        if quiet is None or not self.scheduler.running or not self.leadership.held:
            return
        boundary = quiet.next_change(now)
        if boundary != self._quiet_job_at or self.scheduler.get_job(QUIET_JOB) is None:
            # The runtime clock may be a test clock; APScheduler runs on real time.
            run_at = datetime.now(timezone.utc) + max(boundary - now, timedelta(0))
            self.scheduler.add_job(self.run_quiet_hours, DateTrigger(run_date=run_at), id=QUIET_JOB,
                                   replace_existing=True)
            self._quiet_job_at = boundary

    def run_prune(self) -> int:
        """Prune old deliveries and outbox events ([webhooks] keep_days), if this process leads."""
        if not self._is_leader():
            return 0
        try:
            return webhook_jobs.prune(self.runtime)
        except Exception as exc:
            log.warning("pruning the outbox failed; the next run retries: %s", type(exc).__name__)
            return 0

    def _plan_house_training(self) -> None:
        train_hour = self.runtime.settings.house.train_hour
        if train_hour >= 0:
            trigger = CronTrigger(hour=train_hour, minute=0, timezone=timezone.utc)
            self.scheduler.add_job(self.run_house_training, trigger, id=HOUSE_JOB, replace_existing=True)

    def run_house_training(self):
        """Train the house model and promote it if it beats the current one, if this process leads.

        Returns the outcome (service.TrainingOutcome), or None when another process leads or
        the training failed (logged; the next night retries).
        """
        if not self._is_leader():
            return None
        try:
            outcome = house_jobs.train(self.runtime)
        except Exception as exc:
            log.exception("house model training failed; the next night retries: %s", type(exc).__name__)
            return None
        log.info("house model training: %s%s", "promoted " if outcome.promoted else "",
                 outcome.reason if outcome.version is None else f"house-v{outcome.version}: {outcome.reason}")
        return outcome

    def _plan_backup(self) -> None:
        hour = self.runtime.settings.backup.hour
        if hour >= 0:
            trigger = CronTrigger(hour=hour, minute=0, timezone=timezone.utc)
            self.scheduler.add_job(self.run_backup, trigger, id=BACKUP_JOB, replace_existing=True)

    def run_backup(self):
        """The daily backup, keeping the [backup] keep newest, if this process leads.

        Returns the new backup's path, or None when another process leads or the backup failed
        (logged without a row's content; the next day retries).
        """
        if not self._is_leader():
            return None
        try:
            path, removed = backup_jobs.daily(self.runtime)
        except backup_jobs.service.BackupError as exc:
            # Not the scheduler's last_error: a failed backup must not take the service out of /readyz.
            log.error("daily backup failed; the next day retries: %s", exc)
            return None
        except Exception as exc:
            log.error("daily backup failed; the next day retries: %s", type(exc).__name__)
            return None
        log.info("daily backup %s written, %d older removed", path, len(removed))
        return path

    def replan(self) -> None:
        """Schedule the one-off job at the nearest deadline of a thread still open."""
        if not self.scheduler.running or not self.leadership.held:
            return
        try:
            deadline = jobs.upcoming_deadline(self.runtime)
        except Exception as exc:
            log.warning("cannot plan the next deadline: %s", type(exc).__name__)
            return
        if deadline is None:
            if self.scheduler.get_job(DEADLINE_JOB):
                self.scheduler.remove_job(DEADLINE_JOB)
            return
        # The runtime clock may be a test clock; APScheduler runs on real time.
        delay = max(deadline - self.runtime.now(), timedelta(0))
        run_at = datetime.now(timezone.utc) + delay
        self.scheduler.add_job(self.run_sweep, DateTrigger(run_date=run_at), id=DEADLINE_JOB,
                               replace_existing=True)

    def status(self) -> dict:
        job = self.scheduler.get_job(DEADLINE_JOB) if self.scheduler.running else None
        quiet, now = self.runtime.policy.quiet, self.runtime.now()
        return {
            "ok": self.scheduler.running and self.last_error is None,
            "running": self.scheduler.running,
            "leader": self.leadership.held,
            "last_run_at": self.last_run_at.isoformat() if self.last_run_at else None,
            "last_locked": self.last_locked,
            "next_deadline_job": job.next_run_time.isoformat() if job and job.next_run_time else None,
            "quiet_hours": None if quiet is None else {"paused": quiet.pause_at(now) is not None,
                                                       "next_change": utc_iso(quiet.next_change(now))},
            "error": self.last_error,
        }


def run_forever(runtime: Runtime) -> None:
    """`moderation scheduler`: a dedicated scheduler process, until SIGTERM or SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = ClosingScheduler(runtime)
    scheduler.start()
    log.info("closing scheduler started")
    while not stop.wait(1):
        time.sleep(0)
    scheduler.shutdown()
