"""Issue 25, point 2: the deployment files under deploy/ are checked by the tools that will
read them (systemd-analyze verify, nginx -t) and the web unit is started as systemd would
start it: its environment, its ExecStartPre commands, then gunicorn with
deploy/gunicorn.conf.py on a socket handed over by systemd-socket-activate."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import base_settings
from tests.ops.tools import tool

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
# Where the units expect the code; the tests run this checkout's virtual environment instead.
VENV_BIN = Path(sys.executable).parent
INSTALLED = {"/opt/moderation/.venv/bin": str(VENV_BIN), "/opt/moderation/deploy": str(DEPLOY)}
SERVICES = ["moderation-web.service", "moderation-worker.service", "moderation-webhooks.service",
            "moderation-backup.service"]
HARDENING = {"User": "moderation", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
             "ProtectHome": "yes", "StateDirectory": None, "RuntimeDirectory": None, "RuntimeDirectoryMode": "0700",
             "RuntimeDirectoryPreserve": "yes", "CapabilityBoundingSet": ""}


def directives(path: Path) -> dict[str, list[str]]:
    """Every Key=value of a unit file, values in order (comments and sections dropped)."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def installed_copy(source: Path, target: Path, more: dict[str, str] | None = None) -> Path:
    text = source.read_text()
    for old, new in {**INSTALLED, **(more or {})}.items():
        text = text.replace(old, new)
    target.write_text(text)
    return target


def test_units_have_the_hardening_and_share_the_runtime_directory():
    for name in SERVICES:
        found = directives(UNITS / name)
        for key, value in HARDENING.items():
            assert key in found, f"{name}: no {key}="
            if value is not None:
                assert found[key][-1] == value, f"{name}: {key}={found[key][-1]}"
        # The folder [server] runtime_dir names is the one systemd creates for the unit.
        assert "moderation" in found["RuntimeDirectory"][0].split()
        assert "MODERATION_SERVER__RUNTIME_DIR=/run/moderation" in found["Environment"]
        assert "moderation" in found["StateDirectory"][0].split()
        assert found["WorkingDirectory"] == ["/var/lib/moderation"]
    commands = {name: directives(UNITS / name)["ExecStart"][0] for name in SERVICES}
    assert commands["moderation-worker.service"].endswith("/moderation worker")
    assert commands["moderation-webhooks.service"].endswith("/moderation webhooks worker")
    assert commands["moderation-backup.service"].endswith("/moderation db backup /var/lib/moderation/backups/")
    assert "-c /opt/moderation/deploy/gunicorn.conf.py" in commands["moderation-web.service"]
    assert directives(UNITS / "moderation-backup.timer")["OnCalendar"]


def test_systemd_analyze_verify(tmp_path):
    analyze = tool("systemd-analyze")
    names = SERVICES + ["moderation-web.socket", "moderation-backup.timer"]
    copies = [str(installed_copy(UNITS / name, tmp_path / name)) for name in names]
    result = subprocess.run([analyze, "verify", "--man=no", *copies], capture_output=True, text=True, timeout=120)
    # Unknown or misspelt keys are only warnings to systemd (rc 0): any output fails here.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), \
        result.stdout + result.stderr


def test_systemd_analyze_security_rates_the_services_well_hardened(tmp_path):
    """systemd's own exposure rating (0 best, 10 worst): each service must stay at 2.0 or
    below (1.4 when written; what is left is the network, which a web service needs)."""
    analyze = tool("systemd-analyze")
    copies = [str(installed_copy(UNITS / name, tmp_path / name)) for name in SERVICES]
    result = subprocess.run([analyze, "security", "--offline=true", "--threshold=20", "--no-pager", *copies],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert result.stdout.count("Overall exposure level") == len(SERVICES)


def test_systemd_analyze_verify_catches_a_misspelt_key(tmp_path):
    """The check above is not vacuous: a typo in a hardening key is reported."""
    analyze = tool("systemd-analyze")
    copy = installed_copy(UNITS / "moderation-worker.service", tmp_path / "moderation-worker.service",
                          {"ProtectSystem=strict": "ProtectSystm=strict"})
    result = subprocess.run([analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=120)
    assert "ProtectSystm" in result.stderr


def nginx_config(tmp_path: Path, site_replacements: dict[str, str] | None = None) -> Path:
    """A throwaway nginx.conf that includes the site (with a self-signed certificate), as
    Debian's includes sites-enabled/* inside http {}."""
    openssl = tool("openssl")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=moderation.example.ch", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True, timeout=60)
    installed_copy(DEPLOY / "nginx" / "moderation.conf", tmp_path / "site.conf", {
        "/etc/letsencrypt/live/moderation.example.ch/fullchain.pem": str(tmp_path / "cert.pem"),
        "/etc/letsencrypt/live/moderation.example.ch/privkey.pem": str(tmp_path / "key.pem"),
        "/var/cache/nginx/moderation": str(tmp_path / "cache"), **(site_replacements or {})})
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                         "uwsgi", "scgi"))
    config = tmp_path / "nginx.conf"
    config.write_text(f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
                      f"http {{\n  access_log off;\n  {temp}\n  include {tmp_path / 'site.conf'};\n}}\n")
    return config


