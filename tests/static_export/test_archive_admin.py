"""The Archive area of the admin, through its real views: the snapshots list, the freeze form, a
snapshot's page and progress, cancel, downloads, browse, delete, and who may do what.

Freezes here run in-process (the test settings' immediate backend) when the freeze form's
transaction commits; tests/static_export/test_archive_admin_worker.py runs them in a real worker."""

import datetime
import hashlib
import io
import os
import tarfile

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.utils import timezone
from lxml import etree
from wagtail.models import ModelLogEntry, Site

from static_export.models import Snapshot, SnapshotVerification
from static_export.tasks import ProgressRecorder, freeze_snapshot, verify_snapshot
from static_export.views import exportable_pages
from tests.helpers import page_soup, page_text

from .archive_admin import FREEZE_URL, INDEX_URL, freeze_form, post_freeze, url
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def snapshots_dir(settings, tmp_path):
    settings.STATIC_EXPORT_SNAPSHOTS_DIR = tmp_path / "snapshots"
    return settings.STATIC_EXPORT_SNAPSHOTS_DIR


@pytest.fixture
def frozen(client, archivist, demo_site, django_capture_on_commit_callbacks):
    """A snapshot an archivist froze through the form, with its package; the client is logged in."""
    client.force_login(archivist)
    with django_capture_on_commit_callbacks(execute=True):
        response, snapshot = post_freeze(client)
    assert response.status_code == 302, page_text(response)
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.COMPLETE, snapshot.failure
    return snapshot


def queued(**fields):
    return Snapshot.objects.create(base_url=BASE_URL, captured_at=CAPTURED_AT, gates=["markup"], **fields)


def digests(folder):
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_freeze_form_says_what_will_happen_and_shows_an_error_on_the_field_at_fault(
    client, archivist, demo_site, snapshots_dir
):
    client.force_login(archivist)
    site = Site.objects.get(is_default_site=True)

    text = page_text(client.get(FREEZE_URL))
    assert "What will happen" in text
    assert f"{exportable_pages(site).count()} pages" in text
    assert str(snapshots_dir) in text and "Earlier snapshots" in text and "are not changed" in text

    for wrong in ("www.example.org", "ftp://example.org", "https://"):
        response = client.post(FREEZE_URL, freeze_form(base_url=wrong))
        assert response.status_code == 200
        form = response.context["form"]
        assert list(form.errors) == ["base_url"], wrong
        assert "starting with http:// or https://" in form.errors["base_url"][0]
        assert "starting with http:// or https://" in page_text(response)
    assert not Snapshot.objects.exists()


def test_the_list_shows_every_freeze_newest_first_with_its_status_and_figures(client, frozen):
    running = queued(status="running", stage="pages", pages_done=3, pages_total=17)
    queued(status="failed", failure="2 quality gate failures in the archive:\nabout/index.html: …")
    queued(status="cancelled", failure="Cancelled before it started.")
    waiting = queued()

    response = client.get(INDEX_URL)

    rows = [page_text_of(row) for row in page_soup(response).select("tbody tr")]
    assert [row.split()[:2] for row in rows] == [
        ["Snapshot", str(pk)] for pk in range(waiting.pk, frozen.pk - 1, -1)
    ]
    assert "Queued Waiting for the background worker" in rows[0]
    assert "Cancelled Cancelled before it started." in rows[1]
    assert "Failed Failed: 2 quality gate failures in the archive:" in rows[2]
    assert "Running Stage: pages, 3 of 17 pages" in rows[3]
    report = frozen.report
    assert f"Complete Complete: {report['pages']} pages" in rows[4]
    assert "archie" in rows[4] and "Full" in rows[4]
    assert f"{report['files']} files" in rows[4]
    assert f"{len(report['checks'])} passed" in rows[4]
    # A freeze not yet finished is followed by the page (snapshot-progress.js polls its status).
    polled = page_soup(response).select("[data-controller='snapshot-progress']")
    assert [element["data-snapshot-progress-url-value"] for element in polled] == [
        url("status", waiting),
        url("status", running),
    ]
    assert "static_export/snapshot-progress.js" in response.content.decode()


def page_text_of(element):
    return " ".join(element.get_text(" ", strip=True).split())


def test_the_list_is_paginated(client, archivist):
    for _ in range(21):
        queued()
    client.force_login(archivist)

    assert "Page 1 of 2" in page_text(client.get(INDEX_URL))
    assert len(page_soup(client.get(INDEX_URL + "?p=2")).select("tbody tr")) == 1


