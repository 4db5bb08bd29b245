"""Continuous publishing: a static copy of the site kept up to date, in the background, as content changes.

``request_update(reason)`` is called for each change the static copy shows (signals.py). When
StaticPublishing is on, it records the change on the target's StaticCopy and, unless an update is
already queued for it, queues one ``update_static_copy`` task STATIC_EXPORT_COALESCE_SECONDS later,
once the change is committed: a burst of publishes joins one update. Whether one is queued is a flag
set by a conditional UPDATE, so two editors publishing at once cannot both queue one.

The task runs one update at a time per copy (copy_lock.py). It takes the changes recorded so far
(clearing the flag, so a change arriving while it runs queues a later update of its own), runs an
incremental export in place into the copy's folder (pipeline.run_export with ``in_place``: only what
changed is built beside the folder, checked, and moved in file by file, so readers never see a
broken state and a failure or a kill leaves the previous copy as it was), publishes the folder to S3
if asked, and records the outcome. A failure is recorded with its reason, never raised into
editing; the next change, or ``retry()``, tries again.

The search index is rebuilt after an update by ``reindex_static_copy_search``, on a queue of its own
(SEARCH_QUEUE) so a worker indexing never holds up the next publish; it is coalesced the same way.
Updates run on UPDATE_QUEUE, apart from the snapshots' long freezes on the default queue.
"""

import datetime
import functools
import logging
import time
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from .archive.errors import ExportCancelled, ExportError
from .archive.publish import publish_archive
from .archive.warm import warm_tools
from .copy_lock import CopyLock, stale_after
from .models import StaticCopy, StaticCopyUpdate, StaticPublishing
from .options import ExportOptions
from .pipeline import reindex_search, run_export

logger = logging.getLogger(__name__)

MAX_REASONS = 50  # The reasons kept for one update: the first ones, each once.
HEARTBEAT_EVERY = 5.0  # Seconds between heartbeats within one stage of an update.
ATTEMPTS = 5  # Tries of a compare-and-set on the copy's row before giving up on keeping a reason.
UPDATE_QUEUE = "static-copy"  # The queue of updates (Procfile: the publisher worker).
SEARCH_QUEUE = "search"  # The queue of re-indexing (Procfile: the indexer worker).


def request_update(reason):
    """Ask for the static copy to be updated because of ``reason`` (e.g. "Page published: Home").

    Returns whether continuous publishing is on. When it is off this is one query. Never raises: a
    change to the content must not fail because the static copy could not be told of it.
    """
    try:
        publishing = StaticPublishing.objects.first()
        if publishing is None or not publishing.enabled:
            return False
        with transaction.atomic():  # A savepoint: a failure here leaves the editor's transaction usable.
            copy = static_copy_for(publishing)
            record_change(copy, reason)
            queue_update(copy.pk, delay=settings.STATIC_EXPORT_COALESCE_SECONDS)
    except Exception:
        logger.exception("Could not ask for an update of the static copy (%s)", reason)
        return False
    return True


def retry(reason="Retry asked for"):
    """Queue an update of the static copy now, whatever is queued already; returns the StaticCopy, or
    None when continuous publishing is off. A second task queued meanwhile finds nothing to do."""
    publishing = StaticPublishing.objects.first()
    if publishing is None or not publishing.enabled:
        return None
    copy = static_copy_for(publishing)
    record_change(copy, reason)
    queue_update(copy.pk, delay=0, force=True)
    return copy


def static_copy_for(publishing):
    """The StaticCopy row of the setting's folder (one per folder), made the first time."""
    return StaticCopy.objects.get_or_create(folder=str(publishing.folder_path()))[0]


def record_change(copy, reason):
    """Note that the content changed now, and why (each reason once, the first MAX_REASONS)."""
    for _attempt in range(ATTEMPTS):
        reasons = copy.reasons
        if reason not in reasons and len(reasons) < MAX_REASONS:
            reasons = reasons + [reason]
        # Compare-and-set on changed_at, so a reason recorded meanwhile by another editor is kept.
        if StaticCopy.objects.filter(pk=copy.pk, changed_at=copy.changed_at).update(
            changed_at=timezone.now(), reasons=reasons
        ):
            return
        copy.refresh_from_db(fields=["changed_at", "reasons"])
    StaticCopy.objects.filter(pk=copy.pk).update(changed_at=timezone.now())  # The change, if not why.


def queue_update(copy_id, delay, force=False):
    """Set the copy's "update queued" flag and, if this call set it (or ``force``), enqueue the task
    once the current transaction commits."""
    claimed = claim_flag(copy_id, "update_queued", "queued_at", force=force)
    if claimed:
        transaction.on_commit(functools.partial(enqueue, copy_id, delay), robust=True)
    return claimed


def claim_flag(copy_id, flag, set_at, force=False):
    """Set the copy's boolean ``flag`` (and ``set_at`` to now) with one conditional UPDATE, so only
    one caller queues a task; True if this call set it. A flag set longer ago than
    STATIC_EXPORT_STALE_LOCK_SECONDS belongs to a task that was lost, and is taken over; ``force``
    sets it whatever its state."""
    now = timezone.now()
    stale = now - stale_after()
    claimable = Q(**{flag: False}) | Q(**{f"{set_at}__isnull": True}) | Q(**{f"{set_at}__lt": stale})
    copies = StaticCopy.objects.filter(pk=copy_id)
    return bool((copies if force else copies.filter(claimable)).update(**{flag: True, set_at: now}))


