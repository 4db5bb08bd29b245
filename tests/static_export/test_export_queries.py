"""The export asks the database per kind of object, not per page, and stays faithful while doing so.

The benchmark (`make bench`) measures speed; these tests pin what makes it fast (query counts that do
not grow with the site) and that the shortcuts change nothing in what is written.
"""

import datetime
import json
import posixpath

import pytest
from django.test import Client
from wagtail.models import Site

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.serializers import PersonField
from site_pages.models import NewsIndexPage
from static_export.archive.links import relative_path
from static_export.exporter import ArchiveBuild, ExportError
from static_export.views import ArchivePagesAPIDetailView, ArchivePageView
from tests.factories import (
    CaseStudyPageFactory,
    ImageFactory,
    NewsReleasePageFactory,
    NewsReleaseQuoteFactory,
    PersonFactory,
    paragraph,
    quote,
)

from .archive_files import soup
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db


def add_rich_pages(count):
    """Case studies and news releases that show people, an image, a page link and topics."""
    case_study_index = CaseStudyIndexPage.objects.get()
    news_index = NewsIndexPage.objects.get()
    image = ImageFactory()
    for number in range(count):
        person = PersonFactory()
        body = [
            paragraph(f'<p>See <a linktype="page" id="{news_index.pk}">the news</a>, number {number}.</p>'),
            quote("It helped.", person=person),
            {"type": "image", "value": {"image": image.pk, "alt_text": "A class", "caption": ""}},
        ]
        CaseStudyPageFactory(parent=case_study_index, author=person, body=body, topic_names=["Students"])
        release = NewsReleasePageFactory(parent=news_index, body=body)
        NewsReleaseQuoteFactory(page=release, person=person)


def page_stage_queries(tmp_path):
    archive = ArchiveBuild(tmp_path / "build", default_site(), BASE_URL, CAPTURED_AT)
    ArchivePageView(archive=archive).build_queryset()
    return archive.page_queries, len(archive.page_urls)


def default_site():
    return Site.objects.get(is_default_site=True)


def test_page_stage_queries_do_not_grow_with_the_number_of_pages(demo_site, tmp_path):
    # Each size is exported twice and the second run counted: the first also makes the renditions
    # of the new pages' images, which a real export makes once.
    add_rich_pages(3)
    page_stage_queries(tmp_path / "small-first")
    queries_small, pages_small = page_stage_queries(tmp_path / "small")
    add_rich_pages(12)
    page_stage_queries(tmp_path / "large-first")
    queries_large, pages_large = page_stage_queries(tmp_path / "large")

    assert pages_large >= pages_small + 24
    assert queries_large == queries_small


def test_frozen_api_matches_the_live_api_for_every_page(demo_site, tmp_path):
    """One serializer serves every page of a type in the export; nothing may carry over between pages."""
    add_rich_pages(3)
    archive = ArchiveBuild(tmp_path / "build", default_site(), BASE_URL, CAPTURED_AT)
    ArchivePagesAPIDetailView(archive=archive).build_queryset()
    client = Client(HTTP_HOST=archive.host)

    for page in archive.pages:
        live = client.get(f"/api/v2/pages/{page.pk}/").json()
        frozen = json.loads((archive.build_dir / f"api/v2/pages/{page.pk}.json").read_text())
        assert without_urls(frozen) == without_urls(live), page.title


def test_frozen_api_listings_match_the_live_api_listings(demo_site, export):
    """Listings are serialized from the exported pages, not fetched: they must show what the API shows."""
    add_rich_pages(3)
    archive, _report = export()
    client = Client(HTTP_HOST=default_site().hostname)
    listing_folder = archive / "api/v2/pages/listing"
    labels = [None] + sorted(path.name for path in listing_folder.iterdir() if path.is_dir())

    for label in labels:
        query = f"&type={label}&fields=*" if label else ""
        live = client.get(f"/api/v2/pages/?order=id&limit=100{query}").json()
        frozen = json.loads((listing_folder / (f"{label}/1.json" if label else "1.json")).read_text())
        assert frozen["meta"]["total_count"] == live["meta"]["total_count"], label
        assert without_urls(frozen["items"]) == without_urls(live["items"]), label


def without_urls(value):
    """The JSON with every URL-like string blanked: the export rewrites those into the archive."""
    if isinstance(value, dict):
        return {key: without_urls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_urls(item) for item in value]
    if isinstance(value, str) and value.startswith(("/", "http", "api/", "media/", "documents/")):
        return "<url>"
    return value


@pytest.mark.parametrize(
    "target, from_dir",
    [
        ("index.html", ""),
        ("index.html", "news"),
        ("news/index.html", "news"),
        ("news/a/index.html", "news/b"),
        ("static/css/site.css", "case-studies/topic/students/page/2"),
        ("media/images/photo.width-800.jpg", ""),
    ],
)
def test_relative_path_agrees_with_posixpath_relpath(target, from_dir):
    assert relative_path(target, from_dir) == posixpath.relpath(target, from_dir or ".")


def test_release_dates_stay_in_order_after_bulk_loading(demo_site, export):
    """Listings come from one fetch per listing in an export; their order must match the live site."""
    news_index = NewsIndexPage.objects.get()
    for day in range(12):
        NewsReleasePageFactory(
            parent=news_index, title=f"Release {day}", release_date=datetime.date(2023, 1, 1 + day)
        )
    archive, _report = export()

    first = (archive / news_index.url.strip("/") / "index.html").read_text()
    second = (archive / news_index.url.strip("/") / "page/2/index.html").read_text()
    assert first.index("Release 11") < first.index("Release 10")
    assert "Release 0" in second and "Release 0" not in first


def test_a_page_the_api_cannot_serialize_stops_the_export_naming_it(demo_site, export, monkeypatch):
    def broken(field, person):
        raise ValueError("the person has gone missing")

    monkeypatch.setattr(PersonField, "to_representation", broken)
    case_study = CaseStudyPage.objects.get()

    with pytest.raises(
        ExportError, match=f"API for “{case_study.title}” \\(page {case_study.pk}\\).*gone missing"
    ):
        export()


def test_markup_shared_between_pages_keeps_each_pages_menu_state(demo_site, export):
    """The header, footer and cards are rendered once per export and reused; the menu's
    aria-current must still name each page's own section."""
    archive, _report = export()
    case_study_index = CaseStudyIndexPage.objects.get()

    def current_menu_items(path):
        header = soup(archive, path).find("header")
        return [link.get_text(strip=True) for link in header.find_all("a", attrs={"aria-current": True})]

    assert current_menu_items("index.html") == []
    assert current_menu_items(case_study_index.url.strip("/") + "/index.html") == [case_study_index.title]
    case_study = CaseStudyPage.objects.get()
    assert current_menu_items(case_study.url.strip("/") + "/index.html") == [case_study_index.title]
