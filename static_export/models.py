"""A snapshot: one freeze of the site, queued from the admin and run by a background task (tasks.py).

It records what was asked (the export's options), how far the freeze has gone, and how it ended: the
report, or why it failed. Each snapshot is written to its own folder under STATIC_EXPORT_SNAPSHOTS_DIR.
"""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

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
    contact = models.CharField(max_length=255, blank=True)
    gates = models.JSONField(default=default_gates, help_text="The quality gates to run.")
    # The folder the snapshot is written to: the archive is its "archive" sub-folder.
    folder = models.CharField(max_length=1024, blank=True)
    report = models.JSONField(null=True, blank=True)
    failure = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-queued_at", "-pk"]

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
        )

    def finish(self, status, *, report=None, failure=""):
        """Record how the freeze ended (saving only the fields a freeze writes, never the cancel flag)."""
        self.status, self.report, self.failure = status, report, failure
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "report", "failure", "finished_at"])
