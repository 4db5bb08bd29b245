"""The archive on disk: complete, relative, leak-free, atomic and reproducible."""

import datetime
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from site_pages.models import NewsIndexPage, NewsReleasePage, StandardPage
from static_export.archive.layout import page_file
from static_export.exporter import ExportError
from static_export.views import exportable_pages
from tests.factories import (
    DocumentFactory,
    ImageFactory,
    NewsReleasePageFactory,
    StandardPageFactory,
    paragraph,
)

from .archive_files import files, html_files, is_external, references, soup, target_file
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db

SPECIAL_HTML = {"404.html", "sitemap/index.html", "search/index.html"}
CSP_AFTER_CHARSET_RE = re.compile(
    r'.*?<head>\s*<meta charset="utf-8">\s*<meta http-equiv="Content-Security-Policy" content="([^"]*)">',
    re.S,
)


def page_html_files(archive):
    """HTML files that are site pages (not the 404 page, the HTML sitemap or redirect stubs)."""
    redirects = {
        line.split()[0].strip("/") + "/index.html"
        for line in (archive / "_redirects").read_text().splitlines()
    }
    return set(html_files(archive)) - SPECIAL_HTML - redirects


def test_every_live_public_page_and_sub_route_is_exported_at_its_path(demo_site, export):
    news_index = NewsIndexPage.objects.get()
    for number in range(12):  # More than fit on one listing page.
        NewsReleasePageFactory(parent=news_index, title=f"Extra release {number}")

    archive, report = export()

    expected = {page_file(page.url) for page in exportable_pages(news_index.get_site())}
    expected |= {"news/page/2/index.html", "case-studies/topic/students/index.html"}
    assert expected <= page_html_files(archive)
    assert report.pages == len(page_html_files(archive))
    assert "Extra release" in (archive / "news/page/2/index.html").read_text()


def test_nothing_private_unpublished_or_unreferenced_reaches_the_archive(demo_site, export, media_root):
    news_index = NewsIndexPage.objects.get()
    home = news_index.get_parent()

    draft = NewsReleasePageFactory(parent=news_index, title="DRAFT-TOKEN-1 release", live=False)
    draft.save_revision()

    changed = NewsReleasePage.objects.live().first()
    changed.title = "UNPUBLISHED-CHANGE-TOKEN-2"
    changed.save_revision()  # A draft of a live page: the archive keeps the live version.

    NewsReleasePageFactory(
        parent=news_index, title="EXPIRED-TOKEN-3", expire_at=timezone.now() - datetime.timedelta(days=1)
    )
    NewsReleasePageFactory(
        parent=news_index,
        title="SCHEDULED-TOKEN-4",
        live=False,
        go_live_at=timezone.now() + datetime.timedelta(days=7),
    )

    private = StandardPageFactory(parent=home, title="PASSWORD-TOKEN-5 page")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="secret")
    StandardPageFactory(parent=private, title="UNDER-RESTRICTION-TOKEN-6")
    members_only = StandardPageFactory(parent=home, title="LOGIN-TOKEN-7 page")
    PageViewRestriction.objects.create(page=members_only, restriction_type="login")

    private_collection = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(collection=private_collection, restriction_type="login")
    private_document = DocumentFactory(
        collection=private_collection, title="PRIVATE-DOC-TOKEN-8", file__data=b"PRIVATE-DOC-CONTENT-TOKEN-9"
    )
    # A public page linking to the private document: the link must not survive either.
    StandardPageFactory(
        parent=home,
        title="Public page with a private link",
        body=[paragraph(f'<p><a linktype="document" id="{private_document.pk}">Board minutes</a></p>')],
    )
    unreferenced = ImageFactory(title="Never shown", file__filename="UNREFERENCED-IMAGE-TOKEN.jpg")

    archive, _report = export()

    tokens = [f"TOKEN-{n}" for n in range(1, 10)] + ["UNREFERENCED-IMAGE-TOKEN", "secret"]
    for name in files(archive):
        content = (archive / name).read_bytes()
        for token in tokens:
            assert token.encode() not in content, f"{token} leaked into {name}"
            assert token not in name
    assert not any("admin" in name for name in files(archive)), "admin files in the archive"
    assert not any(Path(unreferenced.file.name).name in name for name in files(archive))
    assert all(name.endswith(".json") for name in files(archive) if name.startswith("api/"))
    # The rich-text link keeps its words and loses its target, on the live site and in the archive.
    linking_page = (archive / "public-page-with-a-private-link/index.html").read_text()
    assert "Board minutes" in linking_page and f"documents/{private_document.pk}/" not in linking_page


