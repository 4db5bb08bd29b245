from wagtail import hooks

# --- The static copy (continuous publishing, admin/static_copy.py) -------------------------------------
# A dashboard panel, and two admin URLs: the static copy's screen and its Retry button. The screen
# belongs in the Archive menu; to add it to that group's submenu:
#     MenuItem("Static copy", reverse("static_export_static_copy"), icon_name="upload", order=300)
# (the page editor's status line is a template override: templates/wagtailadmin/.../status/privacy.html).
from .admin import static_copy

hooks.register("construct_homepage_panels", static_copy.add_dashboard_panel)
hooks.register("register_admin_urls", static_copy.admin_urls)
# --- End of the static copy ------------------------------------------------------------------------------