def enqueue(copy_id, delay):
    """Enqueue ``update_static_copy`` to run ``delay`` seconds from now (at once on a backend that
    cannot defer)."""
    enqueue_task(update_static_copy, copy_id, "update_queued", delay)


def enqueue_task(copy_task, copy_id, flag, delay=0):
    """Enqueue ``copy_task`` for the copy, ``delay`` seconds from now where the backend can defer.
    If it cannot be queued the copy's ``flag`` is cleared, so the next change tries again."""
    try:  # A backend can refuse the task as it is made (using) or as it is queued.
        if delay and copy_task.get_backend().supports_defer:
            copy_task = copy_task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
        copy_task.enqueue(copy_id)
    except Exception:
        logger.exception("Could not queue %s for the static copy %s", copy_task.name, copy_id)
        StaticCopy.objects.filter(pk=copy_id).update(**{flag: False})


@task(queue_name=UPDATE_QUEUE)
def update_static_copy(copy_id):
    """Update the static copy ``copy_id`` with what changed; returns how it went: "complete",
    "failed", "busy" (another update holds the lock: this one is queued again), "nothing to do"
    (another task took the changes already) or "skipped" (publishing is off, or targets elsewhere)."""
    copy = StaticCopy.objects.filter(pk=copy_id).first()
    if copy is None:
        return "skipped"
    publishing = publishing_into(copy)
    if publishing is None:
        StaticCopy.objects.filter(pk=copy_id).update(update_queued=False)
        return "skipped"
    lock = CopyLock(copy_id)
    if not lock.acquire():
        wait_for_the_lock(copy_id)
        return "busy"
    try:
        interrupted = close_interrupted_updates(copy_id, lock.recovered_from) if lock.recovered_from else []
        reasons = take_changes(copy_id)
        if reasons is None and not interrupted:
            return "nothing to do"
        reasons = interrupted + [reason for reason in reasons or [] if reason not in interrupted]
        started = timezone.now()  # Every change committed before this is in what the update reads.
        status = run_update(publishing, copy, lock, reasons, started)
    finally:
        lock.release()
    if StaticCopy.objects.filter(pk=copy_id, changed_at__gt=started).exists():
        queue_update(copy_id, delay=settings.STATIC_EXPORT_COALESCE_SECONDS)  # Unless one is queued.
    return status


def publishing_into(copy):
    """The StaticPublishing settings if publishing is on and into ``copy``'s folder, else None (it
    was turned off, or moved to another folder, after the task was queued)."""
    publishing = StaticPublishing.objects.first()
    if publishing is None or not publishing.enabled or str(publishing.folder_path()) != copy.folder:
        return None
    return publishing


def wait_for_the_lock(copy_id):
    """Another update holds the lock: queue this one again for later, still coalescing the changes
    arriving meanwhile. A backend that cannot defer would run it again at once, so there the flag is
    cleared instead, and the update holding the lock queues the next one when it finishes."""
    copies = StaticCopy.objects.filter(pk=copy_id, update_queued=True)
    if not update_static_copy.get_backend().supports_defer:
        copies.update(update_queued=False)
    elif copies.update(queued_at=timezone.now()):  # Not when another task has taken the changes.
        enqueue(copy_id, delay=max(settings.STATIC_EXPORT_COALESCE_SECONDS, 1))


def take_changes(copy_id):
    """Clear the "update queued" flag and take the reasons recorded so far; None when no update is
    queued (a task queued twice, whose changes an earlier run took)."""
    for _attempt in range(ATTEMPTS):
        copy = StaticCopy.objects.get(pk=copy_id)
        if not copy.update_queued:
            return None
        if StaticCopy.objects.filter(pk=copy_id, update_queued=True, changed_at=copy.changed_at).update(
            update_queued=False, reasons=[]
        ):
            return copy.reasons
    StaticCopy.objects.filter(pk=copy_id).update(update_queued=False, reasons=[])
    return ["Changes arriving faster than they could be noted"]


def close_interrupted_updates(copy_id, worker):
    """Record as failed the update a crashed worker left running (its lock has just been taken over);
    returns the reasons it was updating for: the changes it took are still to be made."""
    running = StaticCopyUpdate.objects.filter(copy_id=copy_id, status=StaticCopyUpdate.Status.RUNNING)
    reasons = [reason for update in running for reason in update.reasons]
    running.update(
        status=StaticCopyUpdate.Status.FAILED,
        failure=f"Interrupted: its worker ({worker}) stopped before it finished; the copy was kept.",
        finished_at=timezone.now(),
    )
    return list(dict.fromkeys(reasons)) or [f"An update by {worker} stopped before it finished"]


