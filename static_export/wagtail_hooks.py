"""The Archive menu of the Wagtail admin (the archive's screens, grouped under one menu item), and
the static copy's dashboard panel and URLs. (The page editor's status line about the static copy is a
template override: templates/wagtailadmin/shared/side_panels/includes/status/privacy.html.)"""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin import static_copy, store
from .admin.permissions import ArchiveMenuItem
from .admin.snapshots import SnapshotViewSet


class ArchiveViewSetGroup(ViewSetGroup):
    menu_label = "Archive"
    menu_icon = "folder-inverse"
    menu_order = 700  # After Snippets (500); before Reports (9000) and Settings.
    # One entry per screen of the Archive area: a viewset in ``items``, or a MenuItem registered
    # with @hooks.register(ArchiveViewSetGroup.submenu_hook).
    items = (SnapshotViewSet,)
    submenu_hook = "register_archive_menu_item"


@hooks.register("register_admin_viewset")
def register_archive_menu():
    return ArchiveViewSetGroup()


@hooks.register(ArchiveViewSetGroup.submenu_hook)
def register_static_copy_menu_item():
    return ArchiveMenuItem("Static copy", reverse("static_export_static_copy"), icon_name="upload", order=300)


hooks.register(ArchiveViewSetGroup.submenu_hook, store.menu_item)
hooks.register("construct_homepage_panels", static_copy.add_dashboard_panel)
hooks.register("register_admin_urls", static_copy.admin_urls)
hooks.register("register_admin_urls", store.admin_urls)
