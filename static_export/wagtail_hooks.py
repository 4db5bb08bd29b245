"""The Archive menu of the Wagtail admin: the archive's screens, grouped under one menu item."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin.snapshots import SnapshotViewSet


class ArchiveViewSetGroup(ViewSetGroup):
    menu_label = "Archive"
    menu_icon = "folder-inverse"
    menu_order = 700  # After Snippets (500); before Reports (9000) and Settings.
    # One entry per screen of the Archive area. Add another (the static copy's, say) by putting its
    # viewset in ``items``, or from anywhere with @hooks.register(ArchiveViewSetGroup.submenu_hook)
    # returning a MenuItem (or a viewset with ``menu_hook = "register_archive_menu_item"``).
    items = (SnapshotViewSet,)
    submenu_hook = "register_archive_menu_item"


@hooks.register("register_admin_viewset")
def register_archive_menu():
    return ArchiveViewSetGroup()
