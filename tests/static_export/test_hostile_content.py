"""Content an attacker or a careless import could leave behind: the export refuses it by name, and the
previous archive stays as it was."""

import PIL.Image
import pytest
from django.core.files.storage import default_storage
from wagtail.contrib.redirects.models import Redirect
from wagtail.images.models import Rendition
from wagtail.models import Page

from cms.core.reserved import reserved_paths
from resources.models import ProgrammeDownload
from site_pages.models import NewsIndexPage, NewsReleasePage, StandardPage
from static_export.archive.layout import printable
from static_export.exporter import ExportError
from static_export.views import exportable_pages, page_urls

from .archive_files import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def previous_archive(demo_site, export):
    """An archive exported before the content went wrong, and a way to check it is untouched."""
    archive, _report = export(name="archive")
    before = {name: (archive / name).read_bytes() for name in files(archive)}

    def is_untouched():
        return {name: (archive / name).read_bytes() for name in files(archive)} == before

    return archive, is_untouched


def export_fails(export, match):
    with pytest.raises(ExportError, match=match) as raised:
        export(name="archive")
    return str(raised.value)


@pytest.mark.parametrize("slug", ["sitemap", "search", "api", "pagefind"])
def test_a_page_at_a_path_the_archive_owns_stops_the_export(previous_archive, export, slug):
    archive, is_untouched = previous_archive
    home = Page.objects.get(depth=2)
    page = home.add_child(instance=StandardPage(title=f"Our own {slug}", slug=f"our-{slug}"))
    # Moved there as an import or a script could, without the admin's checks.
    Page.objects.filter(pk=page.pk).update(slug=slug, url_path=f"{home.url_path}{slug}/")

    message = export_fails(export, "cannot be exported where they are")

    assert f"“Our own {slug}” (page {page.pk}) at /{slug}/ takes a path the site keeps for itself" in message
    assert is_untouched()


def test_two_pages_written_to_one_file_stop_the_export(previous_archive, export):
    archive, is_untouched = previous_archive
    news = NewsIndexPage.objects.get()
    for number in range(news.items_per_page + 1):  # So the listing has a page/2/.
        news.add_child(instance=NewsReleasePage(title=f"Release {number}", release_date="2024-01-01"))
    # A release slugged "page" with a child slugged "2": the same address as the listing's second page.
    clash = news.add_child(instance=NewsReleasePage(title="Page", slug="page", release_date="2024-01-01"))
    second = clash.add_child(instance=StandardPage(title="Two", slug="2"))

    message = export_fails(export, "would both be written to news/page/2/index.html")

    assert f"“Two” (page {second.pk}) at /news/page/2/" in message
    assert f"“{news.title}” (page {news.pk}) at /news/page/2/" in message
    assert is_untouched()


def test_a_page_whose_url_path_disagrees_with_the_tree_stops_the_export(previous_archive, export):
    archive, is_untouched = previous_archive
    release = NewsReleasePage.objects.live().first()
    Page.objects.filter(pk=release.pk).update(url_path="/elsewhere/moved/")  # As a script might.

    message = export_fails(export, "would be exported at the wrong address")

    assert f"“{release.title}” (page {release.pk}) has the URL path /elsewhere/moved/" in message
    assert f"its place in the page tree gives {release.url_path}" in message
    assert "manage.py set_url_paths" in message
    assert is_untouched()


def test_the_archive_writes_nothing_at_its_top_level_but_pages_and_paths_kept_for_it(demo_site, export):
    archive, _report = export()

    site = Page.objects.get(depth=2).get_site()
    page_folders = {
        url.strip("/").split("/")[0] for page in exportable_pages(site) for url in page_urls(page)
    }
    for entry in archive.iterdir():
        name = entry.name.lower()
        assert name == "index.html" or name in page_folders or name in reserved_paths(), (
            f"{entry.name} is written by the export but not kept for it in cms/core/reserved.py"
        )


def test_a_document_whose_file_is_missing_stops_the_export_naming_it_and_its_pages(previous_archive, export):
    archive, is_untouched = previous_archive
    download = ProgrammeDownload.objects.select_related("document", "page").first()
    document = download.document
    default_storage.delete(document.file.name)

    message = export_fails(export, "Could not export document")

    assert f"document {document.pk} “{document.title}”" in message
    assert f"its file {document.file.name} could not be read" in message
    assert f"“{download.page.title}” (page {download.page.pk}) at {download.page.url}" in message
    assert "Traceback" not in message
    assert is_untouched()


