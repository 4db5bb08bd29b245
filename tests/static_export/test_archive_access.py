"""Every URL of the Archive area, found by walking the URL conf (so a screen added later is walked
too), refuses anonymous visitors (to the login page) and admin users without permission on snapshots
(403), for GET and POST alike; and so does the static publishing setting."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from static_export.models import Snapshot, StaticPublishing

ARCHIVE_PREFIX = "admin/archive/"
# Values for the routes' parameters: a snapshot, each kind of download, a file of its archive.
PARAMETERS = {"<int:pk>": None, "<str:kind>": ("wacz", "provenance", "bag"), "<path:name>": ("index.html",)}


def routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith(ARCHIVE_PREFIX):
            yield route


def archive_urls(snapshot):
    urls = []
    for route in routes():
        concrete = ["/" + route.replace("<int:pk>", str(snapshot.pk))]
        for parameter, values in PARAMETERS.items():
            if values and parameter in route:
                concrete = [url.replace(parameter, value) for url in concrete for value in values]
        urls += concrete
    return urls


@pytest.fixture
def snapshot(db, tmp_path):
    return Snapshot.objects.create(status=Snapshot.Status.COMPLETE, folder=str(tmp_path / "snapshot-1"))


@pytest.fixture
def setting_url(db):
    """The static publishing setting's edit screen (it names the setting's row)."""
    setting = StaticPublishing.objects.create()
    return reverse("wagtailsettings:edit", args=["static_export", "staticpublishing", setting.pk])


def test_the_walk_finds_every_screen_of_the_archive(snapshot):
    urls = archive_urls(snapshot)
    for expected in (
        "/admin/archive/snapshots/",
        "/admin/archive/snapshots/freeze/",
        f"/admin/archive/snapshots/{snapshot.pk}/",
        f"/admin/archive/snapshots/{snapshot.pk}/delete/",
        f"/admin/archive/snapshots/{snapshot.pk}/verify/",
        f"/admin/archive/snapshots/{snapshot.pk}/download/bag/",
        f"/admin/archive/snapshots/{snapshot.pk}/browse/index.html",
        "/admin/archive/static-copy/",
        "/admin/archive/static-copy/retry/",
    ):
        assert expected in urls
    assert not any("<" in url for url in urls), urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_the_login_page_from_every_archive_url(
    client, snapshot, setting_url, method
):
    for url in [*archive_urls(snapshot), setting_url]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("method", ["get", "post"])
def test_admin_users_without_permission_on_snapshots_are_refused_every_archive_url(
    client, django_user_model, snapshot, setting_url, method
):
    staff = Group.objects.create(name="Staff")
    staff.permissions.add(Permission.objects.get(codename="access_admin"))
    user = django_user_model.objects.create_user("sam", "sam@example.org", "not-a-real-password")
    user.groups.add(staff)
    client.force_login(user)

    for url in archive_urls(snapshot):
        response = getattr(client, method)(url)
        # 405: a POST-only view refusing a GET before anything else; never a screen or an action.
        assert response.status_code in (403, 405), f"{method.upper()} {url}: {response.status_code}"
    # Wagtail's settings views refuse by sending the user to the dashboard with a message.
    response = getattr(client, method)(setting_url)
    assert response.status_code == 302 and response["Location"] == "/admin/", setting_url
    assert Snapshot.objects.get(pk=snapshot.pk).status == Snapshot.Status.COMPLETE
    assert not Snapshot.objects.exclude(pk=snapshot.pk).exists()
