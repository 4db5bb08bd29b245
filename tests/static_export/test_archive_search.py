"""Searching the archive: Pagefind over HTTP from any sub-path, titles and summaries from disk."""

import functools
import gzip
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils.html import escape
from playwright.sync_api import expect, sync_playwright
from wagtail.rich_text import RichText

from case_studies.models import CaseStudyPage
from cms.core.demo_content import load_demo_content
from static_export.archive.gates import launch_chromium
from static_export.pipeline import export_archive
from static_export.search_index import filter_choices

from .conftest import BASE_URL, CAPTURED_AT

STUDENTS_CASE_STUDY = "Using e-learning to tackle loneliness in students"


@pytest.fixture
def demo_archive(db, tmp_path):
    """The demo site exported to tmp_path/site/wellbeing-archive (a folder that is not the root)."""
    load_demo_content(with_closure_notice=True)
    archive = tmp_path / "site" / "wellbeing-archive"
    export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT, skip_gates=True)
    return archive


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def serve(request):
    """Serve a folder on 127.0.0.1 at a free port; returns the server's root URL."""

    def start(folder):
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        request.addfinalizer(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    return start


def fragments(archive):
    """Pagefind's record of each indexed page: its URL, text, filters and metadata."""
    records = []
    for path in sorted((archive / "pagefind" / "fragment").glob("*.pf_fragment")):
        content = gzip.decompress(path.read_bytes())
        records.append(json.loads(content.removeprefix(b"pagefind_dcd")))
    return records


def test_the_index_holds_each_pages_main_content_with_its_type_and_year(demo_archive):
    records = {record["url"]: record for record in fragments(demo_archive)}

    case_study = records[f"{CaseStudyPage.objects.get().url}index.html"]
    assert case_study["filters"] == {"type": ["Case study"], "year": ["2021"]}
    assert case_study["meta"]["title"] == STUDENTS_CASE_STUDY
    assert "Students and trainees" in case_study["content"]
    for chrome in ["Skip to main content", "Search this site", "News feed (RSS)", "It closed on"]:
        assert not any(chrome in record["content"] for record in records.values()), chrome
    assert "/index.html" not in records, "listings and the home page only repeat other pages"
    assert "/news/index.html" not in records
    assert {"Session", "Learning programme", "News release", "Page"} <= {
        value for record in records.values() for value in record["filters"]["type"]
    }


def test_a_visitor_searches_the_archive_served_under_a_sub_path(demo_archive, serve):
    root = serve(demo_archive.parent)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(f"{root}wellbeing-archive/")
        header = page.get_by_role("banner")
        header.get_by_label("Search this site").fill("students")
        header.get_by_role("button", name="Search").click()

        main = page.get_by_role("main")
        results = main.get_by_role("link", name=STUDENTS_CASE_STUDY)
        expect(results).to_have_count(1)
        assert page.url.startswith(f"{root}wellbeing-archive/search/")
        expect(main.get_by_role("status")).to_have_text("1 result for students")
        expect(main.get_by_role("listitem")).to_contain_text("Case study, 4 August 2021")
        marks = main.get_by_role("listitem").locator("mark")
        expect(marks.first).to_be_visible()
        assert all("students" in text.lower() for text in marks.all_inner_texts())
        expect(main.get_by_role("button", name="Show more results")).to_be_hidden()
        # The type and year choices come with the page: no filter file is fetched until one is chosen.
        assert any("/pagefind/index/" in url for url in fetched)
        assert not [url for url in fetched if "/pagefind/filter/" in url]

        main.get_by_label("Type").select_option("News release")
        expect(main.get_by_role("status")).to_have_text("No results for students (News release)")
        assert [url for url in fetched if "/pagefind/filter/" in url]
        assert "type=News+release" in page.url
        main.get_by_label("Type").select_option("Case study")
        main.get_by_label("Year").select_option("2021")
        expect(main.get_by_role("status")).to_have_text("1 result for students (Case study, 2021)")

        results.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(STUDENTS_CASE_STUDY)
        assert page.url.startswith(f"{root}wellbeing-archive/case-studies/")
        browser.close()


def test_results_come_five_at_a_time(demo_archive, serve):
    root = serve(demo_archive)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        tab = browser.new_page()
        tab.goto(f"{root}search/index.html?q=loneliness")
        summary = tab.get_by_role("main").get_by_role("status")
        expect(summary).to_have_text(re.compile(r"^\d+ results for loneliness$"))
        pages = int(summary.inner_text().split()[0])
        found = tab.locator("#archive-search-found > li")
        more = tab.get_by_role("button", name="Show more results")
        assert pages > 5
        expect(found).to_have_count(5)
        while pages > found.count():
            shown = found.count()
            more.click()
            expect(found).to_have_count(min(pages, shown + 5))
        expect(more).to_be_hidden()
        browser.close()


def test_an_excerpt_shows_markup_in_a_pages_text_as_text(db, tmp_path, serve):
    load_demo_content(with_closure_notice=True)
    page = CaseStudyPage.objects.get().get_latest_revision_as_object()
    hostile = '<img src=x onerror="window.owned = 1"> and <b>bold</b>'
    page.body.append(("paragraph", RichText(f"<p>Zebrafish {escape(hostile)} zebrafish.</p>")))
    page.save_revision().publish()
    archive = tmp_path / "archive"
    export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT, skip_gates=True)
    root = serve(archive)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        tab = browser.new_page()
        tab.goto(f"{root}search/index.html?q=zebrafish")
        found = tab.locator("#archive-search-found")
        expect(found).to_contain_text(hostile)
        elements = found.locator("li p").last.evaluate("p => [...p.children].map(child => child.localName)")
        owned = tab.evaluate("window.owned")
        browser.close()

    assert set(elements) == {"mark"}
    assert owned is None


