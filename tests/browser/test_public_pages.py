"""The public opens the archive from disk on a phone and a desktop, and with the keyboard alone."""

import pytest
from playwright.sync_api import expect
from wagtail.models import Site

from cms.core.demo_content import load_demo_content
from static_export.archive.gates import pages_to_audit
from static_export.exporter import ArchiveBuild
from static_export.pipeline import export_archive
from tests.static_export.conftest import BASE_URL, CAPTURED_AT

from .browser import SCREENSHOTS, chromium

VIEWPORTS = {"mobile": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}


def export_demo(tmp_path):
    """The demo archive and one page of each type (as the accessibility gate chooses them)."""
    load_demo_content(with_closure_notice=True)
    archive = tmp_path / "archive"
    export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT, gates=("markup",))
    build = ArchiveBuild(archive, Site.objects.get(is_default_site=True), BASE_URL, CAPTURED_AT)
    return archive, pages_to_audit(build.page_urls, build.extra_files, archive)


@pytest.mark.django_db
def test_every_page_type_reads_on_a_phone_and_a_desktop_and_is_screenshotted(tmp_path):
    archive, pages = export_demo(tmp_path)

    with chromium() as browser:
        for width_name, viewport in VIEWPORTS.items():
            tab = browser.new_page(viewport=viewport)
            for name in pages:
                tab.goto((archive / name).as_uri())
                expect(tab.get_by_role("heading", level=1)).to_be_visible()
                expect(tab.get_by_role("region", name="Archive notice")).to_be_visible()
                # Load lazy images too, so the screenshot shows them and none is broken.
                tab.evaluate(
                    "document.querySelectorAll('img[loading=lazy]').forEach((i) => { i.loading = 'eager'; })"
                )
                tab.wait_for_function("Array.from(document.images).every((image) => image.complete)")
                broken = tab.evaluate(
                    "Array.from(document.images).filter((i) => !i.naturalWidth).map((i) => i.src)"
                )
                assert broken == [], f"{name} shows broken images at {viewport['width']}px"
                # No sideways scrolling at 375 px wide (WCAG 1.4.10 Reflow).
                overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {viewport['width']}px"
                stem = name.removesuffix("index.html").removesuffix(".html").strip("/") or "home"
                shot = SCREENSHOTS / width_name / f"{stem.replace('/', '--')}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=shot, full_page=True)
                assert shot.stat().st_size > 0
            tab.close()


@pytest.mark.django_db
def test_the_keyboard_reaches_the_main_content_through_the_skip_link(tmp_path):
    archive, _pages = export_demo(tmp_path)

    with chromium() as browser:
        tab = browser.new_page(viewport=VIEWPORTS["desktop"])
        tab.goto((archive / "news/index.html").as_uri())

        tab.keyboard.press("Tab")
        skip_link = tab.get_by_role("link", name="Skip to main content")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_visible()  # Hidden until focused, then shown.
        tab.keyboard.press("Enter")

        expect(tab.locator("#main-content")).to_be_focused()
        tab.keyboard.press("Tab")  # The next stop is inside the main content, past header and menus.
        assert tab.evaluate("document.getElementById('main-content').contains(document.activeElement)")
