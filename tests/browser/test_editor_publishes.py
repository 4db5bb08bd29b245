"""An editor writes a case study in the admin, publishes it, exports, and finds it in the archive."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from case_studies.models import CaseStudyIndexPage
from cms.core.demo_content import load_demo_content
from static_export.pipeline import export_archive
from tests.factories import ImageFactory
from tests.static_export.conftest import BASE_URL, CAPTURED_AT

from .browser import SCREENSHOTS, chromium

PASSWORD = "correct-horse-battery-staple"


# live_server needs committed data; serialized_rollback restores the migrations' root page, site and
# content types afterwards, so later transactional tests start from the same database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_publishes_a_case_study_that_reaches_the_archive(live_server, tmp_path):
    load_demo_content(with_closure_notice=True)
    ImageFactory(title="Students in a library")
    get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    index = CaseStudyIndexPage.objects.get()

    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(f"{live_server.url}/admin/")
        tab.get_by_label("Username").fill("editor")
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("heading", level=1)).to_contain_text("What Works Wellbeing")

        tab.goto(f"{live_server.url}/admin/pages/add/case_studies/casestudypage/{index.pk}/")
        tab.locator("#id_title").fill("Peer support in halls of residence")
        tab.locator("#id_summary").fill("Students set up a peer support scheme.")
        tab.locator("#id_publication_date").fill("2022-03-01")

        body = tab.locator("[data-contentpath='body']")
        body.get_by_role("button", name="Insert a block").first.click()
        tab.get_by_role("option", name="Quote").click()
        body.locator("textarea[name$='-value-quote']").fill("Nobody should feel alone in their first term.")
        body.locator("input[name$='-value-attribution']").fill("a second-year student")

        body.get_by_role("button", name="Insert a block").last.click()
        tab.get_by_role("option", name="Image").click()
        body.get_by_role("button", name="Choose an image").click()
        tab.get_by_role("dialog").get_by_role("link", name="Students in a library").click()
        body.locator("input[name$='-value-alt_text']").fill("Two students talking in a library")

        tab.get_by_role("button", name="More actions").click()
        tab.get_by_role("button", name="Publish").click()
        expect(tab.locator(".messages")).to_contain_text("published")
        tab.screenshot(path=SCREENSHOTS / "admin-case-study-published.png", full_page=True)

    # The browser is closed: the export runs here, in the test's own thread.
    archive = tmp_path / "archive"
    export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT)
    archived = archive / "case-studies" / "peer-support-in-halls-of-residence" / "index.html"

    with chromium() as browser:
        tab = browser.new_page()
        tab.goto(archived.as_uri())
        expect(tab.get_by_role("region", name="Archive notice")).to_contain_text("What Works Wellbeing")
        expect(tab.get_by_role("heading", level=1)).to_have_text("Peer support in halls of residence")
        expect(tab.locator("blockquote")).to_contain_text("Nobody should feel alone in their first term.")
        image = tab.get_by_role("img", name="Two students talking in a library")
        expect(image).to_be_visible()
        assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
