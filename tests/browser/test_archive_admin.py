"""The Archive area in Chromium: an archivist freezes the site and watches it complete (a real
worker), a snapshot's page follows its freeze without a reload, and Browse shows archived pages with
their styles while running none of their scripts. Each Archive screen is screenshotted."""

import threading

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect
from wagtail.models import Page

from cms.core.demo_content import load_demo_content
from static_export.models import Snapshot
from static_export.tasks import start_freeze
from tests.static_export.archive_admin import INDEX_URL, person_in
from tests.static_export.conftest import BASE_URL

from .browser import SCREENSHOTS, chromium

# A page as a hostile import could have left in an archive: each script, if it ran, changes the title.
HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Archived page</title>
<link rel="stylesheet" href="style.css"></head>
<body><h1>Archived page</h1><script>document.title = "inline script ran"</script>
<img src="missing.png" alt="" onerror="document.title = 'event handler ran'">
<script src="script.js"></script></body></html>
"""


def session_of(user):
    """The user's admin session cookie (logged in by Django's test client, not the login form)."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def logged_in_tab(browser, live_server, session):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


def meanwhile(work):
    """Database work while Playwright's event loop runs in this thread: in a thread of its own, as
    the worker would do it in a process of its own."""
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_snapshots_page_follows_its_freeze_without_a_reload(live_server, django_user_model):
    snapshot = Snapshot.objects.create(base_url="https://example.org", gates=["markup"])
    session = session_of(person_in(django_user_model, "Archivists", "archie"))

    with chromium() as browser:
        tab = logged_in_tab(browser, live_server, session)
        tab.goto(live_server.url + reverse("archive_snapshots:inspect", args=(snapshot.pk,)))
        summary = tab.locator("#main [data-snapshot-progress-target='summary']")
        expect(summary).to_have_text("Waiting for the background worker")
        tab.evaluate("window.notReloaded = true")

        running = {"status": "running", "stage": "pages", "pages_done": 5, "pages_total": 17}
        meanwhile(lambda: Snapshot.objects.filter(pk=snapshot.pk).update(**running))
        expect(summary).to_have_text("Stage: pages, 5 of 17 pages", timeout=10_000)
        assert tab.evaluate("window.notReloaded") is True
        tab.screenshot(path=SCREENSHOTS / "archive-snapshot-running.png")

        tab.get_by_role("button", name="Cancel the freeze").click()  # A header button posting a form.
        expect(tab.locator(".messages")).to_contain_text(f"Snapshot {snapshot.pk} is stopping")
        flags = []
        meanwhile(lambda: flags.append(Snapshot.objects.get(pk=snapshot.pk).cancel_requested))
        assert flags == [True]

        # The worker sees the flag and records the end: the page shows it, reloaded once.
        tab.evaluate("window.notReloaded = true")
        cancelled = {"status": "cancelled", "failure": "The export was cancelled before its “api” stage."}
        meanwhile(lambda: Snapshot.objects.filter(pk=snapshot.pk).update(**cancelled))
        expect(tab.get_by_text("Nothing of this freeze was kept.")).to_be_visible(timeout=10_000)
        assert tab.evaluate("window.notReloaded") is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browse_shows_an_archived_page_with_its_styles_but_runs_none_of_its_scripts(
    live_server, django_user_model, tmp_path, settings
):
    settings.STATIC_EXPORT_SNAPSHOTS_DIR = tmp_path
    archive = tmp_path / "snapshot-1" / "archive"
    archive.mkdir(parents=True)
    (archive / "index.html").write_text(HOSTILE_PAGE)
    (archive / "sitemap.xml").write_text("<urlset></urlset>")
    (archive / "style.css").write_text("h1 { color: rgb(1, 2, 3); }")
    (archive / "script.js").write_text('document.title = "script file ran";')
    snapshot = Snapshot.objects.create(status="complete", folder=str(archive.parent))
    session = session_of(person_in(django_user_model, "Archivists", "archie"))

    with chromium() as browser:
        tab = logged_in_tab(browser, live_server, session)
        tab.goto(live_server.url + reverse("archive_snapshots:browse_root", args=(snapshot.pk,)))
        heading = tab.get_by_role("heading", level=1)
        expect(heading).to_have_text("Archived page")
        expect(heading).to_have_css("color", "rgb(1, 2, 3)")  # Its stylesheet loads, as the archivist.
        tab.wait_for_load_state("networkidle")
        assert tab.title() == "Archived page"  # Not one of its scripts ran.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_archivist_clicks_freeze_and_watches_the_snapshot_complete(
    live_server, task_worker, django_user_model
):
    load_demo_content(with_closure_notice=True)
    archivist = person_in(django_user_model, "Archivists", "archie")
    session = session_of(archivist)
    task_worker.start()
    # An earlier snapshot, then an edit, so Compare with previous has a change to list.
    earlier = start_freeze(archivist, base_url=BASE_URL, gates=["markup"])
    task_worker.wait_for(lambda: Snapshot.objects.get(pk=earlier.pk).is_finished, what="the earlier freeze")
    about = Page.objects.get(slug="about").specific
    about.title = "About the Centre"
    about.save_revision().publish()

    with chromium() as browser:
        tab = logged_in_tab(browser, live_server, session)
        tab.goto(live_server.url + INDEX_URL)
        tab.get_by_role("link", name="Freeze a snapshot").click()
        expect(tab.get_by_role("heading", name="What will happen")).to_be_visible()
        tab.get_by_label("Base URL").fill(BASE_URL)
        tab.get_by_label("Contact").fill("archives@example.org")
        tab.get_by_label("Valid HTML").uncheck()  # The quick leaked-markup gate only.
        tab.get_by_label("Accessibility").uncheck()
        tab.screenshot(path=SCREENSHOTS / "archive-freeze-form.png", full_page=True)
        tab.get_by_role("button", name="Start the freeze").click()

        expect(tab.locator(".messages")).to_contain_text("is queued")
        # The page follows the worker's freeze, then reloads once to show the result.
        expect(tab.get_by_role("heading", name="Report")).to_be_visible(timeout=120_000)
        expect(tab.locator("p[role='status']")).to_contain_text("Complete")
        tab.screenshot(path=SCREENSHOTS / "archive-snapshot-complete.png", full_page=True)
        snapshot_url = tab.url

        tab.get_by_role("link", name="Browse").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("What Works Wellbeing")
        tab.screenshot(path=SCREENSHOTS / "archive-browse.png")
        tab.goto(snapshot_url)
        tab.get_by_role("link", name="Compare with previous").click()
        expect(tab.locator("#main")).to_contain_text("About the Centre")
        tab.screenshot(path=SCREENSHOTS / "archive-compare.png", full_page=True)

        tab.goto(snapshot_url)
        tab.get_by_role("button", name="Verify now").click()
        verifications = tab.locator("#verifications tbody tr")
        expect(verifications).to_have_count(1)
        for _ in range(120):  # The verification runs in the worker: look again until it has ended.
            # The text itself: inner_text() gives it as shown, and Wagtail's status tag is upper case.
            if "Passed" in verifications.first.text_content():
                break
            tab.wait_for_timeout(1000)
            tab.reload()
        expect(verifications.first).to_contain_text("Passed")
        tab.locator("#verifications").scroll_into_view_if_needed()
        tab.screenshot(path=SCREENSHOTS / "archive-verified.png")

        tab.goto(live_server.url + INDEX_URL)
        expect(tab.locator("#listing-results tbody tr")).to_have_count(2)
        expect(tab.locator("#listing-results tbody tr").first).to_contain_text("Complete")
        tab.screenshot(path=SCREENSHOTS / "archive-snapshots.png")
        tab.goto(live_server.url + reverse("archive_snapshots:delete", args=(earlier.pk,)))
        expect(tab.get_by_role("button", name="Yes, delete")).to_be_visible()
        tab.screenshot(path=SCREENSHOTS / "archive-delete.png")
