"""Editors see where the static copy stands: on the dashboard (up to date as of …, updating, failed with
the reason and a Retry button, or off with a link to the setting), on its own screen, and in a page's
status side panel (whether the copy has the page's latest published version)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from case_studies.models import CaseStudyPage
from static_export.copy_lock import CopyLock
from static_export.models import StaticCopy, StaticPublishing
from static_export.publishing import request_update
from tests.factories import CaseStudyIndexPageFactory, CaseStudyPageFactory
from tests.helpers import page_soup, page_text

from .static_copy import DUMMY_TASKS, queued_tasks, the_copy, turn_on

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/"
BROKEN_BASE_URL = "ftp://static.example.org"  # Refused by the export before it reads anything.


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "static-site"


@pytest.fixture
def case_study(home_page):
    """A case study published as an editor publishes one (so it has a published date)."""
    page = CaseStudyPageFactory(parent=CaseStudyIndexPageFactory(parent=home_page))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def queue_only(settings):
    settings.TASKS = DUMMY_TASKS


def panel(client):
    """The dashboard's static copy panel: (its state, its text)."""
    section = page_soup(client.get(DASHBOARD)).find(id="static-copy-section")
    assert section is not None, "no static copy panel on the dashboard"
    state = section.find(attrs={"data-static-copy": True})["data-static-copy"]
    return state, " ".join(section.get_text(" ").split())


def side_panel(client, page):
    """The static copy's line in the page editor's status side panel: (its state, its text), or None."""
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    line = page_soup(response).find("section", attrs={"data-static-copy": True})
    return (line["data-static-copy"], " ".join(line.get_text(" ").split())) if line else None


def publish(page, title):
    page.title = title
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_with_publishing_off_the_dashboard_links_to_the_setting_and_pages_say_nothing(
    admin_client, case_study
):
    state, text = panel(admin_client)

    assert state == "off"
    assert "Continuous publishing is off" in text
    link = page_soup(admin_client.get(DASHBOARD)).find("a", string=lambda s: s and "Static publishing" in s)
    assert link["href"] == reverse("wagtailsettings:edit", args=["static_export", "staticpublishing"])
    assert side_panel(admin_client, case_study) is None


def test_an_editor_sees_where_it_stands_without_a_link_to_a_setting_they_cannot_change(
    client, django_user_model
):
    editor = django_user_model.objects.create_user("editor", password="not-used")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    state, text = panel(client)

    assert state == "off"
    assert "An administrator can turn it on in Settings → Static publishing." in text
    assert not page_soup(client.get(DASHBOARD)).find("a", string=lambda s: s and "Static publishing" in s)


def test_after_an_update_the_copy_is_up_to_date_and_has_the_page(
    admin_client, case_study, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder)

    state, text = panel(admin_client)
    assert state == "up to date"
    assert "Up to date as of" in text and str(folder) in text
    assert side_panel(admin_client, case_study)[0] == "has it"
    assert "Has this page's latest published version" in side_panel(admin_client, case_study)[1]


def test_a_page_published_since_the_update_is_on_its_way(
    admin_client, case_study, folder, queue_only, django_capture_on_commit_callbacks
):
    turn_on(folder)
    StaticCopy.objects.update(update_queued=False, content_as_of=case_study.last_published_at)
    assert side_panel(admin_client, case_study)[0] == "has it"

    with django_capture_on_commit_callbacks(execute=True):
        publish(case_study, "A newer version")

    assert panel(admin_client)[0] == "queued"
    assert "Updating (changes since" in panel(admin_client)[1]
    state, text = side_panel(admin_client, case_study)
    assert state == "updating" and "on its way" in text


def test_while_an_update_runs_the_dashboard_says_since_when_and_which_stage(admin_client, case_study, folder):
    turn_on(folder)
    copy = the_copy(folder)
    assert CopyLock(copy.pk).acquire()  # An update running in a live worker (this process).
    copy.updates.create(stage="pages")

    state, text = panel(admin_client)

    assert state == "updating"
    assert "Updating (since" in text and "Stage: pages" in text


def test_a_failed_update_shows_its_reason_and_retry_queues_another(
    admin_client, case_study, folder, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder, base_url=BROKEN_BASE_URL)
    state, text = panel(admin_client)
    assert state == "failed"
    assert f"Failed: --base-url must be an absolute http(s) URL, not “{BROKEN_BASE_URL}”" in text
    assert "Retry" in text
    state, text = side_panel(admin_client, case_study)
    assert state == "not yet" and "The last update failed." in text

    settings.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("static_export_static_copy_retry"), {"next": DASHBOARD})

    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert queued_tasks() == [("update_static_copy", [the_copy(folder).pk], 0)]
    assert "An update of the static copy is queued." in page_text(admin_client.get(DASHBOARD))
    assert "Update asked for by admin" in the_copy(folder).reasons


def test_retry_fixes_a_failure_once_its_cause_is_fixed(
    admin_client, case_study, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder, base_url=BROKEN_BASE_URL)
    StaticPublishing.objects.update(base_url="https://www.whatworkswellbeing.org")  # No save signal.
    assert panel(admin_client)[0] == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("static_export_static_copy_retry"))

    assert panel(admin_client)[0] == "up to date"
    assert the_copy(folder).last_failure == ""


def test_retry_is_a_post_from_a_signed_in_user(client, admin_client, queue_only):
    url = reverse("static_export_static_copy_retry")
    assert admin_client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    assert queued_tasks() == []


def test_retry_with_publishing_off_says_so(admin_client, queue_only):
    response = admin_client.post(reverse("static_export_static_copy_retry"), follow=True)

    text = page_text(response)
    assert "Continuous publishing is off: turn it on to keep a static copy." in text
    assert "is queued" not in text
    assert queued_tasks() == []


def test_the_static_copy_screen_lists_each_update_with_why_it_ran_and_how_it_ended(
    admin_client, case_study, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publishing = turn_on(folder, base_url=BROKEN_BASE_URL)
        request_update("Page published: A case study")

    text = page_text(admin_client.get(reverse("static_export_static_copy")))

    assert "Static copy" in text and "Recent updates" in text
    assert "Setting saved: Static publishing" in text and "Page published: A case study" in text
    assert text.count("--base-url must be an absolute http(s) URL") >= 2  # The status, and each update.
    assert str(publishing.folder_path()) in text


def test_a_page_that_is_not_live_is_not_in_the_copy(admin_client, case_study, folder, queue_only):
    turn_on(folder)
    CaseStudyPage.objects.get(pk=case_study.pk).unpublish()

    state, text = side_panel(admin_client, case_study)

    assert state == "left out" and "Has only live, public pages" in text


def test_the_static_copy_screen_says_whether_search_has_caught_up(
    admin_client, case_study, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder)  # The first update is a full one: it indexes every page itself.
    screen = reverse("static_export_static_copy")
    assert "Search index: up to date with the copy." in page_text(admin_client.get(screen))

    # An update of one page leaves the index to a task of its own; until it runs, search catches up.
    StaticCopy.objects.update(search_as_of=the_copy(folder).content_as_of.replace(year=2020))
    assert "Search index: catching up" in page_text(admin_client.get(screen))
    StaticCopy.objects.update(search_failure="Pagefind stopped")
    assert "the last indexing failed: Pagefind stopped" in page_text(admin_client.get(screen))
