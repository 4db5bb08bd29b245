"""A person opens the archive from disk in Chromium and browses it, no server anywhere."""

import pytest
from playwright.sync_api import expect, sync_playwright
from wagtail.models import Site

from cms.core.demo_content import load_demo_content
from static_export.archive.gates import launch_chromium
from static_export.pipeline import export_archive
from tests.factories import StandardPageFactory, paragraph

from .conftest import BASE_URL, CAPTURED_AT, HOSTILE_RICH_TEXT


@pytest.mark.django_db
def test_a_visitor_browses_the_archive_from_disk(tmp_path):
    load_demo_content(with_closure_notice=True)
    archive = tmp_path / "archive"
    export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT)

    # Playwright's sync API runs an event loop, so the database work above comes first.
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(accept_downloads=True)
        page.goto((archive / "index.html").as_uri())
        expect(page.get_by_role("region", name="Archive notice")).to_be_visible()

        page.get_by_role("main").get_by_role(
            "link", name="Using e-learning to tackle loneliness in students"
        ).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Using e-learning to tackle loneliness in students"
        )
        expect(page.get_by_role("region", name="Archive notice")).to_be_visible()
        assert page.url.startswith("file://")

        page.get_by_role("main").get_by_role(
            "link", name="Tackling Loneliness and Social Isolation"
        ).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tackling Loneliness and Social Isolation")
        document_link = page.locator("a[href*='documents/']").first
        with page.expect_download() as download_info:
            document_link.click(modifiers=["Alt"])  # Alt-click saves the link target, as a person might.
        downloaded = download_info.value.path().read_bytes()
        assert downloaded.startswith(b"%PDF")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="News").click()
        page.get_by_role("main").get_by_role(
            "link", name="New NHS training aims to address loneliness and social isolation"
        ).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "New NHS training aims to address loneliness and social isolation"
        )
        expect(page.get_by_role("main")).to_contain_text("Professor Simon Gregory")
        expect(page.get_by_role("main")).to_contain_text("pressoffice@hee.nhs.uk")
        browser.close()


@pytest.mark.django_db
def test_the_archives_own_csp_stops_script_saved_in_rich_text_from_running_from_disk(tmp_path):
    load_demo_content()
    home = Site.objects.get(is_default_site=True).root_page
    StandardPageFactory(
        parent=home, title="Imported page", slug="imported", body=[paragraph(HOSTILE_RICH_TEXT)]
    )
    archive = tmp_path / "archive"
    # The markup gate would refuse this page: skip it, to see what the CSP alone does.
    export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT, skip_gates=True)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        messages = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto((archive / "imported" / "index.html").as_uri())
        page.locator("#hostile-link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Imported page")
        page.wait_for_function("document.readyState === 'complete'")  # The image has failed by now.
        ran = page.evaluate("[window.inlineScriptRan, window.onerrorRan, window.linkRan]")
        csp = page.evaluate(
            "document.querySelector('head > meta[http-equiv=Content-Security-Policy]')?.content"
        )
        browser.close()

    assert ran == [None, None, None]
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp
    refused = [message.split(" violates ")[0] for message in messages if "Content Security Policy" in message]
    assert sorted(refused) == [
        "Executing inline event handler",
        "Executing inline script",
        "Loading the image 'https://images.invalid/x.png'",
        "Running the JavaScript URL",
    ]