def test_every_internal_reference_is_relative_and_resolves_to_a_file(demo_site, export):
    archive, _report = export()

    checked = 0
    for name in files(archive):
        if not name.endswith((".html", ".css")):
            continue
        for url in references(archive, name):
            if is_external(url):
                assert not url.startswith(("http://localhost", "http://testserver")), f"{name}: {url}"
                continue
            assert not url.startswith("/"), f"{name} has a root-absolute reference {url}"
            assert (archive / target_file(name, url)).is_file(), f"{name}: {url} does not resolve"
            checked += 1
    assert checked > 100


def test_xml_files_use_the_original_base_url(demo_site, export):
    archive, _report = export()

    for name in ["sitemap.xml", "feeds/news.xml"]:
        text = (archive / name).read_text()
        urls = re.findall(r"https?://[^<\"\s]+", text)
        own = [url for url in urls if not url.startswith("http://www.sitemaps.org")]
        assert own and all(url.startswith(BASE_URL) or "w3.org" in url for url in own), name
        assert "localhost" not in text


def test_every_page_shows_the_closure_notice_and_its_provenance(demo_site, export):
    archive, _report = export()

    for name in page_html_files(archive) | SPECIAL_HTML:
        document = soup(archive, name)
        notice = document.find(attrs={"aria-label": "Archive notice"})
        assert notice is not None, f"no closure notice on {name}"
        assert "will no longer be updated" in notice.get_text()
        assert document.find("meta", attrs={"name": "dcterms.created"})["content"] == CAPTURED_AT.isoformat()
        assert document.find("meta", attrs={"name": "dcterms.source"})["content"].startswith(BASE_URL + "/")
        assert "hidden" not in (notice.get("class") or []) and not notice.has_attr("hidden")


def test_every_html_file_carries_the_live_sites_csp_before_anything_it_governs(demo_site, export, client):
    Redirect.add_redirect("/old-case-study", CaseStudyPage.objects.get())
    live = {part.strip() for part in client.get("/")["Content-Security-Policy"].split(";")}

    archive, _report = export()

    names = html_files(archive)
    assert {"404.html", "sitemap/index.html", "search/index.html", "old-case-study/index.html"} <= set(names)
    for name in names:
        head = (archive / name).read_text().split("</head>")[0]
        # Straight after <meta charset>: a <meta> policy governs only what comes after it.
        found = CSP_AFTER_CHARSET_RE.match(head)
        assert found, f"no CSP straight after <meta charset> in {name}"
        policy = {part.strip() for part in found[1].split(";")}
        # A <meta> policy ignores frame-ancestors; Pagefind's main-thread fallback compiles WebAssembly.
        assert policy == live - {"frame-ancestors 'none'", "script-src 'self'"} | {
            "script-src 'self' 'wasm-unsafe-eval'"
        }
        assert head.count("Content-Security-Policy") == 1


def test_canonical_links_keep_the_original_live_url(demo_site, export):
    archive, _report = export()

    case_study = CaseStudyPage.objects.get()
    document = soup(archive, page_file(case_study.url))
    assert document.find("link", rel="canonical")["href"] == BASE_URL + case_study.url


def test_sitemap_lists_exactly_the_exported_pages(demo_site, export):
    archive, _report = export()

    locations = re.findall(r"<loc>(.*?)</loc>", (archive / "sitemap.xml").read_text())
    assert len(locations) == len(set(locations))
    listed = {page_file(location.removeprefix(BASE_URL)) for location in locations}
    assert listed == page_html_files(archive)
    html_sitemap = (archive / "sitemap/index.html").read_text()
    assert CaseStudyPage.objects.get().title in html_sitemap


def test_the_live_sitemap_and_the_archives_list_the_same_addresses_and_dates(demo_site, export, client):
    news_index = NewsIndexPage.objects.get()
    for number in range(12):  # More than fit on one listing page.
        NewsReleasePageFactory(parent=news_index, title=f"Extra release {number}")

    archive, _report = export()
    live = client.get("/sitemap.xml")

    def entries(xml):  # (path, lastmod): the live site names its own host, the archive the base URL.
        found = []
        for entry in re.findall(r"<url>(.*?)</url>", xml, re.S):
            lastmod = re.search(r"<lastmod>(.*?)</lastmod>", entry)
            location = re.search(r"<loc>(.*?)</loc>", entry)[1]
            found.append((urlsplit(location).path, lastmod and lastmod[1]))
        return sorted(found, key=str)

    archived = entries((archive / "sitemap.xml").read_text())
    assert entries(live.content.decode()) == archived
    paths = {path for path, _lastmod in archived}
    assert {f"{news_index.url}page/2/", f"{CaseStudyIndexPage.objects.get().url}topic/students/"} <= paths


