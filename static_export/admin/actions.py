"""What a snapshot's page asks of the server: its progress as JSON (polled by snapshot-progress.js),
and the Cancel and Verify now buttons (each a POST, then back to the page with a message)."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from wagtail.admin import messages

from ..models import Snapshot
from ..tasks import start_verification
from . import summary
from .permissions import FREEZE, VERIFY, SnapshotMixin


class StatusView(SnapshotMixin, View):
    """The snapshot's stage, pages done of total, elapsed time and status, as JSON."""

    def get(self, request, pk):
        return JsonResponse(summary.progress(self.snapshot))


class CancelView(SnapshotMixin, View):
    """Cancel a freeze: a queued one is cancelled at once; a running one is asked to stop, and its
    task records "cancelled" at its next look at the flag, keeping no archive. Both updates are
    conditional on the status, so a freeze starting meanwhile is asked to stop instead."""

    any_permission_required = None
    permission_required = FREEZE

    def post(self, request, pk):
        snapshots = Snapshot.objects.filter(pk=pk)
        Status = Snapshot.Status
        if snapshots.filter(status=Status.QUEUED).update(
            status=Status.CANCELLED,
            cancel_requested=True,
            finished_at=timezone.now(),
            failure="Cancelled before it started.",
        ):
            messages.success(request, f"{self.title} is cancelled: it will not run.")
        elif snapshots.filter(status=Status.RUNNING).update(cancel_requested=True):
            messages.success(
                request,
                f"{self.title} is stopping: the freeze stops at its next batch of pages and keeps no "
                "archive. Earlier snapshots are not changed.",
            )
        else:
            messages.warning(request, f"{self.title} had already finished; nothing was cancelled.")
        return redirect("archive_snapshots:inspect", pk)


class VerifyView(SnapshotMixin, View):
    """Queue a verification of a complete snapshot (fixity, links, privacy) in the background."""

    any_permission_required = None
    permission_required = VERIFY

    def post(self, request, pk):
        if self.snapshot.status != Snapshot.Status.COMPLETE:
            messages.error(request, f"{self.title} is not complete: there is no archive to verify.")
        else:
            start_verification(self.snapshot, request.user)
            messages.success(
                request,
                f"Verification of {self.title.lower()} is queued: it checks every file against the "
                "checksums in its bag, the internal links and that nothing private was archived. Its "
                "outcome is added below when it finishes.",
            )
        return redirect("archive_snapshots:inspect", pk)
