"""The lock that lets one update at a time run on a static copy (models.StaticCopy), across workers.

It lives in the copy's row: who holds it (``worker``, as host:pid), since when, and a heartbeat the
update refreshes as it goes. Taking it is one conditional UPDATE, so two workers can never both win:
it is taken when it is free, when its heartbeat is older than STATIC_EXPORT_STALE_LOCK_SECONDS (its
holder crashed on some machine), or at once when its holder ran on this machine and its process is
gone (a worker killed mid-update). An update that finds it has lost the lock stops (``lost``).
"""

import datetime
import os
import socket

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import StaticCopy


def this_worker():
    """This process, as the lock names its holder: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after():
    return datetime.timedelta(seconds=settings.STATIC_EXPORT_STALE_LOCK_SECONDS)


def process_is_gone(worker):
    """Whether ``worker`` (host:pid) ran on this machine and its process no longer exists. A holder on
    another machine cannot be asked: its heartbeat tells."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # Signal 0: nothing is sent; only whether the process exists.
    except ProcessLookupError:
        return True
    except PermissionError:  # It exists, as another user.
        return False
    return False


def holder_crashed(copy, now=None):
    """Whether the lock on ``copy`` is held by an update that can no longer be running."""
    if copy.running_since is None:
        return False
    now = now or timezone.now()
    heartbeat = copy.heartbeat_at or copy.running_since
    return heartbeat < now - stale_after() or process_is_gone(copy.worker)


class CopyLock:
    """``acquire()`` the lock of the static copy ``copy_id``; ``beat()`` while updating; ``release()``."""

    def __init__(self, copy_id):
        self.copy_id, self.worker = copy_id, this_worker()
        self.lost = False  # Set when a heartbeat finds another worker took the lock over.
        self.recovered_from = ""  # The crashed holder the lock was taken from, if any.

    def acquire(self):
        """Take the lock if it is free or its holder crashed; returns whether this worker holds it."""
        now = timezone.now()
        copies = StaticCopy.objects.filter(pk=self.copy_id)
        takeable = Q(running_since__isnull=True) | Q(heartbeat_at__lt=now - stale_after())
        holder = copies.first()
        if holder and holder.running_since and process_is_gone(holder.worker):
            takeable |= Q(worker=holder.worker, running_since=holder.running_since)
        taken = copies.filter(takeable).update(running_since=now, heartbeat_at=now, worker=self.worker)
        if taken and holder and holder.running_since:
            self.recovered_from = holder.worker
        return bool(taken)

    def beat(self):
        """Refresh the heartbeat; returns False (and sets ``lost``) if this worker no longer holds it."""
        if not self.lost:
            self.lost = not StaticCopy.objects.filter(
                pk=self.copy_id, worker=self.worker, running_since__isnull=False
            ).update(heartbeat_at=timezone.now())
        return not self.lost

    def release(self):
        """Let go of the lock, unless another worker has taken it over meanwhile."""
        StaticCopy.objects.filter(pk=self.copy_id, worker=self.worker).update(
            running_since=None, heartbeat_at=None, worker=""
        )
