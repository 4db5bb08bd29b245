"""Background tasks: freezing a snapshot (models.py) with the export pipeline, and verifying one, in a
worker process.

``start_freeze(...)`` records a queued Snapshot and enqueues ``freeze_snapshot``; with the database
backend a worker (`manage.py db_worker`) runs ``run_export`` for it, saving its progress and asking
between batches of pages whether someone has asked for it to be cancelled. ``start_verification``
records a queued SnapshotVerification and enqueues ``verify_snapshot``, which checks the snapshot's
archive with the archive layer's verifier (fixity against its bag, internal links, privacy) and keeps
the outcome as the snapshot's audit trail. `make run` and `make serve-production` start the worker
beside the web server (Procfile, Procfile.production).
"""

import time
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .archive.checks import check_links, check_private
from .archive.errors import ExportCancelled, ExportError
from .archive.layout import is_archive, package_paths, plural
from .archive.verify import VerifyError, verify_archive
from .models import Snapshot, SnapshotVerification
from .pipeline import run_export

SAVE_EVERY = 1.0  # Seconds between saves of the pages done within a stage.
POLL_EVERY = 0.5  # Seconds between looks at the cancel flag.


def start_freeze(user=None, **options):
    """Queue a freeze of the site with the given options (models.Snapshot's fields); returns it."""
    snapshot = Snapshot.objects.create(started_by=user, **options)
    transaction.on_commit(lambda: freeze_snapshot.enqueue(snapshot.pk))
    return snapshot


@task()
def freeze_snapshot(snapshot_id):
    """Freeze the site into the snapshot's folder and record how it ended; returns its status."""
    if not Snapshot.objects.filter(pk=snapshot_id, status=Snapshot.Status.QUEUED).update(
        status=Snapshot.Status.RUNNING, started_at=timezone.now()
    ):
        return Snapshot.objects.get(pk=snapshot_id).status  # Already run, or running elsewhere.
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    if snapshot.cancel_requested:
        snapshot.finish(Snapshot.Status.CANCELLED, failure="Cancelled before it started.")
        return snapshot.status
    snapshot.folder = str(snapshot.default_folder())
    snapshot.save(update_fields=["folder"])
    try:
        report = run_export(
            snapshot.export_options(), progress=ProgressRecorder(snapshot), cancelled=CancelFlag(snapshot_id)
        )
    except ExportCancelled as cancelled:
        snapshot.finish(Snapshot.Status.CANCELLED, failure=str(cancelled))
    except ExportError as error:
        snapshot.finish(Snapshot.Status.FAILED, failure=str(error))
    except Exception as error:  # Recorded for the admin, then raised for the worker's log.
        snapshot.finish(Snapshot.Status.FAILED, failure=f"{type(error).__name__}: {error}")
        raise
    else:
        snapshot.finish(Snapshot.Status.COMPLETE, report=asdict(report))
    return snapshot.status


class ProgressRecorder:
    """``progress(stage, done, total)`` for run_export: saves the snapshot's stage and pages at each
    new stage, and within a stage at most once every SAVE_EVERY seconds (and when it is done).
    Saves only those fields, so a cancel_requested set meanwhile by the admin is never overwritten."""

    def __init__(self, snapshot, clock=time.monotonic):
        self.snapshot, self.clock, self.saved_at = snapshot, clock, None

    def __call__(self, stage, done, total):
        snapshot, now = self.snapshot, self.clock()
        new_stage = stage != snapshot.stage
        if not (new_stage or done == total or self.saved_at is None or now - self.saved_at >= SAVE_EVERY):
            return
        snapshot.stage, snapshot.pages_total = stage, total
        if done or stage == "pages":  # The stages after the pages start at 0: keep the pages written.
            snapshot.pages_done = done
        snapshot.save(update_fields=["stage", "pages_done", "pages_total"])
        self.saved_at = now


class CancelFlag:
    """``cancelled()`` for run_export: whether cancel_requested is set, read at most every POLL_EVERY s."""

    def __init__(self, snapshot_id, clock=time.monotonic):
        self.snapshot_id, self.clock, self.read_at, self.value = snapshot_id, clock, None, False

    def __call__(self):
        now = self.clock()
        if not self.value and (self.read_at is None or now - self.read_at >= POLL_EVERY):
            self.value = Snapshot.objects.filter(pk=self.snapshot_id, cancel_requested=True).exists()
            self.read_at = now
        return self.value


def start_verification(snapshot, user=None):
    """Queue a verification of the snapshot's archive, asked for by ``user``; returns it."""
    verification = SnapshotVerification.objects.create(snapshot=snapshot, requested_by=user)
    transaction.on_commit(lambda: verify_snapshot.enqueue(verification.pk))
    return verification


@task()
def verify_snapshot(verification_id):
    """Verify the snapshot's archive and record the outcome and every problem; returns its status
    (None when the verification was deleted, with its snapshot, before it ran)."""
    Status = SnapshotVerification.Status
    verifications = SnapshotVerification.objects.filter(pk=verification_id)
    if not verifications.filter(status=Status.QUEUED).update(status=Status.RUNNING):
        return verifications.values_list("status", flat=True).first()  # Already run, or deleted.
    status, problems, report = Status.ERROR, {}, ""
    try:
        status, problems, report = check_snapshot(verifications.select_related("snapshot").get().snapshot)
    except Exception as error:  # Recorded for the admin, then raised for the worker's log.
        report = f"{type(error).__name__}: {error}"
        raise
    finally:  # An update, not a save: the snapshot may have been deleted meanwhile.
        verifications.update(status=status, problems=problems, report=report, finished_at=timezone.now())
    return status


def check_snapshot(snapshot):
    """(status, problems, report) of a verification of the snapshot's archive as it is on disk now."""
    Status = SnapshotVerification.Status
    archive = snapshot.archive_path
    if archive is None or not is_archive(archive):
        return Status.ERROR, {}, "This snapshot has no archive on disk to verify."
    if not package_paths(archive)["bag"].is_dir():
        return without_bag(archive)
    try:
        result = verify_archive(archive)
    except VerifyError as error:
        return Status.ERROR, {}, str(error)
    problems = {
        "fixity": [str(problem) for problem in result.fixity],
        "links": [str(problem) for problem in result.links],
        "private": [str(problem) for problem in result.private],
    }
    return (Status.PASSED if result.ok else Status.FAILED), problems, result.report()


def without_bag(archive):
    """A snapshot frozen without its package has no checksums: links and privacy are still checked,
    and the verification is recorded as one that could not run in full."""
    problems = {
        "links": [str(problem) for problem in check_links(archive)],
        "private": [str(problem) for problem in check_private(archive)],
    }
    lines = [
        "Fixity cannot be checked: this snapshot was frozen without its package (the BagIt bag), so "
        "there are no checksums to compare its files with."
    ]
    for title, found in (("Internal links", problems["links"]), ("Nothing private", problems["private"])):
        lines.append(f"{title}: {plural(len(found), 'problem') if found else 'OK'}")
        lines += [f"  {problem}" for problem in found]
    return SnapshotVerification.Status.ERROR, problems, "\n".join(lines)
