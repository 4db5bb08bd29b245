"""`make run` starts the site and the workers together from the Procfile (honcho), and Ctrl-C stops them.

Run here as `make run` runs it, on a database and folders of the test's own: the web process answers,
the worker runs a freeze queued in the database, the publisher updates the static copy after a
publish and the indexer its search index, and SIGINT to honcho leaves none of them running."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.production.serving import alive, free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTED_RE = re.compile(r"(web|worker|publisher|indexer)\.1 started \(pid=(\d+)\)")


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_honcho_runs_the_web_server_and_the_workers_and_ctrl_c_stops_them_all(tmp_path):
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
    subprocess.run([*manage, "load_demo_content"], cwd=ROOT, env=env, check=True, capture_output=True)
    # As `make run` does (continuous publishing on, its first update and a first snapshot queued), with
    # the static copy in the test's own folder.
    turn_on = (
        "from static_export.models import StaticPublishing; "
        f"StaticPublishing.objects.create(enabled=True, folder='{tmp_path}/static-site')"
    )
    subprocess.run([*manage, "shell", "-c", turn_on], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "start_archiving"], cwd=ROOT, env=env, check=True, capture_output=True)
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

        def row(sql):
            with sqlite3.connect(database) as connection:
                return connection.execute(sql).fetchone()

        # The worker freezes the snapshot; the publisher makes the static copy.
        finished = ("complete", "failed", "cancelled")
        wait_until(lambda: row("SELECT status FROM static_export_snapshot")[0] in finished, 180, "the freeze")
        copy = "SELECT content_as_of, search_as_of, last_failure FROM static_export_staticcopy"
        first = wait_until(lambda: row(copy)[0], 120, "the static copy's first update")
        assert row(copy)[2] == "", row(copy)
        # A publish reaches the copy (the publisher), then its search index (the indexer).
        edit = (
            "from site_pages.models import NewsReleasePage; page = NewsReleasePage.objects.live().first(); "
            "revision = page.get_latest_revision_as_object(); revision.title = 'Indexed anew'; "
            "revision.save_revision().publish()"
        )
        subprocess.run([*manage, "shell", "-c", edit], cwd=ROOT, env=env, check=True, capture_output=True)
        wait_until(lambda: row(copy)[0] != first, 60, "the update after a publish")
        wait_until(lambda: row(copy)[1] == row(copy)[0], 60, "the search index to catch up")
        pids = wait_until(lambda: dict(STARTED_RE.findall(log.read_text())), 10, "honcho's process list")
        assert set(pids) == {"web", "worker", "publisher", "indexer"}, log.read_text()

        honcho.send_signal(signal.SIGINT)  # Ctrl-C in the terminal.
        honcho.wait(timeout=30)
        wait_until(lambda: not any(alive(int(pid)) for pid in pids.values()), 15, "every process to stop")
        assert not answers(f"http://127.0.0.1:{port}/admin/login/")
    finally:
        if honcho.poll() is None:  # The test failed: honcho still stops what it started.
            honcho.terminate()
            honcho.wait(timeout=30)