def test_an_editor_sees_snapshots_but_gets_403_on_freeze_cancel_verify_and_delete(
    client, editor, demo_site, django_capture_on_commit_callbacks
):
    frozen, waiting = queued(status="complete", folder="/nowhere"), queued()
    client.force_login(editor)

    assert client.get(INDEX_URL).status_code == 200
    page = client.get(url("inspect", frozen))
    assert page.status_code == 200
    assert not page_soup(page).select("[form='snapshot-verify'], [form='snapshot-cancel']")
    assert not page_soup(client.get(INDEX_URL)).select(f"a[href='{FREEZE_URL}']")
    with django_capture_on_commit_callbacks(execute=True):
        refused = {
            "freeze form": client.get(FREEZE_URL),
            "freeze": client.post(FREEZE_URL, freeze_form()),
            "cancel": client.post(url("cancel", waiting)),
            "verify": client.post(url("verify", frozen)),
            "delete form": client.get(url("delete", frozen)),
            "delete": client.post(url("delete", frozen)),
        }
    assert {name: response.status_code for name, response in refused.items()} == dict.fromkeys(refused, 403)
    assert "You do not have permission" in page_text(refused["freeze"])
    assert list(Snapshot.objects.order_by("pk").values_list("pk", "status", "cancel_requested")) == [
        (frozen.pk, "complete", False),
        (waiting.pk, "queued", False),
    ]
    assert not SnapshotVerification.objects.exists()


def test_the_archive_menu_is_shown_to_those_who_may_see_snapshots(client, django_user_model, editor):
    nobody = django_user_model.objects.create_user("nobody", "nobody@example.org", "not-a-real-password")
    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))  # The admin, no snapshots.

    client.force_login(editor)
    assert '"Archive"' in client.get("/admin/").content.decode()
    client.force_login(nobody)
    assert '"Archive"' not in client.get("/admin/").content.decode()
    assert client.get(INDEX_URL).status_code == 403


def test_every_archive_url_sends_anonymous_visitors_to_the_login_page(client):
    frozen = queued(status="complete")
    urls = [INDEX_URL, FREEZE_URL] + [
        url(name, frozen, *args)
        for name, *args in [
            ("inspect",),
            ("status",),
            ("cancel",),
            ("verify",),
            ("compare",),
            ("delete",),
            ("download", "wacz"),
            ("download", "provenance"),
            ("download", "bag"),
            ("browse_root",),
            ("browse", "about/"),
            ("browse", "static/css/site.css"),
        ]
    ]
    for address in urls:
        for response in (client.get(address), client.post(address)):
            assert response.status_code == 302, address
            assert response["Location"].startswith("/admin/login/?next="), address
    assert Snapshot.objects.get().status == Snapshot.Status.COMPLETE


def test_cancelling_a_queued_freeze_records_cancelled_and_it_never_runs(
    client, archivist, demo_site, snapshots_dir
):
    waiting = queued(started_by=archivist)
    client.force_login(archivist)

    response = client.post(url("cancel", waiting))

    assert response["Location"] == url("inspect", waiting)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.cancel_requested) == ("cancelled", True)
    freeze_snapshot.enqueue(waiting.pk)  # The worker picks the task up later: it does nothing.
    waiting.refresh_from_db()
    assert waiting.status == "cancelled" and not waiting.folder
    assert not snapshots_dir.exists() or not any(snapshots_dir.iterdir())
    text = page_text(client.get(url("inspect", waiting)))
    assert "Cancelled before it started." in text and "Cancel the freeze" not in text


def test_cancelling_a_running_freeze_stops_it_and_leaves_earlier_snapshots_as_they_were(
    client, frozen, monkeypatch
):
    earlier = digests(frozen.archive_path.parent)
    running = queued(started_by=frozen.started_by)
    record_progress = ProgressRecorder.__call__

    def archivist_clicks_cancel_at_the_api_stage(recorder, stage, done, total):
        record_progress(recorder, stage, done, total)
        if stage == "api":
            assert "Cancel the freeze" in page_text(client.get(url("inspect", running)))
            assert client.post(url("cancel", running)).status_code == 302

    monkeypatch.setattr(ProgressRecorder, "__call__", archivist_clicks_cancel_at_the_api_stage)
    monkeypatch.setattr("static_export.tasks.POLL_EVERY", 0)

    freeze_snapshot.enqueue(running.pk)

    running.refresh_from_db()
    assert running.status == Snapshot.Status.CANCELLED, running.failure
    assert not running.archive_path.exists()
    assert "cancelled" in page_text(client.get(url("inspect", running)))
    frozen.refresh_from_db()
    assert frozen.status == Snapshot.Status.COMPLETE
    assert digests(frozen.archive_path.parent) == earlier


