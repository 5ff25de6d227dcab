"""Quiet hours tell the site (issue 26, point 4): thread.paused and thread.resumed once per
boundary for the whole site, sent by the scheduler's leader only; /metrics shows the state."""
from datetime import datetime, timedelta, timezone

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from moderation.app import create_app
from moderation.closing.jobs import announce_quiet_hours
from moderation.closing.scheduler import ClosingScheduler
from moderation.db import Database
from moderation.events.models import DomainEvent
from moderation.runtime import Runtime
from tests.closing.test_scheduler import wait_for
from tests.conftest import base_settings
from tests.factories import make_article

SECOND = timedelta(seconds=1)
PAUSE, RESUME = datetime(2026, 11, 25, 22, tzinfo=timezone.utc), datetime(2026, 11, 26, 5, tzinfo=timezone.utc)


@pytest.fixture
def settings(database_url):
    # Wednesday 23:00 to Thursday 06:00 in Zurich (CET): 22:00 to 05:00 UTC.
    return base_settings(database_url, closing={"quiet_hours": ["23:00-06:00"]})


def announced(runtime) -> list[tuple]:
    with runtime.db.transaction(write=False) as session:
        rows = session.execute(select(DomainEvent.type, DomainEvent.at, DomainEvent.article_id, DomainEvent.data)
                               .where(DomainEvent.type.in_(["thread.paused", "thread.resumed"]))
                               .order_by(DomainEvent.id)).all()
    return [tuple(row) for row in rows]


def test_each_boundary_is_announced_once_for_the_site(runtime, clock):
    make_article(runtime, "a-1")
    make_article(runtime, "a-2")
    assert announce_quiet_hours(runtime) is None  # open, and nothing was paused before
    for moment in (PAUSE - SECOND, PAUSE, PAUSE + SECOND, PAUSE + timedelta(hours=1)):
        clock.set(moment)
        assert announce_quiet_hours(runtime) == ("thread.paused" if moment == PAUSE else None)
    assert announced(runtime) == [("thread.paused", PAUSE, None, {"paused_at": "2026-11-25T22:00:00Z",
                                                                   "resumes_at": "2026-11-26T05:00:00Z"})]
    for moment in (RESUME - SECOND, RESUME, RESUME + SECOND):
        clock.set(moment)
        assert announce_quiet_hours(runtime) == ("thread.resumed" if moment == RESUME else None)
    assert announced(runtime)[1:] == [("thread.resumed", RESUME, None, {"resumed_at": "2026-11-26T05:00:00Z",
                                                                        "next_pause_at": "2026-11-26T22:00:00Z"})]


def test_a_pause_found_late_is_announced_from_its_start_and_a_missed_one_not_at_all(runtime, clock):
    clock.set(PAUSE + timedelta(hours=3))  # the service was down at 23:00
    assert announce_quiet_hours(runtime) == "thread.paused"
    assert announced(runtime)[0][1] == PAUSE
    clock.set(PAUSE + timedelta(days=1, hours=1))  # down again from before 06:00 to after 23:00
    assert announce_quiet_hours(runtime) is None  # the site has been told: paused
    clock.set(RESUME + timedelta(days=1))
    assert announce_quiet_hours(runtime) == "thread.resumed"
    assert len(announced(runtime)) == 2


def test_quiet_hours_removed_during_a_pause_resume_at_once(runtime, settings, clock):
    clock.set(PAUSE + timedelta(hours=1))
    assert announce_quiet_hours(runtime) == "thread.paused"
    without = Runtime(settings.replace(closing={"quiet_hours": []}), clock=clock, database=runtime.db)
    assert announce_quiet_hours(without) == "thread.resumed"
    assert announced(runtime)[-1] == ("thread.resumed", clock.now(), None,
                                      {"resumed_at": "2026-11-25T23:00:00Z", "next_pause_at": None})
    assert announce_quiet_hours(without) is None


def test_two_instances_one_leader_announces_each_boundary_once(committed_runtime, settings, engine, clock):
    clock.set(PAUSE - SECOND)
    instances = [ClosingScheduler(Runtime(settings, clock=clock, database=Database(settings.database, engine)))
                 for _ in range(2)]
    for instance in instances:
        instance.start()
    try:
        assert wait_for(lambda: sum(i.status()["leader"] for i in instances) == 1)
        leader = next(i for i in instances if i.status()["leader"])
        assert leader.status()["quiet_hours"] == {"paused": False, "next_change": "2026-11-25T22:00:00Z"}
        clock.set(PAUSE)
        assert wait_for(lambda: len(announced(committed_runtime)) == 1)
        clock.set(RESUME)
        assert wait_for(lambda: len(announced(committed_runtime)) == 2)
        # Both keep looking (every leadership check): nothing more is announced.
        checks = [i.scheduler.get_job("closing-leadership").next_run_time for i in instances]
        assert wait_for(lambda: all(i.scheduler.get_job("closing-leadership").next_run_time > checks[n]
                                    for n, i in enumerate(instances)))
        assert [event[0] for event in announced(committed_runtime)] == ["thread.paused", "thread.resumed"]
    finally:
        for instance in instances:
            instance.shutdown()


def gauges(client) -> dict[str, float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {sample.name: sample.value for family in text_string_to_metric_families(text)
            if family.name.startswith("moderation_quiet_hours") for sample in family.samples}


def test_metrics_show_the_pause(runtime, clock):
    client = create_app(runtime=runtime).test_client()
    assert gauges(client) == {"moderation_quiet_hours_paused": 0.0,
                              "moderation_quiet_hours_next_change_timestamp_seconds": PAUSE.timestamp()}
    clock.set(PAUSE)
    assert gauges(client) == {"moderation_quiet_hours_paused": 1.0,
                              "moderation_quiet_hours_next_change_timestamp_seconds": RESUME.timestamp()}


def test_metrics_without_quiet_hours(database_url, clock, runtime):
    plain = Runtime(base_settings(database_url), clock=clock, database=runtime.db)
    assert gauges(create_app(runtime=plain).test_client()) == {"moderation_quiet_hours_paused": 0.0}