def test_the_choices_are_types_in_searchs_order_and_years_latest_first():
    entries = [
        {"type": "News release", "date": "3 May 2019"},
        None,  # A page search leaves out.
        {"type": "Case study", "date": "1 January 2022"},
        {"type": "Page", "date": ""},
        {"type": "Case study", "date": "9 June 2019"},
    ]

    assert filter_choices(entries) == {
        "search_types": ["Case study", "News release", "Page"],
        "search_years": ["2022", "2019"],
    }


def test_the_search_page_offers_the_types_and_years_the_archive_holds(demo_archive):
    page = (demo_archive / "search" / "index.html").read_text()
    records = fragments(demo_archive)
    types = {value for record in records for value in record["filters"]["type"]}
    years = {value for record in records for value in record["filters"].get("year", [])}

    def offered(name):
        select = re.search(rf'name="{name}">(.*?)</select>', page, re.DOTALL)[1]
        return re.findall(r"<option>([^<]+)</option>", select)

    assert set(offered("type")) == types
    assert offered("year") == sorted(years, reverse=True)


def test_pagefind_searches_on_the_main_thread_under_the_archives_csp(demo_archive, serve):
    """Pagefind runs in a web worker, which the page's <meta> policy does not govern; where no worker
    starts, it compiles its WebAssembly on the page, which script-src 'self' alone forbids."""
    root = serve(demo_archive)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        messages = []
        page.on("console", lambda message: messages.append(message.text))
        page.route("**/pagefind-worker.js", lambda route: route.abort())
        page.goto(f"{root}search/index.html?q=students")

        main = page.get_by_role("main")
        expect(main.get_by_role("link", name=STUDENTS_CASE_STUDY)).to_have_count(1)
        expect(main).to_contain_text("1 result for students")
        csp = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]')?.content")
        browser.close()

    assert "script-src 'self' 'wasm-unsafe-eval';" in csp
    assert any("falling back to main thread" in message for message in messages)
    assert not [message for message in messages if "Content Security Policy" in message]


def test_from_disk_the_search_page_says_why_and_searches_titles_and_summaries(demo_archive):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto((demo_archive / "news" / "index.html").as_uri())
        header = page.get_by_role("banner")
        header.get_by_label("Search this site").fill("students")
        header.get_by_role("button", name="Search").click()

        main = page.get_by_role("main")
        expect(main).to_contain_text("full-text search cannot run")
        expect(page.get_by_role("status")).to_have_text("1 page with “students” in the title or summary.")
        expect(main.get_by_role("link", name="sitemap")).to_be_visible()

        page.get_by_role("searchbox", name="Search titles and summaries").fill("webinar")
        page.get_by_role("searchbox", name="Search titles and summaries").press("Enter")
        expect(page.get_by_role("status")).to_contain_text("“webinar”")

        page.get_by_role("searchbox", name="Search titles and summaries").fill("students")
        page.get_by_role("searchbox", name="Search titles and summaries").press("Enter")
        main.get_by_role("link", name=STUDENTS_CASE_STUDY).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(STUDENTS_CASE_STUDY)
        assert page.url.startswith("file://")
        browser.close()
