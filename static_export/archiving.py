"""What `make run` starts, so a newcomer sees the archive at work: continuous publishing of a static copy
(unless someone has already chosen, either way) and a first snapshot (if there is none). Idempotent."""

from .models import Snapshot, StaticPublishing
from .publishing import queue_update, static_copy_for
from .tasks import start_freeze

FIRST_SNAPSHOT_GATES = ["markup"]  # The cheap gate: vnu and axe take seconds each.


def start_archiving():
    """Turn continuous publishing on if it was never set, queue the static copy's first update and a
    first snapshot if they are missing; returns what was done, as sentences."""
    return [start_static_copy(), start_first_snapshot()]


def start_static_copy():
    publishing = StaticPublishing.objects.first()
    if publishing is None:
        # Saving the setting turns publishing on, and its signal queues the first update (signals.py).
        publishing = StaticPublishing.objects.create(enabled=True)
        folder = publishing.folder_path()
        return f"Continuous publishing turned on: a static copy in {folder}, first update queued."
    if not publishing.enabled:
        return "Continuous publishing is off (Settings → Static publishing): left as it was set."
    copy = static_copy_for(publishing)
    # Never made, or changes since what it has (as after a failed update, or one a stopped worker lost).
    behind = copy.content_as_of is None or (copy.changed_at and copy.changed_at > copy.content_as_of)
    if behind and queue_update(copy.pk, delay=0):
        return f"Continuous publishing is on: an update of the static copy in {copy.folder} is queued."
    return f"Continuous publishing is on: the static copy in {copy.folder} is up to date or being updated."


def start_first_snapshot():
    if Snapshot.objects.exists():
        return "Snapshots exist already: no first snapshot queued."
    snapshot = start_freeze(package=True, gates=FIRST_SNAPSHOT_GATES)
    return f"First snapshot queued (snapshot {snapshot.pk}), packaged as a bag and a WACZ."
