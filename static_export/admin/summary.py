"""What the Archive screens say about a snapshot, worked out from its fields and its report (the
export's ExportReport as a dict): one place, so the list, a snapshot's page and its progress JSON
agree."""

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ..archive.layout import plural
from ..models import Snapshot


def title(snapshot):
    return f"Snapshot {snapshot.pk}"


def status_line(snapshot):
    """One sentence: where the freeze is now, or how it ended."""
    Status = Snapshot.Status
    if snapshot.status == Status.QUEUED:
        return "Cancel requested" if snapshot.cancel_requested else "Waiting for the background worker"
    if snapshot.status == Status.RUNNING:
        stopping = " (cancel requested)" if snapshot.cancel_requested else ""
        return f"{stage_progress(snapshot)}{stopping}"
    if snapshot.status == Status.FAILED:
        return f"Failed: {first_line(snapshot.failure) or 'no reason was recorded'}"
    if snapshot.status == Status.CANCELLED:
        return first_line(snapshot.failure) or "Cancelled"
    return f"Complete: {plural(report_value(snapshot, 'pages') or 0, 'page')}"


def stage_progress(snapshot):
    if not snapshot.stage:
        return "Starting"
    pages = f", {snapshot.pages_done} of {snapshot.pages_total} pages" if snapshot.pages_total else ""
    return f"Stage: {snapshot.stage}{pages}"


def first_line(text):
    return text.strip().splitlines()[0] if text.strip() else ""


def elapsed_seconds(snapshot, now=None):
    """Seconds the freeze has run (so far, or in all once finished); None before it starts."""
    if not snapshot.started_at:
        return None
    end = snapshot.finished_at or now or timezone.now()
    return max(0, round((end - snapshot.started_at).total_seconds()))


def duration(seconds):
    """``seconds`` as a reader says them: "45 s", "3 min 5 s", "1 h 2 min"."""
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def report_value(snapshot, key, default=None):
    return (snapshot.report or {}).get(key, default)


def kind(snapshot):
    """Full or incremental, from the report; empty before the freeze has a report."""
    mode = (report_value(snapshot, "incremental") or {}).get("mode")
    return {"full": "Full", "incremental": "Incremental"}.get(mode, "")


def files_and_size(snapshot):
    files, size = report_value(snapshot, "files"), report_value(snapshot, "bytes")
    return f"{plural(files, 'file')}, {filesizeformat(size)}" if files is not None else ""


def store_version(snapshot):
    """The version the freeze was added to the snapshot store as ("v2"), or empty."""
    return (report_value(snapshot, "store") or {}).get("version", "")


def export_duration(snapshot):
    seconds = report_value(snapshot, "seconds")
    return duration(seconds if seconds is not None else elapsed_seconds(snapshot))


def warnings_count(snapshot):
    warnings = report_value(snapshot, "warnings")
    return len(warnings) if warnings is not None else None


def checks_outcome(snapshot):
    """The checks and quality gates as a list reads them: "3 passed", "1 of 5 failed", or empty.

    A freeze stops when a check or gate fails, so a failed freeze has no report: its reason says so.
    """
    checks = report_value(snapshot, "checks")
    if checks is None:
        if snapshot.status == Snapshot.Status.FAILED and "quality gate" in snapshot.failure:
            return "Failed"
        return ""
    failed = [check for check in checks if check.get("problems")]
    if failed:
        return f"{len(failed)} of {len(checks)} failed"
    return f"{len(checks)} passed" if checks else "None ran"


def progress(snapshot):
    """The snapshot's progress as the status endpoint sends it to the page (snapshot-progress.js)."""
    elapsed = elapsed_seconds(snapshot)
    return {
        "id": snapshot.pk,
        "status": snapshot.status,
        "status_label": snapshot.get_status_display(),
        "finished": snapshot.is_finished,
        "stage": snapshot.stage,
        "pages_done": snapshot.pages_done,
        "pages_total": snapshot.pages_total,
        "elapsed_seconds": elapsed,
        "elapsed": duration(elapsed),
        "cancel_requested": snapshot.cancel_requested,
        "summary": status_line(snapshot),
    }