def archived_rendition(archive):
    """A rendition the archive copied, with its file in the media storage."""
    for name in files(archive):
        if name.startswith("media/images/") and name.endswith((".jpg", ".png")):
            rendition = Rendition.objects.select_related("image").get(file=name.removeprefix("media/"))
            return name, rendition
    raise AssertionError("The demo archive has no renditions.")


def test_a_damaged_rendition_is_made_again_from_its_original(previous_archive, export, media_root):
    archive, _is_untouched = previous_archive
    name, rendition = archived_rendition(archive)
    good = (archive / name).read_bytes()
    stored = media_root / rendition.file.name
    stored.write_bytes(stored.read_bytes()[:100])  # Truncated, as a failed copy or a full disk leaves it.

    _archive, report = export(name="archive")

    assert (archive / name).read_bytes() == good
    with PIL.Image.open(archive / name) as image:
        image.load()
    assert any(rendition.file.name in warning and "damaged" in warning for warning in report.warnings)


def test_a_damaged_image_that_cannot_be_made_again_stops_the_export(previous_archive, export, media_root):
    archive, is_untouched = previous_archive
    name, rendition = archived_rendition(archive)
    for damaged in (media_root / rendition.file.name, media_root / rendition.image.file.name):
        damaged.write_bytes(damaged.read_bytes()[:100])

    message = export_fails(export, "is damaged")

    assert f"image {rendition.image.pk} “{rendition.image.title}”" in message
    assert "It is used by “" in message
    assert is_untouched()


@pytest.mark.parametrize(
    "old_path, target, problem",
    [
        ("/z https://evil.example/ 301!", "/news/", "not a plain URL path"),
        ("/z\thttps://evil.example/\n/x", "/news/", "not a plain URL path"),
        ("/old/../../../etc", "/news/", "not a plain URL path"),
        ("/search", "/news/", "kept for the site's and the archive's own files"),
        ("/api/v2/pages/3.json", "/news/", "kept for the site's and the archive's own files"),
        ("/old-page", "javascript:alert(document.domain)", "neither an http(s) URL nor a path on this site"),
        ("/old-page", " JavaScript:alert(1)", "neither an http(s) URL nor a path on this site"),
        ("/old-page", "data:text/html,<script>alert(1)</script>", "neither an http(s) URL nor a path"),
        ("/old-page", "//evil.example/", "neither an http(s) URL nor a path on this site"),
        ("/old-page", "https://example.org/x 301!\n/y https://evil.example/", "neither an http(s) URL"),
    ],
)
def test_a_redirect_that_could_inject_rules_or_scripts_is_refused_by_name(
    demo_site, export, old_path, target, problem
):
    bad = Redirect.objects.create(old_path=old_path, redirect_link=target)  # Saved outside the admin.
    good = Redirect.objects.create(old_path="/old-news", redirect_link="/news/")

    archive, report = export()

    warnings = [warning for warning in report.warnings if f"Redirect {bad.pk} " in warning]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Redirect {bad.pk} from {printable(old_path)} skipped: ")
    assert problem in warnings[0] and "\n" not in warnings[0]
    assert (archive / "_redirects").read_text() == f"{good.old_path} /news/ 301\n"
    assert (archive / "old-news/index.html").is_file()
    for name in files(archive):
        assert not any(character.isspace() for character in name), name
        if name.endswith(".html"):
            html = (archive / name).read_text().lower()
            assert "javascript:" not in html and "evil.example" not in html, name


def test_a_removed_link_is_warned_about_once_when_pages_render_in_one_process(demo_site, export):
    home = Page.objects.get(depth=2)
    draft = home.add_child(instance=StandardPage(title="Not yet published", slug="draft", live=False))
    home.add_child(
        instance=StandardPage(
            title="Links to a draft",
            slug="links-to-a-draft",
            body=[("paragraph", f'<p><a linktype="page" id="{draft.pk}">The draft</a></p>')],
        )
    )

    _archive, report = export(workers=1)

    removed = [warning for warning in report.warnings if "links-to-a-draft" in warning]
    assert len(removed) == 1, removed
