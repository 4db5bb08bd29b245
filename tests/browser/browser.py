"""Debian's Chromium driven by Playwright, headless, and the folder screenshots go to for people to see."""

from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from playwright.sync_api import sync_playwright

from static_export.archive.gates import launch_chromium

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@contextmanager
def chromium():
    """Playwright's sync API runs an event loop in this thread: do database work before or after."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
