"""The Archivists group, which may freeze, verify and delete snapshots in the admin's Archive area;
Wagtail's Editors and Moderators may see snapshots (their status) but do nothing else with them."""

from django.db import migrations

ARCHIVIST_ACTIONS = ["add", "view", "delete", "verify"]
SEE_ONLY = ["view"]
PERMISSION_NAMES = {
    "add": "Can add snapshot",
    "change": "Can change snapshot",
    "delete": "Can delete snapshot",
    "view": "Can view snapshot",
    "verify": "Can verify snapshots",
}


def snapshot_permissions(apps, actions):
    """The snapshot permissions for ``actions``, created if the post-migrate signal has not yet."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="static_export", model="snapshot")
    return [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_snapshot",
            defaults={"name": PERMISSION_NAMES[action]},
        )[0]
        for action in actions
    ]


def create_archivists(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    archivists, _ = Group.objects.get_or_create(name="Archivists")
    archivists.permissions.add(access_admin, *snapshot_permissions(apps, ARCHIVIST_ACTIONS))
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*snapshot_permissions(apps, SEE_ONLY))


def remove_archivists(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Archivists").delete()
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.remove(*snapshot_permissions(apps, SEE_ONLY))


class Migration(migrations.Migration):
    dependencies = [
        ("static_export", "0002_verifications_and_static_copy"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_archivists, remove_archivists)]
