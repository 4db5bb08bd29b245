"""Real nginx, gunicorn and `manage.py` runs for the tests of the public site served from the static copy.

Each process works on a database and folders of the test's own (cms.settings.test_serving: the
production settings with the test's folders), never the pytest-django database, so the servers can
share one site across a module's tests. ``request()`` talks HTTP/1.1 without following redirects.
"""

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INSTALL_NGINX = ROOT / "scripts" / "install-nginx.sh"


def nginx_binary():
    """Debian's nginx, installed by scripts/install-nginx.sh if it is missing (as `make test` does);
    the test is skipped, saying how to install it, only when that cannot be done here (no root)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if found:
        return found
    result = subprocess.run([INSTALL_NGINX], capture_output=True, text=True, check=False)
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not found:
        pytest.skip(f"nginx is not installed and could not be installed here: {result.stderr.strip()}")
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid):
    """Whether the process ``pid`` still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(condition, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"{what}: not after {timeout} s"
        time.sleep(interval)
    return result


@dataclass
class Response:
    status: int
    headers: Message  # Case-insensitive: headers["cache-control"]; get_all() for repeated ones.
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


def request(port, path, method="GET", headers=None, body=None, timeout=15):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        message = Message()
        for name, value in response.getheaders():
            message[name] = value
        return Response(response.status, message, response.read())
    finally:
        connection.close()


HTTPS = {"X-Forwarded-Proto": "https"}  # What the TLS terminator in front of nginx adds.


def serving_env(folder, **overrides):
    """The environment of a server on this test's database and folders, with the production settings."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}{os.pathsep}/usr/sbin",
        "DJANGO_SETTINGS_MODULE": "cms.settings.test_serving",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "staticfiles"),
        "STATIC_EXPORT_SNAPSHOTS_DIR": str(folder / "snapshots"),
        "STATIC_EXPORT_STORE": str(folder / "store"),
    }
    for name in ("DJANGO_INSECURE_LOCAL_HTTP", "DJANGO_TASK_WORKER", "AXES_IPWARE_PROXY_COUNT"):
        env.pop(name, None)
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(env, *args, stdin=None, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Process:
    """A server in its own process group, its output in a log file; ``stop()`` ends the group."""

    def __init__(self, command, env, log_path):
        self.log_path = log_path
        with log_path.open("a") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self):
        return self.log_path.read_text(errors="replace")

    def alive(self):
        return self.process.poll() is None

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def answers(port, path="/", headers=HTTPS):
    try:
        return request(port, path, headers=headers, timeout=2).status < 500
    except OSError:
        return False


def start_gunicorn(env, port, folder, workers=2):
    server = Process(
        [
            BIN / "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(folder / "gunicorn-access.log"),
        ],
        env,
        folder / "gunicorn.log",
    )
    wait_until(lambda: answers(port, "/admin/login/") or not server.alive(), 60, "gunicorn to answer")
    assert server.alive(), server.output()
    return server


def write_nginx_config(env, port, upstream_port, run_dir, copy_folder):
    manage(
        env,
        "nginx_config",
        "--listen",
        f"127.0.0.1:{port}",
        "--upstream",
        f"127.0.0.1:{upstream_port}",
        "--run-dir",
        str(run_dir),
        "--copy",
        str(copy_folder),
        "--access-log",
        str(run_dir / "access.log"),
    )
    return run_dir / "nginx.conf"


def start_nginx(config, port):
    run_dir = config.parent
    command = [nginx_binary(), "-p", str(run_dir), "-c", str(config), "-e", "stderr"]
    server = Process(command, {}, run_dir / "nginx.log")
    wait_until(lambda: answers(port, "/favicon-probe") or not server.alive(), 30, "nginx to answer")
    assert server.alive(), server.output()
    return server
