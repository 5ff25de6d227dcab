"""A background thread's share of the CPU, set on the thread itself (Linux schedules threads
on their own), so that the scoring and delivery threads yield to the request threads of the
same process without touching them. See scoring/share.py for the two scheduling classes."""
from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


def apply_cpu_share(scheduling: str, niceness: int) -> None:
    """Set the calling thread's scheduling class (``normal`` or ``idle``) and niceness.

    Threads it creates later inherit both (Linux); elsewhere this only logs a warning.
    """
    thread_id = threading.get_native_id()
    try:
        if scheduling == "idle":
            os.sched_setscheduler(thread_id, os.SCHED_IDLE, os.sched_param(0))
        else:
            # Explicit: a thread inherits its creator's class, which may have been lowered.
            os.sched_setscheduler(thread_id, os.SCHED_OTHER, os.sched_param(0))
        if niceness > 0:
            os.setpriority(os.PRIO_PROCESS, thread_id, niceness)
    except (OSError, AttributeError):
        log.warning("cannot set the CPU share of thread %s on this system", threading.current_thread().name)
