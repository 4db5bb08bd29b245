"""The Snapshots viewset: every freeze listed, the "Freeze a snapshot" form, a snapshot's page and
its deletion, on Wagtail's generic views; its other URLs (progress, cancel, verify, compare, browse,
downloads) are the small views of the modules beside this one."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn, UserColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from ..models import Snapshot
from ..tasks import start_freeze
from . import actions, browse, compare, downloads, summary
from .forms import FreezeForm, freeze_plan
from .page import SnapshotPageView
from .permissions import SEE, ForbiddenMixin, snapshot_policy


class StatusColumn(Column):
    """The status as a tag and a line; a freeze not yet finished follows its progress (polling)."""

    cell_template_name = "static_export/admin/status_cell.html"

    class Media:
        js = ["static_export/snapshot-progress.js"]

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["progress"] = summary.progress(instance)
        if not instance.is_finished:
            context["status_url"] = reverse("archive_snapshots:status", args=(instance.pk,))
        return context


class SnapshotIndexView(ForbiddenMixin, generic.IndexView):
    page_title = "Snapshots"
    add_item_label = "Freeze a snapshot"
    default_ordering = "-queued_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("started_by")

    @cached_property
    def columns(self):
        title = self._get_title_column_class(TitleColumn)(
            "snapshot",
            label="Snapshot",
            accessor=summary.title,
            get_url=self.get_inspect_url,
            classname="w-whitespace-nowrap",
        )
        return [
            title,
            StatusColumn("status", label="Status"),
            UserColumn("started_by", label="Started by"),
            DateColumn("queued_at", label="Started", sort_key="queued_at"),
            Column("kind", label="Full or incremental", accessor=summary.kind),
            Column("pages", label="Pages", accessor=lambda snapshot: summary.report_value(snapshot, "pages")),
            Column("files", label="Files and size", accessor=summary.files_and_size),
            Column("store", label="Store version", accessor=summary.store_version),
            Column("duration", label="Duration", accessor=summary.export_duration),
            Column("warnings", label="Warnings", accessor=summary.warnings_count),
            Column("checks", label="Checks and gates", accessor=summary.checks_outcome),
        ]

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if instance.is_finished else None


class FreezeView(ForbiddenMixin, generic.CreateView):
    page_title = "Freeze a snapshot"
    submit_button_label = "Start the freeze"
    submit_button_active_label = "Starting…"
    error_message = "The snapshot could not be started: correct the fields marked below."
    template_name = "static_export/admin/freeze.html"

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Snapshots"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=freeze_plan(), **kwargs)

    def save_instance(self):
        snapshot = start_freeze(self.request.user, **self.form.snapshot_options())
        log(instance=snapshot, action="wagtail.create", user=self.request.user)
        return snapshot

    def get_success_message(self, instance):
        return (
            f"{summary.title(instance)} is queued: it is frozen in the background, and this page shows "
            "its progress. Earlier snapshots are not changed."
        )

    def get_success_buttons(self):
        return []

    def get_success_url(self):
        return reverse("archive_snapshots:inspect", args=(self.object.pk,))


class SnapshotDeleteView(ForbiddenMixin, generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        if not self.object.is_finished and self.user_has_permission("delete"):
            messages.error(
                request,
                f"{summary.title(self.object)} is still {self.object.get_status_display().lower()}: "
                "cancel it first, then delete it.",
            )
            return redirect("archive_snapshots:inspect", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return summary.title(self.object)

    @property
    def confirmation_message(self):
        return (
            f"Are you sure you want to delete {summary.title(self.object).lower()}? Its record, its "
            "archive and its package are removed from the server for good. Other snapshots are not changed."
        )

    def get_success_message(self):
        return f"{self.deleted} deleted, with its files."

    def delete_action(self):
        folder, self.deleted = self.object.folder, summary.title(self.object)
        super().delete_action()  # Wagtail's: logs "wagtail.delete", then deletes the record.
        transaction.on_commit(lambda: remove_folder(folder))


def remove_folder(folder):
    """Remove a deleted snapshot's folder, only if it is one of STATIC_EXPORT_SNAPSHOTS_DIR's own
    (shutil.rmtree removes symbolic links; it never follows them)."""
    if not folder:
        return
    folder = Path(folder)
    ours = folder.parent.resolve() == Path(settings.STATIC_EXPORT_SNAPSHOTS_DIR).resolve()
    if ours and folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)


class SnapshotURLFinder(ModelAdminURLFinder):
    """Links from elsewhere in the admin (log entries) to a snapshot open its page."""

    edit_url_name = "archive_snapshots:inspect"

    def get_edit_url(self, instance):
        if self.user and not snapshot_policy().user_has_any_permission(self.user, SEE):
            return None
        return self.construct_edit_url(instance)


class SnapshotViewSet(ModelViewSet):
    model = Snapshot
    name = "archive_snapshots"
    url_prefix = "archive/snapshots"
    icon = "time"
    menu_label = "Snapshots"
    add_to_reference_index = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 20
    index_view_class = SnapshotIndexView
    add_view_class = FreezeView
    inspect_view_class = SnapshotPageView
    delete_view_class = SnapshotDeleteView
    url_finder_class = SnapshotURLFinder

    def get_form_class(self, for_update=False):
        return FreezeForm

    def get_common_view_kwargs(self, **kwargs):
        # Snapshots are never edited, copied or given a history screen: no such URLs to link to.
        return super().get_common_view_kwargs(
            edit_url_name=None, history_url_name=None, usage_url_name=None, copy_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("freeze/", self.add_view, name="add"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/delete/", self.delete_view, name="delete"),
            path("<int:pk>/status/", actions.StatusView.as_view(), name="status"),
            path("<int:pk>/cancel/", actions.CancelView.as_view(), name="cancel"),
            path("<int:pk>/verify/", actions.VerifyView.as_view(), name="verify"),
            path("<int:pk>/compare/", compare.CompareView.as_view(), name="compare"),
            path("<int:pk>/download/<str:kind>/", downloads.DownloadView.as_view(), name="download"),
            path("<int:pk>/browse/", browse.BrowseView.as_view(), name="browse_root"),
            path("<int:pk>/browse/<path:name>", browse.BrowseView.as_view(), name="browse"),
        ]
