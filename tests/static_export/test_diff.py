"""diff_archives: the pages added, removed and changed between two snapshots."""

import datetime
import io

import pytest
from django.core.management import call_command

from case_studies.models import CaseStudyPage
from site_pages.models import NewsIndexPage
from static_export.archive.diff import diff_archives
from static_export.archive.files import MAX_CHECKED_BYTES
from tests.factories import NewsReleasePageFactory, paragraph

from .conftest import BASE_URL

pytestmark = pytest.mark.django_db


def test_diff_names_exactly_the_edited_page_and_ignores_the_capture_date(demo_site, export):
    old, _report = export("old")
    case_study = CaseStudyPage.objects.get()
    case_study.body = [paragraph("<p>A sentence added after the first capture.</p>")]
    case_study.save_revision().publish()

    new, _report = export("new", captured_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    difference = diff_archives(old, new)

    assert difference.added == [] and difference.removed == []
    assert [(page.url, page.title) for page in difference.changed] == [
        (f"{BASE_URL}{case_study.url}", f"{case_study.title} | What Works Wellbeing")
    ]


def test_diff_lists_a_new_page_and_the_listings_that_show_it(demo_site, export):
    old, _report = export("old")
    release = NewsReleasePageFactory(parent=NewsIndexPage.objects.get(), title="A late announcement")

    new, _report = export("new")
    out = io.StringIO()
    call_command("diff_archives", str(old), str(new), stdout=out)
    report = out.getvalue()

    assert f"Added: 1 page\n  {BASE_URL}{release.url} “A late announcement | What Works Wellbeing”" in report
    assert "Removed: 0 pages" in report
    difference = diff_archives(old, new)
    assert f"{BASE_URL}/news/" in {page.url for page in difference.changed}
    for page in difference.changed:  # Every other change is a listing or feed page naming it,
        text = (new / page.file).read_text()
        if page.file == "search/index.html":  # or the search page, now offering the release's year.
            assert f"<option>{release.release_date.year}</option>" in text
        else:
            assert "A late announcement" in text


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_diff_shows_urls_and_titles_that_look_like_report_lines_escaped(tmp_path):
    for archive in ("old", "new"):
        write(tmp_path, f"{archive}/index.html", "<title>Home</title>")
        write(tmp_path, f"{archive}/sitemap.xml", "<urlset></urlset>")
    write(
        tmp_path,
        "new/news/index.html",
        '<meta name="dcterms.source" content="https://example.org/news/\nRemoved: 0 pages">'
        "<title>News \u202eevil</title>",
    )
    out = io.StringIO()

    call_command("diff_archives", str(tmp_path / "old"), str(tmp_path / "new"), stdout=out)

    assert out.getvalue().splitlines() == [
        "Added: 1 page",
        "  https://example.org/news/\\nRemoved: 0 pages “News \\u202eevil”",
        "Removed: 0 pages",
        "Changed: 0 pages",
    ]


def test_diff_reports_symbolic_links_and_never_reads_a_page_through_one(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "index.html", "<title>Outside the archive</title>")
    for archive in ("old", "new"):
        write(tmp_path, f"{archive}/index.html", "<title>Home</title>")
        write(tmp_path, f"{archive}/sitemap.xml", "<urlset></urlset>")
    (tmp_path / "new/secret").mkdir()
    (tmp_path / "new/secret/index.html").symlink_to(outside / "index.html")
    (tmp_path / "new/elsewhere").symlink_to(outside)
    out = io.StringIO()

    call_command("diff_archives", str(tmp_path / "old"), str(tmp_path / "new"), stdout=out)

    assert out.getvalue().splitlines() == [
        "Added: 0 pages",
        "Removed: 0 pages",
        "Changed: 0 pages",
        "Not compared: 2 entries",
        f"  in the new archive: elsewhere is a symbolic link (to {outside}); it was not followed",
        f"  in the new archive: secret/index.html is a symbolic link (to {outside}/index.html); it was not "
        "followed",
    ]


def test_diff_reports_a_page_too_large_to_compare_instead_of_reading_it(tmp_path):
    for archive in ("old", "new"):
        write(tmp_path, f"{archive}/index.html", "<title>Home</title>")
        write(tmp_path, f"{archive}/sitemap.xml", "<urlset></urlset>")
    with open(tmp_path / "new/huge.html", "wb") as huge:
        huge.truncate(MAX_CHECKED_BYTES + 1)

    report = diff_archives(tmp_path / "old", tmp_path / "new").report()

    assert report.splitlines()[-2:] == [
        "Not compared: 1 entry",
        f"  in the new archive: huge.html is too large to check ({MAX_CHECKED_BYTES + 1} bytes)",
    ]
