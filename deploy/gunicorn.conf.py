"""The gunicorn configuration file: `gunicorn -c deploy/gunicorn.conf.py`.

Options given on the command line win over these (e.g. `-w 4`, `--access-logfile -`).
"""
import os

wsgi_app = "moderation.server:application()"
# MODERATION_BIND has no "__": the service's own settings (MODERATION_<SECTION>__<KEY>) ignore it.
bind = os.environ.get("MODERATION_BIND", "0.0.0.0:8000")
workers = 2
worker_class = "gthread"
threads = 8
# Redacts keys in gunicorn's own logs too: it logs requests it refuses before the application
# (and its redacting middleware) sees them.
logger_class = "moderation.server.KeyRedactingLogger"


def _control_socket() -> str:
    # gunicorn's control socket in the service's private runtime directory ([server]
    # runtime_dir), not in ~/.gunicorn where every server of the account would share one.
    from moderation import rundir
    from moderation.config import load_settings

    return os.path.join(rundir.ensure(rundir.configured_path(load_settings())), "gunicorn.ctl")


control_socket = _control_socket()


def child_exit(server, worker) -> None:
    # A worker that exits leaves its metric files in PROMETHEUS_MULTIPROC_DIR: its live gauges
    # (moderation_scoring_model_up) must stop counting, as prometheus_client's guide says.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
