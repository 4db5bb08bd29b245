"""The snapshot store's screen: every version of each site's object, read from the store itself
(archive/store.py), with what each version added to the store (the forward delta), and a Verify
button per version.

Verify runs while the request waits (verify_store: ocfl-py's structure check and the SHA-512 of each
stored file of that one version), then says how it went; the check is recorded, with its outcome, as
a PREMIS event in the object's provenance (logs/premis.xml), as `verify_archive` records it.
Registered from wagtail_hooks.py (its URLs, and its entry in the Archive menu).
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ..archive.layout import plural
from ..archive.store import SnapshotStore, StoreError
from ..archive.store_check import verify_store
from ..models import Snapshot
from .permissions import SEE, VERIFY, ArchiveMenuItem, ForbiddenMixin

PROBLEMS_SHOWN = 5  # Problems named in the message after a failed verification.


def store():
    return SnapshotStore(settings.STATIC_EXPORT_STORE)


def anchor(object_id, version):
    """The id of a version's row on the store's screen: "httpswwwexampleorg-v2"."""
    return f"{slugify(object_id)}-{version}"


def version_url(object_id, version):
    return f"{reverse('static_export_store')}#{anchor(object_id, version)}"


class StoreMixin(ForbiddenMixin, PermissionCheckedMixin):
    model = Snapshot  # The store's permissions are the snapshots' (permissions.py).


class StoreView(StoreMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Snapshot store"
    header_icon = "folder-open-inverse"
    template_name = "static_export/admin/store.html"
    any_permission_required = SEE

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        snapshots, objects, problem = store(), [], ""
        try:
            for object_id in snapshots.object_ids():
                versions = [
                    {"version": version, "anchor": anchor(object_id, version.name)}
                    for version in reversed(snapshots.versions(object_id))
                ]
                objects.append({"id": object_id, "versions": versions})
        except StoreError as exc:
            problem = str(exc)
        return super().get_context_data(
            store=snapshots,
            objects=objects,
            problem=problem,
            may_verify=self.user_has_permission(VERIFY),
            verify_url=reverse("static_export_store_verify"),
            **kwargs,
        )


class VerifyVersionView(StoreMixin, View):
    """Verify one version of one site's object now, then back to its row with the outcome."""

    permission_required = VERIFY

    def post(self, request):
        object_id, version = request.POST.get("object", ""), request.POST.get("version", "")
        snapshots = store()
        try:
            if object_id not in snapshots.object_ids():
                raise StoreError(f"The snapshot store keeps no snapshots of {object_id or 'that site'}.")
            [result] = verify_store(snapshots, object_id, version, record=True)
        except StoreError as exc:
            messages.error(request, f"Could not verify: {exc}")
            return redirect("static_export_store")
        if result.ok:
            messages.success(
                request,
                f"{version} of {object_id} is intact: its OCFL structure is valid and "
                f"{plural(result.files, 'stored file')} match their SHA-512. Recorded in its provenance.",
            )
        else:
            problems = [str(problem) for problem in result.structure + result.fixity + result.premis]
            messages.error(
                request,
                f"{version} of {object_id} FAILED verification ({plural(len(problems), 'problem')}, "
                f"recorded in its provenance): " + "; ".join(problems[:PROBLEMS_SHOWN]),
            )
        return redirect(version_url(object_id, version))


def menu_item():
    return ArchiveMenuItem(
        "Snapshot store", reverse("static_export_store"), icon_name="folder-open-inverse", order=200
    )


def admin_urls():
    return [
        path("archive/store/", StoreView.as_view(), name="static_export_store"),
        path("archive/store/verify/", VerifyVersionView.as_view(), name="static_export_store_verify"),
    ]
