"""Issue 11, point 1: the scoring thread's CPU share is what [scoring] says (Linux)."""
import os
import threading

import pytest

from moderation.config import ConfigError, load_settings
from moderation.scoring.share import apply_cpu_share, pause_after


def share_of_a_new_thread(scheduling: str, niceness: int) -> tuple[int, int]:
    seen = {}

    def work():
        apply_cpu_share(scheduling, niceness)
        tid = threading.get_native_id()
        seen["policy"], seen["nice"] = os.sched_getscheduler(tid), os.getpriority(os.PRIO_PROCESS, tid)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    return seen["policy"], seen["nice"]


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling classes")
def test_normal_scheduling_at_the_configured_niceness_and_the_idle_class_on_request():
    defaults = load_settings({}).scoring
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert (defaults.scheduling, defaults.niceness, defaults.max_busy_fraction) == ("normal", 3, 1.0)
    assert share_of_a_new_thread("normal", defaults.niceness) == (os.SCHED_OTHER, max(own, defaults.niceness))
    assert share_of_a_new_thread("idle", 19) == (os.SCHED_IDLE, 19)
    # Only the scoring thread: the process (its request threads) keeps its priority.
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own


def test_duty_cycle_pauses_in_proportion():
    assert pause_after(2.0, 1.0) == 0
    assert pause_after(2.0, 0.5) == pytest.approx(2.0)
    assert pause_after(1.0, 0.25) == pytest.approx(3.0)  # busy 1 s of every 4


@pytest.mark.parametrize("environ,key", [
    ({"MODERATION_SCORING__SCHEDULING": "realtime"}, "scoring.scheduling"),
    ({"MODERATION_SCORING__MAX_BUSY_FRACTION": "0"}, "scoring.max_busy_fraction"),
    ({"MODERATION_SCORING__MAX_BUSY_FRACTION": "1.5"}, "scoring.max_busy_fraction"),
    ({"MODERATION_SCORING__NICENESS": "20"}, "scoring.niceness"),
    ({"MODERATION_SCORING__MAX_ATTEMPTS": "0"}, "scoring.max_attempts"),
    ({"MODERATION_SCORING__DOWNLOAD_URL": "ftp://mirror/x.ckpt"}, "scoring.download_url"),
    ({"MODERATION_METRICS__TOKEN": "has space"}, "metrics.token"),
    ({"MODERATION_METRICS__REFRESH_SECONDS": "0"}, "metrics.refresh_seconds"),
])
def test_new_settings_are_checked(environ, key):
    with pytest.raises(ConfigError, match=key):
        load_settings(environ)
