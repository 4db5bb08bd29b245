"""Freezing a snapshot in the background: the task run in-process (the test settings' immediate
backend), cancellation, and a real `manage.py db_worker` picking a queued freeze up from the database."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from static_export.archive.layout import is_archive
from static_export.models import Snapshot
from static_export.tasks import CancelFlag, ProgressRecorder, freeze_snapshot, start_freeze

from .conftest import BASE_URL, CAPTURED_AT

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 120  # Seconds for the worker to finish the freeze.


@pytest.fixture
def snapshots_dir(settings, tmp_path):
    settings.STATIC_EXPORT_SNAPSHOTS_DIR = tmp_path / "snapshots"
    return settings.STATIC_EXPORT_SNAPSHOTS_DIR


def queue(**options):
    return Snapshot.objects.create(base_url=BASE_URL, captured_at=CAPTURED_AT, gates=["markup"], **options)


@pytest.mark.django_db
def test_a_queued_freeze_runs_to_complete_and_records_its_report(
    demo_site, snapshots_dir, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = start_freeze(
            user=admin_user, base_url=BASE_URL, captured_at=CAPTURED_AT, gates=["markup"], contact="a@b.org"
        )

    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.COMPLETE, snapshot.failure
    assert snapshot.started_by == admin_user
    assert snapshot.started_at <= snapshot.finished_at
    assert Path(snapshot.folder) == snapshots_dir / f"snapshot-{snapshot.pk}"
    assert is_archive(snapshot.archive_path)
    assert (snapshot.archive_path / "index.html").is_file()
    assert snapshot.report["pages"] > 0
    assert snapshot.report["output"] == str(snapshot.archive_path)
    assert snapshot.report["base_url"] == BASE_URL
    assert snapshot.pages_done == snapshot.pages_total == snapshot.report["pages"]
    assert snapshot.stage and snapshot.failure == ""


@pytest.mark.django_db
def test_a_freeze_cancelled_before_it_runs_ends_cancelled_with_no_archive(demo_site, snapshots_dir):
    snapshot = queue(cancel_requested=True)

    freeze_snapshot.enqueue(snapshot.pk)

    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.CANCELLED
    assert snapshot.finished_at and snapshot.report is None
    assert not snapshots_dir.exists() or not any(snapshots_dir.iterdir())


@pytest.mark.django_db
def test_a_freeze_cancelled_while_it_runs_keeps_no_archive(demo_site, snapshots_dir, monkeypatch):
    snapshot = queue()
    original = ProgressRecorder.__call__

    def cancel_at_the_api_stage(recorder, stage, done, total):
        if stage == "api":  # As the admin's Cancel button would, from another process.
            Snapshot.objects.filter(pk=snapshot.pk).update(cancel_requested=True)
        original(recorder, stage, done, total)

    monkeypatch.setattr(ProgressRecorder, "__call__", cancel_at_the_api_stage)
    monkeypatch.setattr("static_export.tasks.POLL_EVERY", 0)

    freeze_snapshot.enqueue(snapshot.pk)

    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.CANCELLED
    assert "cancelled" in snapshot.failure
    assert not snapshot.archive_path.exists()
    assert snapshot.cancel_requested  # The task's own saves never overwrite the flag.


@pytest.mark.django_db
def test_a_failed_freeze_records_why(snapshots_dir):
    snapshot = queue()  # No demo site: no default site with a HomePage to export.

    freeze_snapshot.enqueue(snapshot.pk)

    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.FAILED
    assert snapshot.failure


def test_progress_is_saved_at_each_stage_and_at_most_once_a_second_within_one():
    saves, now = [], [0.0]

    class FakeSnapshot:
        stage, pages_done = "", 0

        def save(self, update_fields):
            saves.append((self.stage, self.pages_done))

    recorder = ProgressRecorder(FakeSnapshot(), clock=lambda: now[0])
    for stage, done, at in [("pages", 0, 0), ("pages", 1, 0.1), ("pages", 2, 1.2), ("pages", 3, 1.3)]:
        now[0] = at
        recorder(stage, done, 10)
    recorder("pages", 10, 10)  # The last page is always saved.
    recorder("api", 0, 10)  # And each new stage.

    assert saves == [("pages", 0), ("pages", 2), ("pages", 10), ("api", 10)]


@pytest.mark.django_db
def test_the_cancel_flag_is_read_at_most_every_half_second(snapshots_dir, django_assert_num_queries):
    snapshot, now = queue(), [0.0]
    flag = CancelFlag(snapshot.pk, clock=lambda: now[0])
    with django_assert_num_queries(1):
        assert flag() is False
        now[0] = 0.3
        assert flag() is False
    Snapshot.objects.filter(pk=snapshot.pk).update(cancel_requested=True)
    now[0] = 0.6
    assert flag() is True


def manage(*args, env, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, **kwargs
    )


def snapshot_row(database, snapshot_id):
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT status, failure, folder FROM static_export_snapshot WHERE id = ?", (snapshot_id,)
        ).fetchone()


def test_a_real_worker_picks_up_a_queued_freeze_from_the_database(tmp_path):
    """`manage.py db_worker` in its own process, on a SQLite database on disk, as `make run` runs it."""
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test_worker",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_EXPORT_SNAPSHOTS_DIR": str(tmp_path / "snapshots"),
    }
    manage("migrate", "--no-input", "-v0", env=env)
    manage("load_demo_content", "--with-closure-notice", env=env)
    queued = manage(
        "shell",
        "-c",
        "import datetime; from static_export.tasks import start_freeze; "
        f"print(start_freeze(base_url={BASE_URL!r}, captured_at={CAPTURED_AT!r}, gates=['markup']).pk)",
        env=env,
        text=True,
    )
    snapshot_id = int(queued.stdout.split()[-1])
    assert snapshot_row(database, snapshot_id)[0] == "queued"  # Nothing runs it until a worker does.

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT
        while (row := snapshot_row(database, snapshot_id))[0] not in ("complete", "failed", "cancelled"):
            assert worker.poll() is None, "the worker stopped: " + (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, (
                f"not finished after {WORKER_TIMEOUT} s: {row}\n" + (tmp_path / "worker.log").read_text()
            )
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()

    status, failure, folder = row
    assert status == "complete", failure
    assert is_archive(Path(folder) / "archive")
    assert Path(folder).parent == tmp_path / "snapshots"