def test_the_progress_endpoint_sends_stage_pages_and_elapsed_time(client, archivist):
    started = timezone.now() - datetime.timedelta(seconds=75)
    running = queued(status="running", stage="pages", pages_done=4, pages_total=17, started_at=started)
    client.force_login(archivist)

    progress = client.get(url("status", running)).json()

    assert progress["status"] == "running" and progress["finished"] is False
    assert (progress["stage"], progress["pages_done"], progress["pages_total"]) == ("pages", 4, 17)
    assert 75 <= progress["elapsed_seconds"] < 90 and progress["elapsed"].startswith("1 min 1")
    assert progress["summary"] == "Stage: pages, 4 of 17 pages"
    page = page_soup(client.get(url("inspect", running)))
    (followed,) = page.select("[data-controller='snapshot-progress']")
    assert followed["data-snapshot-progress-url-value"] == url("status", running)
    assert followed.select_one("[data-snapshot-progress-target='summary']").get_text() == progress["summary"]
    assert page.select_one("script[src$='static_export/snapshot-progress.js']")

    Snapshot.objects.filter(pk=running.pk).update(
        status="complete", finished_at=started + datetime.timedelta(60)
    )
    assert client.get(url("status", running)).json()["finished"] is True


def test_a_snapshots_page_shows_its_report(client, frozen):
    text = page_text(client.get(url("inspect", frozen)))

    report = frozen.report
    assert f"{report['pages']} pages, {report['documents']} document" in text
    for stage in report["stages"]:
        assert stage in text
    for check in report["checks"]:
        assert f"{check['name']} {check['tool']}" in text
    assert f"Warnings ({len(report['warnings'])})" in text
    assert f"External links ({len(report['external_links'])})" in text
    assert all(link in text for link in report["external_links"])
    assert "Started by archie" in text and "30 April 2024, 17:00:00 UTC" in text
    assert "WACZ web archive" in text and "Provenance record" in text and "BagIt bag" in text


def test_the_bag_downloads_as_one_streamed_tar_of_the_bags_files(client, frozen, tmp_path):
    folder = frozen.archive_path.parent
    (tmp_path / "secret.txt").write_text("not part of the bag")
    os.symlink(tmp_path / "secret.txt", folder / "archive.bag" / "data" / "leak.txt")

    response = client.get(url("download", frozen, "bag"))

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-tar"
    assert response["Content-Disposition"] == f'attachment; filename="snapshot-{frozen.pk}.bag.tar"'
    pieces = list(response.streaming_content)
    assert len(pieces) > 2 and max(len(piece) for piece in pieces) <= 1024 * 1024
    with tarfile.open(fileobj=io.BytesIO(b"".join(pieces)), mode="r:") as tar:
        members = {member.name: tar.extractfile(member).read() for member in tar.getmembers()}
    bag = folder / "archive.bag"
    expected = {
        f"snapshot-{frozen.pk}.bag/{path.relative_to(bag)}": path.read_bytes()
        for path in bag.rglob("*")
        if path.is_file() and not path.is_symlink()
    }
    assert members == expected
    assert {"bagit.txt", "manifest-sha256.txt", "data/index.html"} <= {
        name.split("/", 1)[1] for name in members
    }

    for kind, file in (("wacz", "archive.wacz"), ("provenance", "archive.premis.xml")):
        download = client.get(url("download", frozen, kind))
        assert b"".join(download.streaming_content) == (folder / file).read_bytes()
        assert "attachment" in download["Content-Disposition"]


def test_the_provenance_record_downloads_as_premis_xml(client, frozen):
    page = page_soup(client.get(url("inspect", frozen)))
    link = page.find("a", href=url("download", frozen, "provenance"))
    assert "PREMIS 3 XML" in link.parent.get_text()

    download = client.get(url("download", frozen, "provenance"))

    assert download["Content-Type"] == "application/xml"
    assert download["Content-Disposition"] == f'attachment; filename="snapshot-{frozen.pk}.premis.xml"'
    root = etree.fromstring(b"".join(download.streaming_content))
    assert root.tag == "{http://www.loc.gov/premis/v3}premis"


