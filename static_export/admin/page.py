"""A snapshot's page: where its freeze stands (followed without a reload while it runs), its report,
its downloads and its verifications, with buttons to browse, compare, verify, cancel and delete."""

import datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton

from ..archive.layout import is_archive, package_paths
from ..models import Snapshot
from . import summary
from .downloads import DOWNLOADS
from .permissions import DELETE, FREEZE, VERIFY, ForbiddenMixin
from .store import version_url


class SnapshotPageView(ForbiddenMixin, generic.InspectView):
    template_name = "static_export/admin/snapshot.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Snapshot.objects.select_related("started_by"), pk=self.pk)

    def get_fields_context(self):
        return []  # The template lays the snapshot out itself.

    def get_page_title(self):
        return summary.title(self.object)

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Snapshots"},
            {"url": "", "label": summary.title(self.object)},
        ]

    def url(self, name, *args):
        return reverse(f"archive_snapshots:{name}", args=(self.object.pk, *args))

    @cached_property
    def has_archive(self):
        archive = self.object.archive_path
        return bool(archive) and is_archive(archive)

    @cached_property
    def header_buttons(self):
        snapshot, buttons = self.object, []
        if self.has_archive:
            buttons.append(HeaderButton("Browse", url=self.url("browse_root"), icon_name="view"))
        if snapshot.status == Snapshot.Status.COMPLETE:
            buttons.append(
                HeaderButton("Compare with previous", url=self.url("compare"), icon_name="history")
            )
            if self.user_has_permission(VERIFY):
                buttons.append(submit_button("Verify now", "snapshot-verify", "success"))
        if not snapshot.is_finished and self.user_has_permission(FREEZE):
            buttons.append(submit_button("Cancel the freeze", "snapshot-cancel", "cross"))
        return buttons

    def get_delete_url(self):
        if self.object.is_finished and self.user_has_permission(DELETE):
            return self.url("delete")
        return None

    def get_context_data(self, **kwargs):
        snapshot = self.object
        context = super().get_context_data(**kwargs)
        context.update(
            snapshot=snapshot,
            progress=summary.progress(snapshot),
            status_url=None if snapshot.is_finished else self.url("status"),
            report=snapshot.report,
            stages=(summary.report_value(snapshot, "stages") or {}).items(),
            downloads=self.downloads(),
            bag_missing=snapshot.status == Snapshot.Status.COMPLETE and not snapshot.package,
            verifications=verification_rows(snapshot),
            cancel_url=self.url("cancel"),
            verify_url=self.url("verify"),
            facts=facts(snapshot),
        )
        return context

    def downloads(self):
        """The package's files that are on disk, to download: the WACZ, provenance and the bag."""
        if not self.object.archive_path:
            return []
        paths = package_paths(self.object.archive_path)
        return [
            {"label": label, "url": self.url("download", kind), "description": description}
            for kind, (label, description) in DOWNLOADS.items()
            if paths[kind].exists()
        ]


PROBLEM_KINDS = (("fixity", "Fixity"), ("links", "Internal links"), ("private", "Private content"))


def verification_rows(snapshot):
    """Each verification of the snapshot, newest first, with its problems by kind."""
    return [
        {
            "verification": verification,
            "problems": [
                (label, verification.problems[kind])
                for kind, label in PROBLEM_KINDS
                if (verification.problems or {}).get(kind)
            ],
        }
        for verification in snapshot.verifications.select_related("requested_by")
    ]


def submit_button(label, form_id, icon_name):
    """A header button that submits the (POST) form ``form_id`` on the page."""
    return HeaderButton(label, icon_name=icon_name, attrs={"type": "submit", "form": form_id})


def facts(snapshot):
    """(label, value) of what was asked and how the freeze went, for the page's summary list."""
    rows = [
        ("Started by", snapshot.started_by or "Nobody recorded"),
        ("Queued", when(snapshot.queued_at)),
        ("Started", when(snapshot.started_at) or "Not yet"),
        ("Finished", when(snapshot.finished_at) or "Not yet"),
        ("Duration", summary.duration(summary.elapsed_seconds(snapshot)) or "Not started"),
        ("Base URL", summary.report_value(snapshot, "base_url") or snapshot.base_url or "The site's own"),
        ("Capture time", captured_at(snapshot)),
        ("Package", "Bag, WACZ and provenance record" if snapshot.package else "None"),
        ("Snapshot store", stored_as(snapshot)),
        ("Contact", snapshot.contact or "None"),
        ("Quality gates", ", ".join(snapshot.gates) or "None"),
        ("Folder", snapshot.folder or "Not written yet"),
    ]
    if kind := summary.kind(snapshot):
        reason = (summary.report_value(snapshot, "incremental") or {}).get("reason")
        rows.insert(5, ("Full or incremental", f"{kind} ({reason})" if reason else kind))
    return rows


def stored_as(snapshot):
    """Which version of the snapshot store the freeze became, linked to it on the store's screen."""
    stored = summary.report_value(snapshot, "store") or {}
    if stored.get("version"):
        return format_html(
            '<a href="{}">{} of {}</a>',
            version_url(stored["object"], stored["version"]),
            stored["version"],
            stored["object"],
        )
    if not snapshot.store:
        return "Not added"
    return "Not added (the freeze did not complete)" if snapshot.is_finished else "Added when it completes"


def when(moment):
    return date_format(timezone.localtime(moment), "j F Y, H:i:s") if moment else ""


def captured_at(snapshot):
    """The capture time the archive records (in UTC, as its pages' metadata has it)."""
    recorded = summary.report_value(snapshot, "captured_at")
    moment = datetime.datetime.fromisoformat(recorded) if recorded else snapshot.captured_at
    if moment is None:
        return "When the freeze starts"
    return date_format(moment.astimezone(datetime.UTC), "j F Y, H:i:s") + " UTC"
