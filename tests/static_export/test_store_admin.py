"""The snapshot store in the Archive area, through the admin's real views: freezes added to the store
as versions, the freeze form's check of the capture time against the store, the store's screen read
from the store itself, Verify per version, and who may see it.

Freezes run in-process (the test settings' immediate backend) when the freeze form's transaction
commits, as in test_archive_admin.py."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from static_export.archive.store import SnapshotStore
from static_export.models import Snapshot
from tests.helpers import page_soup, page_text

from .archive_admin import FREEZE_URL, INDEX_URL, freeze_form, person_in, post_freeze, url
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db

STORE_URL = reverse("static_export_store")
VERIFY_URL = reverse("static_export_store_verify")
SITE = BASE_URL + "/"


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.STATIC_EXPORT_SNAPSHOTS_DIR = tmp_path / "snapshots"
    settings.STATIC_EXPORT_STORE = tmp_path / "store"
    return settings.STATIC_EXPORT_STORE


@pytest.fixture
def freeze(client, archivist, demo_site, django_capture_on_commit_callbacks):
    """Freeze through the form with "Add it to the snapshot store" ticked; returns the snapshot."""
    client.force_login(archivist)

    def run(captured_at):
        when = timezone.localtime(captured_at).strftime("%Y-%m-%d %H:%M")
        with django_capture_on_commit_callbacks(execute=True):
            response, snapshot = post_freeze(client, captured_at=when, store="on")
        assert response.status_code == 302, page_text(response)
        snapshot.refresh_from_db()
        assert snapshot.status == Snapshot.Status.COMPLETE, snapshot.failure
        return snapshot

    return run


def store_rows(response):
    """{version: the text of its row} of the store's screen."""
    return {
        row.th.get_text(strip=True): " ".join(row.get_text(" ").split())
        for row in page_soup(response).select("tbody tr")
    }


def test_two_freezes_are_two_versions_of_the_store_and_the_second_adds_only_what_changed(
    client, freeze, folders
):
    form = client.get(FREEZE_URL)
    assert page_soup(form).select_one("input[name='store']").has_attr("checked")
    said = page_text(form)
    assert f"the next version of the site in the snapshot store, {folders}" in said
    assert "a file unchanged is stored once" in said

    first = freeze(CAPTURED_AT)
    second = freeze(CAPTURED_AT + datetime.timedelta(days=1))

    listed = [
        " ".join(row.get_text(" ").split()) for row in page_soup(client.get(INDEX_URL)).select("tbody tr")
    ]
    assert [row.split()[:2] for row in listed] == [["Snapshot", str(second.pk)], ["Snapshot", str(first.pk)]]
    assert " v2 " in listed[0] and " v1 " in listed[1]
    page = page_soup(client.get(url("inspect", second)))
    link = page.find("a", string=f"v2 of {SITE}")
    assert link["href"] == f"{STORE_URL}#httpswwwwhatworkswellbeingorg-v2"

    screen = client.get(STORE_URL)
    assert screen.status_code == 200
    rows = store_rows(screen)
    assert list(rows) == ["v2", "v1"]
    assert SITE in page_text(screen)
    v1, v2 = SnapshotStore(folders).versions(SITE)  # The screen says what the store itself holds.
    assert v2.added_bytes < v1.added_bytes and v2.added_files < v1.added_files
    assert v1.added_files == v1.files
    for version, row in ((v1, rows["v1"]), (v2, rows["v2"])):
        assert version.captured_at.strftime("%-d %B %Y, %H:%M:%S UTC") in row
        assert f" {version.files} " in row and f" {version.added_files} file" in row
        assert version.organisation and version.organisation in row
    assert page_soup(screen).select_one("#httpswwwwhatworkswellbeingorg-v2")


def test_verify_checks_one_version_and_says_how_it_went(client, freeze, folders):
    freeze(CAPTURED_AT)

    response = client.post(VERIFY_URL, {"object": SITE, "version": "v1"}, follow=True)
    assert f"v1 of {SITE} is intact" in page_text(response)
    assert "fixity check" in SnapshotStore(folders).premis_path(SITE).read_text()

    stored = next(path for path in folders.rglob("v1/content/about/index.html"))
    stored.write_bytes(stored.read_bytes().replace(b"<", b"(", 1))
    response = client.post(VERIFY_URL, {"object": SITE, "version": "v1"}, follow=True)
    assert f"v1 of {SITE} FAILED verification" in page_text(response)
    assert "v1/content/about/index.html has changed" in page_text(response)


def test_the_freeze_form_refuses_a_capture_time_not_after_the_stores_latest_version(client, freeze):
    freeze(CAPTURED_AT)

    for when in (CAPTURED_AT, CAPTURED_AT - datetime.timedelta(hours=1)):
        typed = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
        response = client.post(FREEZE_URL, freeze_form(captured_at=typed, store="on"))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["captured_at"], when
        assert (
            "latest version of this site, v1, was captured at 2024-04-30 17:00:00 UTC"
            in errors["captured_at"][0]
        )
        assert "needs a later capture time" in page_text(response)
    assert Snapshot.objects.count() == 1
    # Not added to the store, the same capture time is accepted (the freeze is queued).
    assert client.post(FREEZE_URL, freeze_form()).status_code == 302


def test_the_store_screen_is_for_those_who_may_see_snapshots_and_verify_for_archivists(
    client, django_user_model
):
    editor = person_in(django_user_model, "Editors", "eddie")
    nobody = django_user_model.objects.create_user("nobody", "nobody@example.org", "not-a-real-password")
    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))  # The admin, no snapshots.

    for address in (STORE_URL, VERIFY_URL):
        for response in (client.get(address), client.post(address)):
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=")

    client.force_login(nobody)
    assert client.get(STORE_URL).status_code == 403
    assert client.post(VERIFY_URL, {"object": SITE, "version": "v1"}).status_code == 403
    assert STORE_URL not in client.get("/admin/").content.decode()

    client.force_login(editor)  # Editors see snapshots (migration 0003), so the store too; no Verify.
    screen = client.get(STORE_URL)
    assert screen.status_code == 200 and "holds no snapshots yet" in page_text(screen)
    assert STORE_URL in client.get("/admin/").content.decode()
    assert client.post(VERIFY_URL, {"object": SITE, "version": "v1"}).status_code == 403
