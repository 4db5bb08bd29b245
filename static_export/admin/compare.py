"""Compare a snapshot with the previous one: the pages added, removed and changed between the two
archives (archive.diff, which ignores the capture date), each linking to its versions in Browse."""

from django.db.models import Q
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..archive.diff import diff_archives
from ..archive.layout import is_archive
from ..models import Snapshot
from .permissions import SnapshotMixin


def previous_snapshot(snapshot):
    """The latest complete snapshot queued before ``snapshot`` whose archive is still on disk."""
    earlier = Snapshot.objects.filter(status=Snapshot.Status.COMPLETE).filter(
        Q(queued_at__lt=snapshot.queued_at) | Q(queued_at=snapshot.queued_at, pk__lt=snapshot.pk)
    )
    for candidate in earlier.order_by("-queued_at", "-pk").iterator():
        if candidate.archive_path and is_archive(candidate.archive_path):
            return candidate
    return None


def browse_url(snapshot, file):
    """Browse's URL of an archive file: a page's at its folder, as the site had it."""
    if file == "index.html" or file.endswith("/index.html"):
        file = file.removesuffix("index.html")
    if not file:
        return reverse("archive_snapshots:browse_root", args=(snapshot.pk,))
    return reverse("archive_snapshots:browse", args=(snapshot.pk, file))


class CompareView(SnapshotMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "static_export/admin/compare.html"
    header_icon = "history"

    def get_page_title(self):
        return f"Compare {self.title.lower()} with the previous one"

    def get_breadcrumbs_items(self):
        return self.snapshot_breadcrumbs("Compare with previous")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(snapshot=self.snapshot, **kwargs)
        new = self.snapshot
        if new.status != Snapshot.Status.COMPLETE or not is_archive(new.archive_path):
            return {**context, "problem": f"{self.title} has no complete archive to compare."}
        old = previous_snapshot(new)
        if old is None:
            return {**context, "problem": "There is no earlier complete snapshot on disk to compare with."}
        diff = diff_archives(old.archive_path, new.archive_path)

        def rows(changes, in_old, in_new):
            return [
                {
                    "change": change,
                    "old_url": browse_url(old, change.file) if in_old else None,
                    "new_url": browse_url(new, change.file) if in_new else None,
                }
                for change in changes
            ]

        return {
            **context,
            "previous": old,
            "sections": [
                ("Added", "pages in this snapshot only", rows(diff.added, False, True)),
                ("Removed", "pages in the previous snapshot only", rows(diff.removed, True, False)),
                ("Changed", "pages in both that differ", rows(diff.changed, True, True)),
            ],
            "skipped": diff.skipped,
        }
