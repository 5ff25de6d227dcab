"""Prometheus metrics of one process (no web framework here: jobs record into them too)."""
from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("moderation_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("moderation_http_request_duration_seconds", "Time to answer a request", ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
SCORING_SECONDS = Histogram("moderation_scoring_batch_seconds", "Time to score one batch of comments",
                            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
SCORED = Counter("moderation_comments_scored_total", "Comments scored by this process")
SCORING_FAILURES = Counter("moderation_scoring_failures_total",
                           "Attempts at scoring one comment that raised (the comment was isolated from its batch)")
THREADS_LOCKED = Counter("moderation_threads_locked_total", "Threads locked by this process's closing sweeps")
SCHEDULER_LAST_RUN = Gauge("moderation_scheduler_last_run_timestamp_seconds",
                           "When this process last ran the closing sweep (Unix time)", multiprocess_mode="max")
WEBHOOK_ATTEMPTS = Counter("moderation_webhook_attempts_total", "Webhook delivery attempts made by this process",
                           ["outcome"])
WEBHOOK_LATENCY = Histogram("moderation_webhook_attempt_seconds", "Time a receiver took to answer a webhook",
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
# Set by the scoring worker: 1 while this process has its model loaded, 0 while it cannot load
# it (no weights, no network, no memory). Under gunicorn the live processes' highest value is
# shown: the machine scores when one of them has the model.
SCORING_MODEL_UP = Gauge("moderation_scoring_model_up",
                         "1 while this process's scorer has its model loaded, 0 while it cannot load it",
                         multiprocess_mode="livemax")
