"""News listings are paginated at real paths, and no listing makes a query per item."""

import datetime
import re

import pytest

from tests.factories import (
    CaseStudyIndexPageFactory,
    CaseStudyPageFactory,
    HomePageFeaturedPageFactory,
    NewsIndexPageFactory,
    NewsReleasePageFactory,
    NewsReleaseQuoteFactory,
    OrganisationFactory,
    PersonFactory,
    StandardPageFactory,
    event,
    quote,
)
from tests.helpers import hrefs, page_text, queries_to_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index(home_page):
    return NewsIndexPageFactory(parent=home_page)


def add_releases(news_index, count):
    return NewsReleasePageFactory.create_batch(count, parent=news_index)


def test_news_index_with_ten_releases_has_no_second_page(client, news_index):
    add_releases(news_index, 10)

    assert client.get(news_index.url).status_code == 200
    assert client.get(f"{news_index.url}page/2/").status_code == 404


def test_news_index_with_eleven_releases_continues_on_page_two(client, news_index):
    releases = add_releases(news_index, 11)
    oldest = min(releases, key=lambda release: release.release_date)

    first = client.get(news_index.url)
    second = client.get(f"{news_index.url}page/2/")

    assert second.status_code == 200
    assert f"{news_index.url}page/2/" in hrefs(first)
    assert oldest.title in page_text(second)
    assert oldest.title not in page_text(first)
    assert news_index.url in hrefs(second)


def test_news_index_page_one_lives_only_at_the_index_address(client, news_index):
    add_releases(news_index, 11)

    assert client.get(f"{news_index.url}page/1/").status_code == 404
    assert client.get(f"{news_index.url}page/0/").status_code == 404


def test_news_index_page_beyond_the_last_is_not_found(client, news_index):
    add_releases(news_index, 11)

    assert client.get(f"{news_index.url}page/3/").status_code == 404


def test_news_index_routes_are_its_pages_each_with_its_releases_newest_first(news_index):
    releases = sorted(add_releases(news_index, 21), key=lambda release: release.release_date, reverse=True)

    routes = news_index.routes()

    assert [route.path for route in routes] == ["", "page/2/", "page/3/"]
    assert [list(route.item_ids) for route in routes] == [
        [release.pk for release in releases[:10]],
        [release.pk for release in releases[10:20]],
        [releases[20].pk],
    ]


def test_sitemap_lists_every_page_of_the_news_listing(client, news_index):
    add_releases(news_index, 21)

    locations = re.findall(r"<loc>(.*?)</loc>", client.get("/sitemap.xml").content.decode())

    listed = [location for location in locations if location.startswith(news_index.full_url)]
    news_pages = [news_index.full_url + route for route in ["", "page/2/", "page/3/"]]
    assert listed[: len(news_pages)] == news_pages
    assert f"{news_index.full_url}page/4/" not in locations


def test_news_index_queries_do_not_grow_with_the_number_of_releases(client, news_index):
    add_releases(news_index, 3)
    with_three = queries_to_render(client, news_index.url)

    add_releases(news_index, 6)
    with_nine = queries_to_render(client, news_index.url)

    assert with_nine == with_three


def test_news_index_second_page_queries_do_not_grow_with_the_number_of_releases(client, news_index):
    add_releases(news_index, 12)
    with_two_on_page = queries_to_render(client, f"{news_index.url}page/2/")

    add_releases(news_index, 24)
    with_ten_on_page = queries_to_render(client, f"{news_index.url}page/2/")

    assert with_ten_on_page == with_two_on_page


def test_news_release_queries_do_not_grow_with_the_number_of_quotes_and_partners(client, news_index):
    release = NewsReleasePageFactory(parent=news_index)

    def add_quotes_and_partners(count):
        NewsReleaseQuoteFactory.create_batch(count, page=release)
        release.partner_organisations.add(*OrganisationFactory.create_batch(count))
        release.save()

    add_quotes_and_partners(2)
    with_two = queries_to_render(client, release.url)

    add_quotes_and_partners(4)
    with_six = queries_to_render(client, release.url)

    assert with_six == with_two


def test_home_page_queries_do_not_grow_with_the_number_of_featured_pages(client, home_page, news_index):
    case_studies = CaseStudyIndexPageFactory(parent=home_page)
    add_releases(news_index, 3)

    def feature(count):
        for _ in range(count):
            for page in (
                StandardPageFactory(parent=home_page),
                NewsReleasePageFactory(parent=news_index),
                CaseStudyPageFactory(parent=case_studies),
            ):
                HomePageFeaturedPageFactory(home_page=home_page, page=page)

    feature(1)
    with_three = queries_to_render(client, "/")

    feature(1)
    with_six = queries_to_render(client, "/")

    assert with_six == with_three


def test_news_release_queries_do_not_grow_with_the_number_of_event_speakers(client, news_index):
    release = NewsReleasePageFactory(parent=news_index)

    def set_speakers(count):
        release.event = [
            event(
                "Tackling Loneliness webinar",
                datetime.datetime(2021, 6, 30, 12, tzinfo=datetime.UTC),
                datetime.datetime(2021, 6, 30, 13, tzinfo=datetime.UTC),
                chair=PersonFactory(),
                speakers=PersonFactory.create_batch(count),
            )
        ]
        release.save()

    set_speakers(2)
    with_two = queries_to_render(client, release.url)

    set_speakers(6)
    with_six = queries_to_render(client, release.url)

    assert with_six == with_two


def test_standard_page_queries_do_not_grow_with_the_number_of_quotes(client, home_page):
    page = StandardPageFactory(parent=home_page)

    def set_quotes(count):
        page.body = [quote(f"Quote {n}", person=PersonFactory()) for n in range(count)]
        page.save()

    set_quotes(2)
    with_two = queries_to_render(client, page.url)

    set_quotes(6)
    with_six = queries_to_render(client, page.url)

    assert with_six == with_two
