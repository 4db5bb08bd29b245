"""Who may do what in the Archive area, by Wagtail's permission policy for snapshots.

- See snapshots (the list, a snapshot's page and progress, compare, browse, downloads): any
  permission on snapshots; editors and moderators have "view" (migration 0003).
- Freeze a snapshot, and cancel a freeze: "add". Verify: "verify" (verify_snapshot). Delete: "delete".
  Archivists have all of these.

Wagtail's admin turns a PermissionDenied into a redirect to the dashboard; the Archive's views answer
403 Forbidden instead, with the admin's page furniture and a sentence saying who may.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permissions import policy_registry

from ..models import Snapshot

SEE = ("add", "change", "delete", "view")
FREEZE = "add"
VERIFY = "verify"
DELETE = "delete"


def snapshot_policy():
    return policy_registry.get_by_type(Snapshot)


def may(user, action):
    return snapshot_policy().user_has_permission(user, action)


def forbidden(request):
    return TemplateResponse(request, "static_export/admin/forbidden.html", {}, status=403)


class ForbiddenMixin:
    """For a view with Wagtail's PermissionCheckedMixin: a refused permission is a 403 page."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class ArchiveMenuItem(MenuItem):
    """An entry in the Archive menu, shown to those who may see snapshots (so the menu is too)."""

    def is_shown(self, request):
        return snapshot_policy().user_has_any_permission(request.user, SEE)


class SnapshotMixin(ForbiddenMixin, PermissionCheckedMixin):
    """A view of one snapshot (``self.snapshot``, from the URL's ``pk``), for those who may see them."""

    model = Snapshot
    any_permission_required = SEE

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.snapshot = get_object_or_404(Snapshot, pk=kwargs["pk"])

    def snapshot_breadcrumbs(self, label):
        """Home › Snapshots › Snapshot 3 › ``label``."""
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("archive_snapshots:index"), "label": "Snapshots"},
            {"url": reverse("archive_snapshots:inspect", args=(self.snapshot.pk,)), "label": str(self.title)},
            {"url": "", "label": label},
        ]

    @property
    def title(self):
        return f"Snapshot {self.snapshot.pk}"
