"""`make run` starts the site and the worker together from the Procfile (honcho), and Ctrl-C stops both.

Run here as `make run` runs it, on a database and folders of the test's own: the web process answers,
the worker runs a freeze queued in the database, and SIGINT to honcho leaves neither running."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTED_RE = re.compile(r"(web|worker)\.1 started \(pid=(\d+)\)")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"{what}: not after {timeout} s"
        time.sleep(0.3)
    return result


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_honcho_runs_the_web_server_and_the_worker_and_ctrl_c_stops_both(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # As the Makefile runs honcho.
        "DJANGO_SETTINGS_MODULE": "cms.settings.test_worker",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_EXPORT_SNAPSHOTS_DIR": str(tmp_path / "snapshots"),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    queued = subprocess.run(
        [*manage, "shell", "-c", "from static_export.tasks import start_freeze; print(start_freeze().pk)"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    snapshot_id = int(queued.stdout.split()[-1])
    port = free_port()
    log = tmp_path / "honcho.log"
    with log.open("w") as output:
        honcho = subprocess.Popen(
            [BIN / "honcho", "start", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/admin/login/"), 60, "the web server")

        def finished():
            with sqlite3.connect(database) as connection:
                row = connection.execute(
                    "SELECT status FROM static_export_snapshot WHERE id = ?", (snapshot_id,)
                ).fetchone()
            return row[0] in ("complete", "failed", "cancelled")

        wait_until(finished, 120, "the worker running the queued freeze")
        pids = wait_until(lambda: dict(STARTED_RE.findall(log.read_text())), 10, "honcho's process list")
        assert set(pids) == {"web", "worker"}, log.read_text()

        honcho.send_signal(signal.SIGINT)  # Ctrl-C in the terminal.
        honcho.wait(timeout=30)
        wait_until(lambda: not any(alive(int(pid)) for pid in pids.values()), 15, "both processes to stop")
        assert not answers(f"http://127.0.0.1:{port}/admin/login/")
    finally:
        if honcho.poll() is None:  # The test failed: honcho still stops what it started.
            honcho.terminate()
            honcho.wait(timeout=30)
