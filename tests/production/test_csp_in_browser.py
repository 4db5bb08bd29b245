"""The site's own pages satisfy its Content Security Policy in a real browser.

Chromium reports every CSP violation on the console ("Refused to load ...", "Refused to apply inline
style ...", "Refused to execute inline script ..."): a visitor and an editor browse with no such message.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

from cms.core.demo_content import load_demo_content
from site_pages.models import NewsReleasePage
from static_export.archive.gates import launch_chromium

PUBLIC_PAGES = [
    "/",
    "/case-studies/",
    "/case-studies/using-e-learning-to-tackle-loneliness-in-students/",
    "/news/",
    "/news/new-nhs-training-aims-to-address-loneliness-and-social-isolation/",
    "/learning-programmes/tackling-loneliness-and-social-isolation/",
    "/learning-programmes/tackling-loneliness-and-social-isolation/why-loneliness-matters-for-health/",
    "/about/",
    "/sitemap/",
]


def csp_violations(messages):
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


# live_server needs committed data; serialized_rollback keeps the migrations' root page and collection.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages_load_in_chromium_without_csp_violations(live_server, django_user_model):
    load_demo_content(with_closure_notice=True)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        messages = []
        page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))
        for path in PUBLIC_PAGES:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            # The stylesheet applied: it is the only way this page is styled.
            skip_link_position = "getComputedStyle(document.querySelector('.skip-link')).position"
            assert page.evaluate(skip_link_position) != "static"

        page.goto(live_server.url + "/sitemap/")
        nested = page.locator(".html-sitemap__item--level-2").first
        assert nested.evaluate("element => getComputedStyle(element).marginLeft") != "0px"
        browser.close()

    assert csp_violations(messages) == []


# live_server needs committed data; serialized_rollback keeps the migrations' root page and collection.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_logs_in_and_edits_without_csp_violations(live_server, django_user_model):
    load_demo_content(with_closure_notice=True)
    django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-editor-password")
    news_release = NewsReleasePage.objects.get()

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        messages = []
        page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))
        page.goto(live_server.url + "/admin/login/")
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill("a-long-editor-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="What Works Wellbeing")).to_be_visible()

        page.goto(f"{live_server.url}/admin/pages/{news_release.pk}/edit/")
        expect(page.get_by_role("button", name="Save draft")).to_be_visible()
        page.goto(live_server.url + "/admin/images/")
        expect(page.get_by_role("heading", name="Images")).to_be_visible()
        browser.close()

    assert csp_violations(messages) == []