def test_nginx_accepts_the_site(tmp_path):
    nginx = tool("nginx")
    config = nginx_config(tmp_path)
    result = subprocess.run([nginx, "-t", "-e", str(tmp_path / "error.log"), "-c", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_site_forwards_the_client_address_and_caches_only_public_reads():
    site = "\n".join(line for line in (DEPLOY / "nginx" / "moderation.conf").read_text().splitlines()
                     if not line.strip().startswith("#"))
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_cache_revalidate on;" in site and "proxy_cache_valid" not in site
    assert "proxy_no_cache $http_authorization $cookie_moderation_console;" in site
    assert "listen 443 ssl" in site
    # Debian's sites-enabled are included inside http {}: no top-level block of another context.
    assert "http {" not in site and "events {" not in site
    # The console's cookie name and path are the ones the site names.
    from moderation.console.web import COOKIE, PREFIX

    assert COOKIE == "moderation_console" and f"location {PREFIX}/ " in site


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextlib.contextmanager
def web_unit(url: str, **extra_env: str):
    """The web unit's commands, run as systemd would (environment, ExecStartPre, ExecStart on
    an inherited socket); yields (port, runtime directory base, environment)."""
    activate = tool("systemd-socket-activate")
    unit = directives(UNITS / "moderation-web.service")
    # A short folder: the runtime directory must leave room for its sockets' names.
    base = Path(tempfile.mkdtemp(prefix="m25-", dir="/tmp"))
    paths = {**INSTALLED, "/run/moderation-web": str(base / "run-web"), "/run/moderation": str(base / "run"),
             "/var/lib/moderation": str(base / "state")}

    def installed(value: str) -> str:
        for old, new in paths.items():
            value = value.replace(old, new)
        return value

    (base / "state").mkdir()
    (base / "run-web").mkdir(mode=0o700)
    env = {"PATH": os.environ["PATH"], "MODERATION_DATABASE__URL": url.replace("STATE", str(base / "state")),
           "MODERATION_SCORING__BACKEND": "none", "MODERATION_SCORING__ALLOW_DOWNLOAD": "false", **extra_env}
    for assignment in unit["Environment"]:
        key, _, value = assignment.partition("=")
        env[key] = installed(value)
    cwd = installed(unit["WorkingDirectory"][0])
    for command in unit["ExecStartPre"]:
        subprocess.run(shlex.split(installed(command)), env=env, cwd=cwd, check=True, timeout=300,
                       capture_output=True)
    assert Path(env["PROMETHEUS_MULTIPROC_DIR"]).is_dir()

    port = free_port()
    log = open(base / "gunicorn.log", "wb")
    server = subprocess.Popen([activate, "-l", f"127.0.0.1:{port}", *[f"-E{key}={value}" for key, value in env.items()],
                               *shlex.split(installed(unit["ExecStart"][0]))],
                              cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                status = None
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, (base / "gunicorn.log").read_text()[-3000:]
        yield port, base, env
    finally:
        stop(server)
        log.close()


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_web_unit_starts_gunicorn_with_its_configuration(backend, database_url):
    """gunicorn loads deploy/gunicorn.conf.py, serves /healthz and /readyz, and keeps its
    control socket in the unit's runtime directory."""
    assert directives(UNITS / "moderation-web.socket")["ListenStream"] == ["127.0.0.1:8000"]
    url = "sqlite:///STATE/moderation.db" if backend == "sqlite" else database_url
    with web_unit(url) as (port, base, env):
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and body["ready"] is True and body["checks"]["database"]["ok"] is True
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"})
        # No scorer or delivery worker here: their own units run them.
        assert "scorer" not in body["checks"]
        # deploy/gunicorn.conf.py put gunicorn's control socket in the unit's runtime directory.
        assert (base / "run" / "gunicorn.ctl").exists()
        assert oct((base / "run").stat().st_mode & 0o777) == "0o700"
        # gunicorn took the socket systemd passed, not MODERATION_BIND's default.
        assert "0.0.0.0:8000" not in (base / "gunicorn.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            assert b"moderation_http_requests_total" in response.read()
        assert any(Path(env["PROMETHEUS_MULTIPROC_DIR"]).iterdir())


def through_nginx(port: int, method: str, path: str, body: dict | None = None, **headers: str):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Host": "moderation.example.ch", "Content-Type": "application/json",
                                              **headers})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_nginx_in_front_of_the_web_unit(tmp_path):
    """The site, run: the reader's address is the one nginx saw (not one the client invented),
    public thread reads are cached and revalidated with If-None-Match (the service answers
    304), requests with a key bypass the cache. SQLite only: this is nginx's behaviour."""
    nginx = tool("nginx")
    with web_unit("sqlite:///STATE/moderation.db", MODERATION_RATELIMIT__TRUSTED_PROXIES="1",
                  MODERATION_CLOSING__RUN_SCHEDULER="false") as (port, _base, env):
        from moderation.app import create_app  # noqa: F401  (the models, for the factories)
        from moderation.comments.models import Comment
        from moderation.db import Database
        from moderation.runtime import Runtime
        from tests.factories import make_article, make_key

        runtime = Runtime(base_settings(env["MODERATION_DATABASE__URL"]))
        key, article = make_key(runtime, "frontend"), make_article(runtime, "a-nginx")
        https, plain_port = free_port(), free_port()
        config = nginx_config(tmp_path, {"server 127.0.0.1:8000;": f"server 127.0.0.1:{port};",
                                         "listen [::]:80;": "", "listen [::]:443 ssl http2;": "",
                                         "listen 80;": f"listen 127.0.0.1:{plain_port};",
                                         "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;"})
        if os.geteuid() == 0:  # the workers would run as nobody, who cannot enter the test's folder
            config.write_text("user root;\n" + config.read_text())
        proxy = subprocess.Popen([nginx, "-e", str(tmp_path / "error.log"), "-c", str(config), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", https), timeout=1).close()
                    break
                except OSError:
                    assert proxy.poll() is None, (tmp_path / "error.log").read_text()
                    time.sleep(0.1)
            status, _, answer = through_nginx(https, "POST", f"/api/v1/articles/{article}/comments",
                                              {"author": {"id": "u-1", "name": "Lectrice"}, "body": "Merci !"},
                                              Authorization=f"Bearer {key}", **{"X-Forwarded-For": "10.9.9.9"})
            assert status == 202, answer
            with Database(runtime.settings.database).transaction(write=False) as session:
                assert session.get(Comment, json.loads(answer)["id"]).reader_address == "127.0.0.1"

            path = f"/api/v1/articles/{article}/comments"
            first = through_nginx(https, "GET", path)
            assert first[0] == 200 and first[1]["ETag"] and first[1]["X-Cache-Status"] == "MISS"
            assert first[1]["Strict-Transport-Security"]
            assert through_nginx(https, "GET", path)[1]["X-Cache-Status"] == "HIT"
            assert through_nginx(https, "GET", path, Authorization=f"Bearer {key}")[1]["X-Cache-Status"] == "BYPASS"
            # Once max_age has passed nginx revalidates its copy: the service answers 304.
            deadline, revalidated = time.monotonic() + 60, 0.0
            while time.monotonic() < deadline and not revalidated:
                status, headers, body = through_nginx(https, "GET", path)
                assert status == 200 and json.loads(body)["comments"] == []  # pending: not public yet
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                    for line in response.read().decode().splitlines():
                        if (line.startswith("moderation_http_requests_total{") and 'status="304"' in line
                                and 'route="/api/v1/articles/{article_id}/comments"' in line):
                            revalidated = float(line.rsplit(" ", 1)[1])
                time.sleep(0.5)
            assert revalidated >= 1
            plain = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10)
            plain.request("GET", path, headers={"Host": "moderation.example.ch"})
            redirect = plain.getresponse()
            assert redirect.status == 301 and redirect.getheader("Location") == f"https://moderation.example.ch{path}"
            plain.close()
        finally:
            stop(proxy)


def test_gunicorn_configuration_forgets_the_live_gauges_of_an_exited_worker(tmp_path, monkeypatch):
    """A worker that died with its model loaded must not keep moderation_scoring_model_up at 1."""
    import runpy
    from types import SimpleNamespace

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("MODERATION_SERVER__RUNTIME_DIR", str(tmp_path / "run"))
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    (tmp_path / "gauge_livemax_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")
    config["child_exit"](None, SimpleNamespace(pid=4242))
    assert not (tmp_path / "gauge_livemax_4242.db").exists()
    assert (tmp_path / "counter_4242.db").exists()  # counters keep adding up