def run_update(publishing, copy, lock, reasons, started):
    """Export into the copy's folder, publish it to S3 if asked, and record how it went."""
    update = StaticCopyUpdate.objects.create(copy=copy, reasons=reasons, started_at=started)
    if {"html", "accessibility"} & set(settings.STATIC_EXPORT_UPDATE_GATES):
        warm_tools().start()  # In the background while the update reads the site and renders.
    report, failure = None, ""
    try:
        options, progress = export_options(publishing, copy), UpdateProgress(lock, update)
        report = run_export(options, progress=progress, cancelled=lambda: lock.lost)
    except ExportCancelled:
        failure = "Stopped: another worker took the update over, as this one seemed to have crashed."
    except ExportError as error:
        failure = str(error)
    except Exception as error:  # Recorded for the admin, then raised for the worker's log.
        finish(update, None, f"{type(error).__name__}: {error}")
        raise
    if not failure and publishing.s3_destination:
        failure = publish_to_s3(publishing, copy)
    finish(update, report, failure)
    if report is not None and not failure:
        if report.incremental.get("mode") == "incremental":
            queue_search(copy.pk)  # The update left the index as it was.
        else:  # A full update indexed every page itself.
            StaticCopy.objects.filter(pk=copy.pk).update(search_as_of=update.started_at, search_failure="")
    return update.status


def export_options(publishing, copy):
    return ExportOptions(
        output=Path(copy.folder),
        base_url=publishing.base_url,
        incremental=True,
        in_place=True,
        gates=tuple(settings.STATIC_EXPORT_UPDATE_GATES),
    )


# The search index ---------------------------------------------------------------------------------


def queue_search(copy_id):
    """Queue ``reindex_static_copy_search`` once the current transaction commits, unless one is
    queued already (its own flag, claimed as the update's is)."""
    if claim_flag(copy_id, "search_queued", "search_queued_at"):
        transaction.on_commit(
            functools.partial(enqueue_task, reindex_static_copy_search, copy_id, "search_queued"), robust=True
        )


@task(queue_name=SEARCH_QUEUE)
def reindex_static_copy_search(copy_id):
    """Rebuild the Pagefind index of the static copy ``copy_id`` from its pages as they are now
    (pipeline.reindex_search), and publish it to S3 if asked; returns "complete", "failed", "nothing
    to do" (another task took it) or "skipped". Changes published while it runs queue another."""
    copies = StaticCopy.objects.filter(pk=copy_id)
    copy = copies.first()
    publishing = publishing_into(copy) if copy is not None else None
    if publishing is None:
        copies.update(search_queued=False)
        return "skipped"
    if not copies.filter(search_queued=True).update(search_queued=False):
        return "nothing to do"
    indexing = copies.values_list("content_as_of", flat=True).get()  # What the copy holds now.
    try:
        reindex_search(copy.folder)
    except Exception as error:
        logger.exception("Indexing the search of the static copy in %s failed", copy.folder)
        copies.update(search_failure=f"{type(error).__name__}: {error}")
        return "failed"
    failure = publish_to_s3(publishing, copy) if publishing.s3_destination else ""
    copies.update(search_as_of=indexing, search_failure=failure)
    return "failed" if failure else "complete"


def publish_to_s3(publishing, copy):
    """Publish the updated folder to the S3 destination; returns why it failed, or ""."""
    try:
        publish_archive(
            copy.folder, publishing.s3_destination, endpoint_url=publishing.s3_endpoint_url or None
        )
    except Exception as error:
        logger.exception("Publishing the static copy to %s failed", publishing.s3_destination)
        return (
            f"The copy in {copy.folder} was updated, but publishing it to {publishing.s3_destination} "
            f"failed: {type(error).__name__}: {error}"
        )
    return ""


def finish(update, report, failure):
    """Record the update's outcome, and the copy's: what it has (content_as_of), or why it failed."""
    now = timezone.now()
    update.status = StaticCopyUpdate.Status.FAILED if failure else StaticCopyUpdate.Status.COMPLETE
    update.finished_at, update.failure = now, failure
    if report is not None:
        update.report, update.pages_rendered = asdict(report), pages_rendered(report)
    update.save()
    copies = StaticCopy.objects.filter(pk=update.copy_id)
    if failure:
        copies.update(last_failure_at=now, last_failure=failure)
    else:
        copies.update(content_as_of=update.started_at, last_success_at=now, last_failure="")


def pages_rendered(report):
    if report.incremental.get("mode") == "incremental":
        return len(report.incremental["rendered_pages"])
    return report.pages


class UpdateProgress:
    """``progress(stage, done, total)`` for run_export: at each new stage, and within one at most every
    HEARTBEAT_EVERY seconds, refresh the lock's heartbeat and note the stage on the update."""

    def __init__(self, lock, update, clock=time.monotonic):
        self.lock, self.update, self.clock = lock, update, clock
        self.stage, self.beaten_at = None, None

    def __call__(self, stage, done, total):
        now = self.clock()
        if stage == self.stage and now - self.beaten_at < HEARTBEAT_EVERY:
            return
        self.stage, self.beaten_at = stage, now
        if self.lock.beat():
            StaticCopyUpdate.objects.filter(pk=self.update.pk).update(stage=stage)
