"""The static copy in the admin: where it stands, said on the dashboard, in a page's status side panel
and on its own screen, with a Retry button that queues an update.

Registered from wagtail_hooks.py: ``add_dashboard_panel`` (construct_homepage_panels) and
``admin_urls`` (register_admin_urls). The page's side panel shows ``page_copy_status`` through the
``static_copy_page_status`` template tag (templatetags/static_copy_admin.py), which a template
override adds below the page's privacy status (see the override's own comment for why that way).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.models import Page

from ..copy_lock import holder_crashed
from ..models import Snapshot, StaticCopy, StaticCopyUpdate, StaticPublishing
from ..publishing import retry
from .permissions import SEE, ForbiddenMixin, forbidden, may

RECENT_UPDATES = 20  # Updates listed on the static copy's screen.


def when(moment):
    return date_format(timezone.localtime(moment), "j F Y, H:i")


@dataclass(frozen=True)
class CopyStatus:
    """Where the static copy stands: ``state`` (one of the names below), a sentence for people, and
    whether a Retry (or "Update now") button makes sense."""

    state: str  # off, updating, queued, failed, never, behind, up to date
    headline: str
    detail: str = ""
    copy: StaticCopy | None = None
    retry_label: str = ""

    @property
    def is_on(self):
        return self.state != "off"

    @property
    def is_busy(self):
        return self.state in ("updating", "queued")

    @property
    def search(self):
        """Where the copy's search index stands (rebuilt after each update by a task of its own)."""
        copy = self.copy
        if copy is None or copy.content_as_of is None:
            return ""
        if copy.search_failure:
            return f"Search index: the last indexing failed: {copy.search_failure}"
        if copy.search_as_of and copy.search_as_of >= copy.content_as_of:
            return "Search index: up to date with the copy."
        indexed = f"has content as of {when(copy.search_as_of)}" if copy.search_as_of else "is being made"
        return f"Search index: catching up (it {indexed}; pages are published already)."


def copy_status():
    """The static copy's status, for the setting's current target folder."""
    publishing = StaticPublishing.objects.first()
    if publishing is None or not publishing.enabled:
        return CopyStatus("off", "Continuous publishing is off")
    copy = StaticCopy.objects.filter(folder=str(publishing.folder_path())).first()
    where = f"Kept in {publishing.folder_path()}" + (
        f" and published to {publishing.s3_destination}." if publishing.s3_destination else "."
    )
    return status_of(copy, where)


def status_of(copy, where=""):
    if copy is None:
        return CopyStatus("never", "No static copy yet", where, retry_label="Update now")
    if copy.running_since and not holder_crashed(copy):
        running = copy.updates.filter(status=StaticCopyUpdate.Status.RUNNING).first()
        stage = f"Stage: {running.stage}. " if running and running.stage else ""
        return CopyStatus("updating", f"Updating (since {when(copy.running_since)})", stage + where, copy)
    if copy.update_queued:
        headline = f"Updating (changes since {when(copy.changed_at or copy.queued_at)} are queued)"
        return CopyStatus("queued", headline, where, copy)
    if copy.running_since:  # Its holder crashed, and nothing is queued to take the lock back.
        failure = f"the update started {when(copy.running_since)} stopped before it finished ({copy.worker})"
        return CopyStatus("failed", f"Failed: {failure}", where, copy, retry_label="Retry")
    if copy.last_failure:
        return CopyStatus("failed", f"Failed: {copy.last_failure}", where, copy, retry_label="Retry")
    if copy.content_as_of is None:
        return CopyStatus("never", "No static copy yet", where, copy, retry_label="Update now")
    if copy.changed_at and copy.changed_at > copy.content_as_of:
        headline = f"Behind: changes since {when(copy.changed_at)} are not in it yet"
        return CopyStatus("behind", headline, where, copy, retry_label="Update now")
    return CopyStatus("up to date", f"Up to date as of {when(copy.content_as_of)}", where, copy)


@dataclass(frozen=True)
class PageCopyStatus:
    state: str  # has it, updating, not yet, left out
    title: str
    text: str


def page_copy_status(page, status=None):
    """Whether the static copy has ``page``'s latest published version; None when publishing is off."""
    status = status or copy_status()
    if not status.is_on or not page.pk:
        return None
    if not page.live or not Page.objects.filter(pk=page.pk).public().exists():
        return PageCopyStatus("left out", "Static copy", "Has only live, public pages: not this one.")
    content_as_of = status.copy.content_as_of if status.copy else None
    # A page made live by a script may have no published date: any update since has it then.
    published_at = page.last_published_at or page.first_published_at or content_as_of
    if content_as_of and published_at <= content_as_of:
        text = f"Has this page's latest published version (up to date as of {when(content_as_of)})."
        return PageCopyStatus("has it", "Static copy: up to date", text)
    if status.is_busy:
        return PageCopyStatus(
            "updating", "Static copy: updating", "This page's latest published version is on its way."
        )
    reason = " The last update failed." if status.state == "failed" else ""
    return PageCopyStatus(
        "not yet", "Static copy: not yet", "Does not have this page's latest published version yet." + reason
    )


class StaticCopyPanel(Component):
    """The dashboard's panel: where the static copy stands, with Retry when it failed."""

    name = "static_copy"
    order = 90  # Above Wagtail's own panels (100 and up).
    template_name = "static_export/admin/static_copy_panel.html"

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        return {
            "status": copy_status(),
            "request": request,
            "csrf_token": parent_context["csrf_token"],
            "settings_url": settings_url(request.user),
        }


def settings_url(user):
    """The static publishing setting's edit screen, if ``user`` may change it."""
    if StaticPublishing.get_permission_policy().user_has_permission(user, "change"):
        return reverse("wagtailsettings:edit", args=["static_export", "staticpublishing"])
    return ""


class StaticCopyView(ForbiddenMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """The static copy's screen: its status and its recent updates, each with why it ran and how it
    ended; in the Archive menu, for those who may see snapshots (editors and moderators may)."""

    model = Snapshot
    any_permission_required = SEE

    page_title = "Static copy"
    header_icon = "upload"
    template_name = "static_export/admin/static_copy.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        status = copy_status()
        updates = status.copy.updates.all()[:RECENT_UPDATES] if status.copy else []
        return super().get_context_data(
            status=status, updates=updates, settings_url=settings_url(self.request.user), **kwargs
        )


@require_POST
def retry_view(request):
    """Queue an update of the static copy now, then go back where the button was."""
    if not any(may(request.user, action) for action in SEE):
        return forbidden(request)
    if retry(f"Update asked for by {request.user.get_username()}") is None:
        messages.error(request, "Continuous publishing is off: turn it on to keep a static copy.")
    else:
        messages.success(request, "An update of the static copy is queued.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("static_export_static_copy")
    return redirect(back)


def add_dashboard_panel(request, panels):
    panels.append(StaticCopyPanel())


def admin_urls():
    return [
        path("archive/static-copy/", StaticCopyView.as_view(), name="static_export_static_copy"),
        path("archive/static-copy/retry/", retry_view, name="static_export_static_copy_retry"),
    ]
