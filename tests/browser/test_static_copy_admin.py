"""The static copy in Chromium: an editor publishes a case study, a real worker updates the copy, and
the editor sees it in the dashboard panel, the Static copy screen and the page's status side panel.
Each screen is screenshotted."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from case_studies.models import CaseStudyPage
from cms.core.demo_content import load_demo_content
from static_export.models import StaticCopy
from static_export.publishing import request_update
from tests.static_export.archive_admin import person_in
from tests.static_export.static_copy import page_html, turn_on

from .browser import SCREENSHOTS, chromium
from .test_archive_admin import logged_in_tab, session_of

NEW_TITLE = "Peer mentors for first-year students"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_sees_the_static_copy_catch_up_with_a_publish(
    live_server, task_worker, django_user_model, tmp_path, settings
):
    settings.STATIC_EXPORT_COALESCE_SECONDS = 0.5
    load_demo_content(with_closure_notice=True)
    folder = tmp_path / "static-site"
    turn_on(folder)
    request_update("First copy")
    editor = person_in(django_user_model, "Editors", "edna")
    session = session_of(editor)
    task_worker.start()

    def copy_is_current():
        copy = StaticCopy.objects.filter(folder=str(folder)).first()
        return copy and copy.content_as_of and not copy.update_queued and copy.running_since is None

    task_worker.wait_for(copy_is_current, what="the first copy")
    case_study = CaseStudyPage.objects.live().first()
    case_study.title = NEW_TITLE
    case_study.save_revision().publish()
    task_worker.wait_for(lambda: NEW_TITLE in page_html(folder, case_study), what="the update")
    task_worker.wait_for(copy_is_current, what="the update to end")

    with chromium() as browser:
        tab = logged_in_tab(browser, live_server, session)
        tab.goto(live_server.url + reverse("wagtailadmin_home"))
        panel = tab.get_by_role("region", name="Static copy")
        expect(panel).to_contain_text("Up to date")
        panel.scroll_into_view_if_needed()
        tab.screenshot(path=SCREENSHOTS / "archive-dashboard-static-copy.png")

        tab.goto(live_server.url + reverse("static_export_static_copy"))
        expect(tab.locator("#main")).to_contain_text(f"Page published: {NEW_TITLE}")
        tab.screenshot(path=SCREENSHOTS / "archive-static-copy.png", full_page=True)

        tab.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=(case_study.pk,)))
        tab.get_by_role("button", name="Toggle status").click()
        side_panel = tab.locator("[data-side-panel='status']")
        expect(side_panel).to_contain_text("Has this page's latest published version")
        tab.screenshot(path=SCREENSHOTS / "archive-page-status-static-copy.png")
