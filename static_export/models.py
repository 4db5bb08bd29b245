"""The archive's records, kept in the database and shown in the admin's Archive area.

A Snapshot is one freeze of the site, queued from the admin and run by a background task (tasks.py):
what was asked (the export's options), how far the freeze has gone, and how it ended (the report, or
why it failed), written to its own folder under STATIC_EXPORT_SNAPSHOTS_DIR. Each "Verify now" of it
is a SnapshotVerification. StaticPublishing (a site setting), StaticCopy and StaticCopyUpdate keep a
static copy of the site up to date as content changes.
"""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .archive.gates import GATES
from .options import ExportOptions


def default_gates():
    return list(GATES)


class Snapshot(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"
        COMPLETE = "complete", "Complete"

    FINISHED = (Status.CANCELLED, Status.FAILED, Status.COMPLETE)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=64, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The export's options (options.py); an empty base URL means the site's root URL.
    base_url = models.CharField(max_length=255, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True, help_text="Default: when the freeze starts.")
    package = models.BooleanField(default=False, help_text="Also make the BagIt bag and the WACZ.")
    store = models.BooleanField(default=False, help_text="Add it to the snapshot store as a new version.")
    contact = models.CharField(max_length=255, blank=True)
    gates = models.JSONField(default=default_gates, help_text="The quality gates to run.")
    # The folder the snapshot is written to: the archive is its "archive" sub-folder.
    folder = models.CharField(max_length=1024, blank=True)
    report = models.JSONField(null=True, blank=True)
    failure = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        permissions = [("verify_snapshot", "Can verify snapshots")]

    def __str__(self):
        return f"Snapshot {self.pk} ({self.get_status_display().lower()})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def archive_path(self):
        return Path(self.folder) / "archive" if self.folder else None

    def default_folder(self):
        return Path(settings.STATIC_EXPORT_SNAPSHOTS_DIR) / f"snapshot-{self.pk}"

    def export_options(self):
        return ExportOptions(
            output=self.archive_path,
            base_url=self.base_url,
            captured_at=self.captured_at,
            package=self.package,
            contact=self.contact,
            gates=tuple(self.gates),
            store=Path(settings.STATIC_EXPORT_STORE) if self.store else None,
            versions_url=settings.STATIC_EXPORT_VERSIONS_URL if self.store else "",
        )

    def finish(self, status, *, report=None, failure=""):
        """Record how the freeze ended (saving only the fields a freeze writes, never the cancel flag)."""
        self.status, self.report, self.failure = status, report, failure
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "report", "failure", "finished_at"])


class SnapshotVerification(models.Model):
    """One "Verify now" of a snapshot: fixity against its bag, internal links and privacy, run in the
    background (tasks.py). Kept, with who asked and when, as the snapshot's audit trail."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        ERROR = "error", "Could not run"

    FINISHED = (Status.PASSED, Status.FAILED, Status.ERROR)

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="verifications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"fixity": [...], "links": [...], "private": [...]}: each problem as a line of text.
    problems = models.JSONField(default=dict, blank=True)
    report = models.TextField(blank=True)  # The verifier's own report, or why it could not run.

    class Meta:
        ordering = ["-queued_at", "-pk"]

    def __str__(self):
        return f"Verification {self.pk} of snapshot {self.snapshot_id} ({self.get_status_display().lower()})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED


@register_setting(icon="upload")
class StaticPublishing(BaseGenericSetting):
    """Continuous publishing: when on, each change to the content updates a static copy of the site
    in ``folder`` (incrementally, in the background), then optionally publishes it to S3."""

    enabled = models.BooleanField(
        default=False,
        verbose_name="Keep a static copy up to date",
        help_text="Update the static copy in the background whenever content is published or changed.",
    )
    folder = models.CharField(
        max_length=1024,
        default="static-site",
        help_text="The folder of the static copy; a relative path is inside the project folder.",
    )
    base_url = models.CharField(
        max_length=255, blank=True, help_text="The URL the copy is served at. Default: the site's root URL."
    )
    s3_destination = models.CharField(
        max_length=1024,
        blank=True,
        verbose_name="S3 destination",
        help_text="Optional: s3://bucket/prefix to publish the copy to after each update.",
    )
    s3_endpoint_url = models.CharField(
        max_length=255,
        blank=True,
        verbose_name="S3 endpoint URL",
        help_text="Optional: an S3-compatible endpoint instead of AWS.",
    )

    class Meta:
        verbose_name = "static publishing"

    def folder_path(self):
        folder = Path(self.folder)
        return folder if folder.is_absolute() else Path(settings.BASE_DIR) / folder


class StaticCopy(models.Model):
    """Where one static copy (a target folder) stands: the updates asked for and not yet run
    (coalesced into one queued task), the update running now (a lock with a heartbeat, so one held by
    a crashed worker is recovered), and how the last one ended."""

    folder = models.CharField(max_length=1024, unique=True)
    update_queued = models.BooleanField(default=False)  # A task is queued: further changes join it.
    # When the queued task was asked for: a flag left set by a task that was lost is taken back after
    # STATIC_EXPORT_STALE_LOCK_SECONDS (publishing.py).
    queued_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)  # The latest change asked for.
    reasons = models.JSONField(default=list, blank=True)  # What changed since the last update began.
    running_since = models.DateTimeField(null=True, blank=True)  # The lock: set while an update runs.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)  # host:pid of the process holding the lock.
    content_as_of = models.DateTimeField(null=True, blank=True)  # All changes until then are in the copy.
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.TextField(blank=True)  # Why the latest update failed; empty once one succeeds.
    # The search index, rebuilt after updates by a task of its own (publishing.reindex_static_copy_search).
    search_queued = models.BooleanField(default=False)
    search_queued_at = models.DateTimeField(null=True, blank=True)  # Taken back when stale, as queued_at.
    search_as_of = models.DateTimeField(null=True, blank=True)  # The copy's content_as_of it indexed.
    search_failure = models.TextField(blank=True)  # Why the latest re-indexing failed, or empty.

    class Meta:
        verbose_name_plural = "static copies"

    def __str__(self):
        return f"Static copy in {self.folder}"


class StaticCopyUpdate(models.Model):
    """One run of an incremental update of a static copy, kept for the record."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FAILED = "failed", "Failed"
        COMPLETE = "complete", "Complete"

    copy = models.ForeignKey(StaticCopy, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(max_length=64, blank=True)  # The export's stage while it runs.
    reasons = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages_rendered = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"Update {self.pk} of static copy {self.copy_id} ({self.get_status_display().lower()})"

    @property
    def seconds(self):
        """How long it took, once finished."""
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