def test_browse_serves_the_snapshots_pages_read_only_inside_a_sandbox(client, frozen):
    home = client.get(url("browse_root", frozen))

    assert home.status_code == 200
    assert home["Content-Type"] == "text/html; charset=utf-8"
    policy = home["Content-Security-Policy"]
    assert policy.startswith("sandbox") and "allow-scripts" not in policy
    assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "<title>" in b"".join(home.streaming_content).decode()
    nested = client.get(url("browse", frozen, "about/"))
    assert nested.status_code == 200
    assert "About" in page_soup_of(nested).title.get_text()
    assert client.get(url("browse", frozen, "about"))["Location"] == url("browse", frozen, "about/")
    stylesheet = client.get(url("browse", frozen, "static/css/site.css"))
    assert stylesheet["Content-Type"] == "text/css; charset=utf-8"
    assert stylesheet["Content-Security-Policy"].startswith("sandbox")
    assert client.get(url("browse", frozen, "no-such-page/")).status_code == 404


def page_soup_of(response):
    return BeautifulSoup(b"".join(response.streaming_content), "html.parser")


def test_browse_refuses_paths_out_of_the_archive_and_symbolic_links(client, frozen, tmp_path):
    archive = frozen.archive_path
    (tmp_path / "secret.html").write_text("<title>secret</title>")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "index.html").write_text("<title>secret</title>")
    os.symlink(tmp_path / "secret.html", archive / "leak.html")
    os.symlink(tmp_path / "outside", archive / "about" / "leak")
    os.mkfifo(archive / "pipe.html")

    for name in (
        "../archive.premis.xml",
        "about/../../archive.premis.xml",
        "%2e%2e/archive.premis.xml",
        "leak.html",
        "about/leak/",
        "about/leak/index.html",
        "pipe.html",
    ):
        response = client.get(url("browse_root", frozen) + name)
        assert response.status_code == 404, name
        assert b"secret" not in response.content and b"provenance" not in response.content


def test_delete_asks_for_confirmation_then_logs_it_and_removes_the_folder(
    client, frozen, django_capture_on_commit_callbacks
):
    folder = frozen.archive_path.parent
    assert "Delete" in page_text(client.get(url("inspect", frozen)))

    confirmation = client.get(url("delete", frozen))
    assert "Are you sure you want to delete snapshot" in page_text(confirmation)
    assert folder.is_dir() and Snapshot.objects.filter(pk=frozen.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("delete", frozen))

    assert response["Location"] == INDEX_URL
    assert not Snapshot.objects.filter(pk=frozen.pk).exists()
    assert not folder.exists()
    (entry,) = ModelLogEntry.objects.filter(action="wagtail.delete")
    assert (entry.object_id, entry.user, entry.label) == (str(frozen.pk), frozen.started_by, str(frozen))
    assert f"Snapshot {frozen.pk} deleted, with its files." in page_text(client.get(INDEX_URL))


def test_a_running_freeze_is_not_deleted_until_it_is_cancelled(client, archivist):
    running = queued(status="running", stage="pages")
    client.force_login(archivist)

    response = client.post(url("delete", running))

    assert response["Location"] == url("inspect", running)
    assert Snapshot.objects.filter(pk=running.pk).exists()
    assert "cancel it first" in page_text(client.get(url("inspect", running)))


def test_verifying_a_snapshot_frozen_without_its_package_says_fixity_cannot_be_checked(
    client, archivist, demo_site, django_capture_on_commit_callbacks
):
    client.force_login(archivist)
    with django_capture_on_commit_callbacks(execute=True):
        _, snapshot = post_freeze(client, package=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("verify", snapshot))

    verification = snapshot.verifications.get()
    assert verification.status == SnapshotVerification.Status.ERROR
    assert verification.problems == {"links": [], "private": []}
    text = page_text(client.get(url("inspect", snapshot)))
    assert "Could not run" in text and "Fixity cannot be checked" in text
    assert "frozen without its package" in text


def test_a_verification_whose_snapshot_was_deleted_before_it_ran_does_nothing():
    verification = SnapshotVerification.objects.create(snapshot=queued(status="complete"))
    verification.snapshot.delete()

    assert verify_snapshot.enqueue(verification.pk).return_value is None