def test_redirects_become_forwarding_pages_and_a_redirects_file(demo_site, export):
    case_study = CaseStudyPage.objects.get()
    Redirect.add_redirect("/old-case-study", case_study)
    Redirect.add_redirect("/partner", "https://example.org/partner")

    archive, _report = export()

    stub = soup(archive, "old-case-study/index.html")
    refresh = stub.find("meta", attrs={"http-equiv": "refresh"})["content"]
    target = refresh.split("url=", 1)[1]
    assert (archive / target_file("old-case-study/index.html", target)).read_text().count(case_study.title)
    assert stub.find("a", href=target) is not None
    rules = (archive / "_redirects").read_text().splitlines()
    assert f"/old-case-study {case_study.url} 301" in rules
    assert "/partner https://example.org/partner 301" in rules


def test_the_frozen_api_has_every_exported_page_and_no_other(demo_site, export):
    private = StandardPageFactory(
        parent=Page.objects.type(StandardPage).first().get_parent(), title="Private"
    )
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    archive, _report = export()

    exported = {page.pk for page in exportable_pages(private.get_site())}
    detail_ids = {
        int(Path(name).stem) for name in files(archive) if re.match(r"api/v2/pages/\d+\.json$", name)
    }
    assert detail_ids == exported
    case_study = CaseStudyPage.objects.get()
    detail = json.loads((archive / f"api/v2/pages/{case_study.pk}.json").read_text())
    assert detail["author"]["name"] == "Libby Potter"
    assert detail["meta"]["html_url"] == BASE_URL + case_study.url
    listing = json.loads((archive / "api/v2/pages/listing/1.json").read_text())
    assert {item["id"] for item in listing["items"]} == exported
    assert listing["meta"]["total_count"] == len(exported)


def test_a_failing_page_stops_the_export_and_keeps_the_previous_archive(demo_site, export, monkeypatch):
    archive, _report = export("archive")
    before = {name: (archive / name).read_bytes() for name in files(archive)}

    def broken_context(self, request, *args, **kwargs):
        raise RuntimeError("the template tag exploded")

    monkeypatch.setattr(CaseStudyPage, "get_context", broken_context)
    case_study = CaseStudyPage.objects.get()
    with pytest.raises(ExportError) as error:
        export("archive")

    message = str(error.value)
    assert case_study.title in message and case_study.url in message and "exploded" in message
    assert {name: (archive / name).read_bytes() for name in files(archive)} == before
    leftovers = [path.name for path in archive.parent.iterdir() if path.name.startswith(".archive")]
    leftovers.remove(".archive.lock")  # The lock file stays; the kernel released its lock.
    assert leftovers == [], "a partial build was left behind"


def test_a_page_answering_an_error_status_stops_the_export(demo_site, export, monkeypatch):
    from django.http import HttpResponseForbidden

    monkeypatch.setattr(CaseStudyIndexPage, "serve", lambda self, request, *a, **k: HttpResponseForbidden())
    with pytest.raises(ExportError, match=r"answered 403"):
        export()


def test_exporting_unchanged_content_twice_gives_identical_files(demo_site, export):
    first, _ = export()
    second, _ = export()

    assert files(first) == files(second)
    for name in files(first):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_export_refuses_to_replace_a_folder_that_is_not_an_archive(demo_site, export, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")

    with pytest.raises(ExportError, match="not an earlier archive"):
        export("precious")
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_export_command_prints_a_summary_and_writes_a_report(demo_site, tmp_path, capsys):
    output = tmp_path / "site-archive"
    call_command(
        "export_archive",
        "--output",
        str(output),
        "--base-url",
        BASE_URL,
        "--captured-at",
        "2024-04-30T17:00:00Z",
    )

    out = capsys.readouterr().out
    assert re.search(r"Exported \d+ pages, 1 document and \d+ images", out)
    report = json.loads((tmp_path / "site-archive-report.json").read_text())
    assert report["captured_at"] == "2024-04-30T17:00:00+00:00"
    assert report["pages"] == len(page_html_files(output))
    assert (output / "index.html").is_file()
