"""What the Archive admin tests share: people in Wagtail's groups, the admin's URLs of a snapshot, and
freezing one through the admin's own form."""

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from static_export.models import Snapshot

from .conftest import BASE_URL, CAPTURED_AT

INDEX_URL = reverse("archive_snapshots:index")
FREEZE_URL = reverse("archive_snapshots:add")


def person_in(django_user_model, group, username):
    """A user in one of the groups the migrations create (Archivists, Editors, Moderators)."""
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "not-a-real-password")
    user.groups.add(Group.objects.get(name=group))
    return user


def url(name, snapshot, *args):
    return reverse(f"archive_snapshots:{name}", args=(snapshot.pk, *args))


def freeze_form(**overrides):
    """What an archivist types into "Freeze a snapshot" (the cheap leaked-markup gate only)."""
    fields = {
        "base_url": BASE_URL,
        "captured_at": timezone.localtime(CAPTURED_AT).strftime("%Y-%m-%d %H:%M"),
        "package": "on",
        "contact": "archives@example.org",
        "gates": ["markup"],
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def post_freeze(client, **overrides):
    """POST the freeze form; returns (the response, the snapshot it started)."""
    latest = Snapshot.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(FREEZE_URL, freeze_form(**overrides))
    return response, Snapshot.objects.filter(pk__gt=latest).order_by("pk").first()
