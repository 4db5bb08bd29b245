"""Case study listings: pages and topics at real paths, and no query per case study."""

import datetime
import re

import pytest

from tests.factories import CaseStudyIndexPageFactory, CaseStudyPageFactory
from tests.helpers import hrefs, page_text, queries_to_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_study_index(home_page):
    return CaseStudyIndexPageFactory(parent=home_page)


def add_case_studies(index, count, topics=("Students", "Loneliness")):
    return CaseStudyPageFactory.create_batch(count, parent=index, topic_names=list(topics))


def test_case_study_index_continues_on_page_two_after_ten(client, case_study_index):
    case_studies = add_case_studies(case_study_index, 11)
    oldest = min(case_studies, key=lambda case_study: case_study.publication_date)

    first = client.get(case_study_index.url)
    second = client.get(f"{case_study_index.url}page/2/")

    assert second.status_code == 200
    assert f"{case_study_index.url}page/2/" in hrefs(first)
    assert oldest.title in page_text(second)
    assert oldest.title not in page_text(first)


def test_case_study_index_page_one_and_pages_past_the_end_are_not_found(client, case_study_index):
    add_case_studies(case_study_index, 11)

    assert client.get(f"{case_study_index.url}page/1/").status_code == 404
    assert client.get(f"{case_study_index.url}page/3/").status_code == 404


def test_topic_listing_is_paginated_at_its_own_paths(client, case_study_index):
    add_case_studies(case_study_index, 11, topics=["Students"])
    add_case_studies(case_study_index, 2, topics=["Volunteering"])

    students = f"{case_study_index.url}topic/students/"
    volunteering = f"{case_study_index.url}topic/volunteering/"

    assert f"{students}page/2/" in hrefs(client.get(students))
    assert client.get(f"{students}page/2/").status_code == 200
    assert client.get(f"{students}page/1/").status_code == 404
    assert client.get(f"{volunteering}page/2/").status_code == 404
    assert [route.path for route in case_study_index.routes()] == [
        "",
        "page/2/",
        "topic/students/",
        "topic/students/page/2/",
        "topic/volunteering/",
    ]


def test_a_topic_route_shows_that_topics_live_case_studies_newest_first(client, case_study_index):
    students = [
        CaseStudyPageFactory(
            parent=case_study_index,
            title=f"Students story {letter}",
            publication_date=datetime.date(2021, 1, day),
            topic_names=["Students"],
        )
        for letter, day in [("A", 5), ("B", 9), ("C", 1)]
    ]
    CaseStudyPageFactory(parent=case_study_index, title="Volunteering story", topic_names=["Volunteering"])
    CaseStudyPageFactory(parent=case_study_index, title="Draft story", topic_names=["Students"], live=False)

    routes = {route.path: list(route.item_ids) for route in case_study_index.routes()}
    shown = page_text(client.get(f"{case_study_index.url}topic/students/"))

    newest_first = [students[1], students[0], students[2]]
    assert routes["topic/students/"] == [page.pk for page in newest_first]
    assert re.search(".*".join(page.title for page in newest_first), shown)
    assert "Volunteering story" not in shown
    assert "Draft story" not in shown


def test_sitemap_lists_every_topic_and_page_of_the_case_studies(client, case_study_index):
    add_case_studies(case_study_index, 11, topics=["Students"])

    locations = re.findall(r"<loc>(.*?)</loc>", client.get("/sitemap.xml").content.decode())

    base = case_study_index.full_url
    for route in ["", "page/2/", "topic/students/", "topic/students/page/2/"]:
        assert base + route in locations


def test_unknown_topic_is_not_found(client, case_study_index):
    add_case_studies(case_study_index, 1, topics=["Students"])

    assert client.get(f"{case_study_index.url}topic/gardening/").status_code == 404


def test_topic_used_only_by_unpublished_case_studies_is_not_found(client, case_study_index):
    CaseStudyPageFactory(parent=case_study_index, topic_names=["Drafts"], live=False)

    assert client.get(f"{case_study_index.url}topic/drafts/").status_code == 404


def test_case_study_index_queries_do_not_grow_with_the_number_of_case_studies(client, case_study_index):
    add_case_studies(case_study_index, 3)
    with_three = queries_to_render(client, case_study_index.url)

    add_case_studies(case_study_index, 6)
    with_nine = queries_to_render(client, case_study_index.url)

    assert with_nine == with_three


def test_topic_listing_queries_do_not_grow_with_the_number_of_case_studies(client, case_study_index):
    url = f"{case_study_index.url}topic/students/"
    add_case_studies(case_study_index, 3)
    with_three = queries_to_render(client, url)

    add_case_studies(case_study_index, 6)
    with_nine = queries_to_render(client, url)

    assert with_nine == with_three
