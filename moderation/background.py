"""Background parts of a serving process: the closing scheduler, the scoring worker and the
webhook delivery worker."""
from __future__ import annotations

import atexit
import logging

from moderation.runtime import Runtime

log = logging.getLogger(__name__)


def start_background(runtime: Runtime) -> None:
    from moderation.rundir import runtime_dir

    settings = runtime.settings
    # Before any part starts: an unsafe runtime directory refuses the start as a whole.
    runtime_dir(settings)
    if settings.closing.run_scheduler:
        from moderation.closing.scheduler import ClosingScheduler

        scheduler = ClosingScheduler(runtime)
        scheduler.start()
        atexit.register(scheduler.shutdown)
    if settings.scoring.run_worker and settings.scoring.backend != "none":
        from moderation.scoring.worker import ScoringWorker

        worker = ScoringWorker(runtime, one_per_machine=True)
        worker.start()
        atexit.register(worker.stop)
        if settings.analyzer.enabled:
            # Analyze requests use the model this worker loads, when it is the machine's scorer.
            from moderation.analyzer.host import AnalyzerHost

            host = AnalyzerHost(runtime, worker)
            host.start()
            atexit.register(host.stop)
    if settings.webhooks.enabled and settings.webhooks.run_worker:
        # A process of its own (one per machine), not a thread: see webhooks/process.py.
        from moderation.webhooks.process import DeliveryProcess

        deliveries = DeliveryProcess(runtime)
        deliveries.start()
        atexit.register(deliveries.stop)
