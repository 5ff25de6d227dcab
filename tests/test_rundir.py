"""The runtime directory (issue 20, point 4): the machine locks and local sockets live in a
folder only the service's account can use, never in the shared temp folder, where another
local account could create them first (and receive readers' texts, answer analyze requests
with its own scores, or keep scoring and webhook delivery on standby forever)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from moderation import rundir
from moderation.config import ConfigError, Settings
from moderation.db import Database
from moderation.leader import LockRefused, MachineLock
from moderation.runtime import Runtime

NOBODY = 65534  # another local account
ROOT = Path(__file__).resolve().parent.parent


def _settings(path) -> Settings:
    return Settings().replace(server={"runtime_dir": str(path)})


def test_default_is_xdg_runtime_dir_else_instance_runtime():
    assert rundir.configured_path(Settings(), {"XDG_RUNTIME_DIR": "/run/user/1000"}) == "/run/user/1000/moderation"
    # Beside the default SQLite database: instance/ of the working directory.
    assert rundir.configured_path(Settings(), {}) == os.path.abspath(os.path.join("instance", "runtime"))
    assert rundir.configured_path(_settings("/srv/run/moderation"), {"XDG_RUNTIME_DIR": "/x"}) == \
        "/srv/run/moderation"


def test_created_private_on_first_use(tmp_path):
    path = tmp_path / "parent" / "run"
    assert rundir.runtime_dir(_settings(path)) == str(path)
    info = os.lstat(path)
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.geteuid()


def test_symlinked_runtime_dir_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "run").symlink_to(real)
    with pytest.raises(ConfigError, match="server.runtime_dir: .*symbolic link"):
        rundir.runtime_dir(_settings(tmp_path / "run"))


@pytest.mark.parametrize("mode", [0o777, 0o750, 0o705])
def test_group_or_world_accessible_runtime_dir_is_refused(tmp_path, mode):
    path = tmp_path / "run"
    path.mkdir()
    os.chmod(path, mode)
    with pytest.raises(ConfigError, match="server.runtime_dir: .*accessible"):
        rundir.runtime_dir(_settings(path))


def test_runtime_dir_of_another_account_is_refused(tmp_path):
    path = tmp_path / "run"
    path.mkdir(mode=0o700)
    os.chown(path, NOBODY, NOBODY)
    with pytest.raises(ConfigError, match=f"server.runtime_dir: .*owned by uid {NOBODY}"):
        rundir.runtime_dir(_settings(path))


def test_a_path_too_long_for_a_socket_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="server.runtime_dir: .*too long"):
        rundir.runtime_dir(_settings(tmp_path / ("x" * 90)))


def test_serving_process_refuses_to_start_on_an_unsafe_runtime_dir(runtime, tmp_path):
    from moderation.background import start_background

    path = tmp_path / "run"
    path.mkdir(mode=0o777)
    os.chmod(path, 0o777)
    settings = runtime.settings.replace(server={"runtime_dir": str(path)}, closing={"run_scheduler": True},
                                        scoring={"run_worker": True}, webhooks={"run_worker": True})
    unsafe = Runtime(settings, clock=runtime.clock, database=runtime.db)
    with pytest.raises(ConfigError, match="server.runtime_dir"):
        start_background(unsafe)
    assert unsafe.scheduler is None and unsafe.scoring is None and unsafe.webhooks is None


def test_locks_and_sockets_land_in_the_runtime_dir_never_in_the_temp_folder(settings, engine, tmp_path,
                                                                           monkeypatch):
    from moderation.analyzer import ipc
    from moderation.analyzer.host import AnalyzerHost, socket_path
    from moderation.closing.scheduler import ClosingScheduler
    from moderation.scoring.worker import ScoringWorker
    from moderation.webhooks.process import DeliveryProcess, listen_for_wakes, wake_path

    temp = tmp_path / "shared-temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    run = tmp_path / "run"
    runtime = Runtime(settings.replace(server={"runtime_dir": str(run)}),
                      database=Database(settings.database, engine))
    scorer = ScoringWorker(runtime, one_per_machine=True)
    host = AnalyzerHost(runtime, scorer)
    deliveries = DeliveryProcess(runtime)
    scheduler = ClosingScheduler(runtime)
    locks = [scorer._machine_lock, host._lock, deliveries._lock]
    server = listener = None
    try:
        assert all(lock.try_acquire() for lock in locks)
        assert scheduler.leadership.try_acquire()
        server = ipc.AnalyzerServer(socket_path(runtime), lambda texts, languages, deadline: [])
        listener = listen_for_wakes(wake_path(runtime), lambda: None)
        made = sorted(os.listdir(run))
        assert [name for name in made if name.endswith(".lock")] and \
            [name for name in made if name.endswith(".sock")] and [name for name in made if name.endswith(".wake")]
        for path in [lock.path for lock in locks] + [socket_path(runtime), wake_path(runtime)]:
            assert os.path.dirname(path) == str(run)
        assert os.listdir(temp) == []
        if runtime.db.is_sqlite:  # on PostgreSQL the scheduler holds an advisory lock, no file
            assert any(name.startswith("scheduler-") for name in made)
    finally:
        for lock in locks:
            lock.release()
        scheduler.leadership.release()
        if server is not None:  # never served: close() would wait for serve_forever
            server.server_close()
        if listener is not None:
            listener.close()
        deliveries._waker._socket.close()


def test_a_lock_path_planted_as_a_symlink_is_not_followed(tmp_path):
    run = tmp_path / "run"
    lock = MachineLock.for_settings(_settings(run), "sqlite:///x.db", "scorer")
    target = tmp_path / "elsewhere"
    os.symlink(target, lock.path)
    with pytest.raises(LockRefused, match="symbolic link"):
        lock.try_acquire()
    assert not target.exists() and not lock.held


def test_a_lock_file_of_another_account_is_refused(tmp_path):
    run = tmp_path / "run"
    lock = MachineLock.for_settings(_settings(run), "sqlite:///x.db", "scorer")
    with open(lock.path, "w"):
        pass
    os.chown(lock.path, NOBODY, NOBODY)
    with pytest.raises(LockRefused, match=f"owned by uid {NOBODY}"):
        lock.try_acquire()
    assert not lock.held


def test_lock_files_are_not_inherited_by_child_processes(tmp_path):
    lock = MachineLock.for_settings(_settings(tmp_path / "run"), "sqlite:///x.db", "scorer")
    try:
        assert lock.try_acquire()
        assert not os.get_inheritable(lock._file.fileno())
        assert stat.S_IMODE(os.stat(lock.path).st_mode) == 0o600
    finally:
        lock.release()


def test_moderation_serve_refuses_an_unsafe_runtime_dir_in_one_line(tmp_path):
    path = tmp_path / "run"
    path.mkdir()
    os.chmod(path, 0o777)
    # PYTHONPATH: this checkout's code, whatever the virtual environment has installed.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           "MODERATION_SCORING__BACKEND": "none", "MODERATION_SERVER__RUNTIME_DIR": str(path)}
    result = subprocess.run([sys.executable, "-m", "moderation.cli", "serve", "--port", "1"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"moderation: invalid configuration: server.runtime_dir: {path} is accessible "
                                     f"to other accounts (mode 777); make it 0700 (chmod 700 {path})")
