"""The Archive area with a real `manage.py db_worker` (tests/worker.py) running what the admin's
buttons enqueue, as `make run` runs it: freeze, verify (and a flipped byte found), compare."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from static_export.models import Snapshot, SnapshotVerification
from tests.helpers import page_soup, page_text

from .archive_admin import person_in, post_freeze, url

# The worker needs committed data; serialized_rollback restores the migrations' rows (root page,
# site, groups) afterwards, so later transactional tests start from the same database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def archivist_client(client, django_user_model, demo_site):
    client.force_login(person_in(django_user_model, "Archivists", "archie"))
    return client


def freeze_through_the_worker(client, worker):
    response, snapshot = post_freeze(client)
    assert response["Location"] == url("inspect", snapshot)
    worker.wait_for(lambda: Snapshot.objects.get(pk=snapshot.pk).is_finished, what="the freeze")
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.COMPLETE, snapshot.failure
    return snapshot


def verify_now(client, worker, snapshot):
    response = client.post(url("verify", snapshot))
    assert response["Location"] == url("inspect", snapshot)
    verification = snapshot.verifications.latest("pk")
    worker.wait_for(
        lambda: SnapshotVerification.objects.get(pk=verification.pk).is_finished, what="the verification"
    )
    verification.refresh_from_db()
    return verification


def test_an_archivist_freezes_in_the_background_verifies_and_a_flipped_byte_fails_verification(
    archivist_client, task_worker
):
    client = archivist_client
    task_worker.start()

    snapshot = freeze_through_the_worker(client, task_worker)

    text = page_text(client.get(url("inspect", snapshot)))
    assert f"Complete: {snapshot.report['pages']} pages" in text
    assert "Stages and timings" in text and "leaked-markup gate (static_export)" in text
    assert snapshot.started_by.username == "archie" and "Started by archie" in text

    first = verify_now(client, task_worker, snapshot)
    assert first.status == SnapshotVerification.Status.PASSED, first.report
    assert first.requested_by.username == "archie"

    flipped = snapshot.archive_path / "about" / "index.html"
    content = bytearray(flipped.read_bytes())
    content[100] ^= 0x01
    flipped.write_bytes(bytes(content))
    second = verify_now(client, task_worker, snapshot)

    assert second.status == SnapshotVerification.Status.FAILED
    assert second.problems["fixity"] == ["about/index.html has changed since it was captured"]
    rows = page_soup(client.get(url("inspect", snapshot))).select("#verifications tbody tr")
    cells = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in rows]
    assert [(by, outcome) for _, by, outcome, *_ in cells] == [("archie", "Failed"), ("archie", "Passed")]
    assert "about/index.html has changed since it was captured" in rows[0].get_text()


def test_compare_lists_a_page_edited_between_two_freezes_with_links_to_both_versions(
    archivist_client, task_worker
):
    client = archivist_client
    task_worker.start()
    before = freeze_through_the_worker(client, task_worker)
    about = Page.objects.get(url_path="/home/about/").specific
    about.title = "About the What Works Centre"
    about.save_revision().publish()
    after = freeze_through_the_worker(client, task_worker)

    response = client.get(url("compare", after))

    changed = page_soup(response).find("h2", string=lambda text: text and text.startswith("Changed"))
    row = next(tr for tr in changed.find_next("table").select("tbody tr") if "/about/" in tr.get_text())
    assert "About the What Works Centre" in row.get_text()
    links = [link["href"] for link in row.select("a")]
    assert links == [
        reverse("archive_snapshots:browse", args=(before.pk, "about/")),
        reverse("archive_snapshots:browse", args=(after.pk, "about/")),
    ]
    old, new = (b"".join(client.get(link).streaming_content).decode() for link in links)
    assert "About the What Works Centre" not in old and "<title>About" in old
    assert "About the What Works Centre" in new
