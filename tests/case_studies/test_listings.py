"""Case study listings: pages and topics at real paths, and no query per case study."""

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
    assert case_study_index.topic_urls() == [
        "topic/students/",
        "topic/students/page/2/",
        "topic/volunteering/",
    ]


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
