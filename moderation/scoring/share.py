"""The scoring thread's share of the CPU ([scoring] scheduling, niceness, max_busy_fraction).

Linux schedules threads on their own, so the scoring thread (in which the model computes
when [scoring] threads = 1, and which creates torch's other threads otherwise) gets its
own priority without touching the request threads of the same process:

* ``normal``: the ordinary scheduler at a positive niceness. Under a saturating load every
  runnable thread gets CPU in proportion to its weight (1.25^-niceness of a niceness-0
  thread's), so the scorer keeps a bounded, guaranteed share and makes progress; on an idle
  machine it gets the whole core.
* ``idle``: Linux's SCHED_IDLE class, only CPU time that nobody else wants. Intake loses
  nothing to scoring, but scoring stops entirely while the machine stays busy.

A duty cycle (``max_busy_fraction`` < 1) also bounds the scorer's use of wall time: after a
batch that took t seconds it pauses t x (1 - f) / f.
"""
from __future__ import annotations

from moderation.cpu import apply_cpu_share

__all__ = ["apply_cpu_share", "pause_after"]


def pause_after(busy_seconds: float, max_busy_fraction: float) -> float:
    """Seconds to pause after ``busy_seconds`` of work so that work stays within the fraction."""
    if max_busy_fraction >= 1 or busy_seconds <= 0:
        return 0.0
    return busy_seconds * (1 - max_busy_fraction) / max_busy_fraction
