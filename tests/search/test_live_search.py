"""Searching the live site from the header box and the search page."""

import pytest
from django.urls import reverse

from case_studies.models import CaseStudyPage
from cms.core.demo_content import load_demo_content
from site_pages.models import NewsReleasePage
from tests.factories import CaseStudyPageFactory, paragraph
from tests.helpers import page_soup, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo_content()


def search(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response


def result_titles(response):
    return [link.get_text(strip=True) for link in page_soup(response).select(".search-results h3 a")]


def test_loneliness_finds_the_case_study_the_programme_and_the_news_release(demo, client):
    titles = result_titles(search(client, q="loneliness"))

    assert CaseStudyPage.objects.get().title in titles
    assert "Tackling Loneliness and Social Isolation" in titles
    assert NewsReleasePage.objects.get().title in titles


def test_webinar_finds_the_news_release_announcing_one(demo, client):
    titles = result_titles(search(client, q="webinar"))

    assert NewsReleasePage.objects.get().title in titles
    assert CaseStudyPage.objects.get().title not in titles


def test_students_finds_the_case_study_with_its_type_date_and_summary(demo, client):
    response = search(client, q="students")

    case_study = CaseStudyPage.objects.get()
    assert result_titles(response) == [case_study.title]
    result = page_soup(response).select_one(".search-results li")
    assert result.a["href"] == case_study.url
    text = result.get_text(" ", strip=True)
    assert "Case study, 4 August 2021" in text
    assert case_study.summary in text
    assert "1 result for “students”" in page_text(response)


def test_the_type_filter_keeps_only_that_type(demo, client):
    response = search(client, q="loneliness", type="case-study")

    assert result_titles(response) == [CaseStudyPage.objects.get().title]
    selected = page_soup(response).select_one("#search-type option[selected]")
    assert selected.get_text() == "Case study"


def test_a_type_filter_with_nothing_of_that_type_says_so(demo, client):
    response = search(client, q="webinar", type="case-study")

    assert result_titles(response) == []
    assert "No results for “webinar” (case study only)" in page_text(response)


def test_an_empty_query_shows_the_form_and_no_results(demo, client):
    response = search(client, q="   ")

    assert page_soup(response).select_one("form[role=search] input[name=q]#search-query") is not None
    assert result_titles(response) == []
    assert "Type a word or phrase" in page_text(response)


def test_a_query_with_no_matches_suggests_the_sitemap(demo, client):
    response = search(client, q="xylophone")

    assert "No results for “xylophone”" in page_text(response)
    assert reverse("html_sitemap") in [link["href"] for link in page_soup(response).select("main a")]


def test_html_in_the_query_is_shown_as_text_never_run(demo, client):
    payload = '"><script>alert("owned")</script><img src=x onerror=alert(1)>'
    response = search(client, q=payload)

    html = response.content.decode()
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert page_soup(response).select_one("#search-query")["value"] == payload
    assert f"No results for “{payload}”" in page_text(response)
    assert payload in page_soup(response).title.get_text()


def test_results_are_paginated_keeping_the_query_and_the_filter(home_page, client):
    from tests.factories import CaseStudyIndexPageFactory

    index = CaseStudyIndexPageFactory(parent=home_page)
    for number in range(12):
        CaseStudyPageFactory(
            parent=index, title=f"Kaleidoscope story {number}", body=[paragraph("<p>Kaleidoscope.</p>")]
        )

    first = search(client, q="kaleidoscope", type="case-study")
    assert len(result_titles(first)) == 10
    assert "12 results for “kaleidoscope”" in page_text(first)
    next_link = page_soup(first).select_one(".pagination a[rel=next]")["href"]
    assert next_link == "?q=kaleidoscope&type=case-study&page=2"

    second = client.get(reverse("search") + next_link)
    assert len(result_titles(second)) == 2
    assert "Page 2 of 2" in page_text(second)
    assert set(result_titles(first)).isdisjoint(result_titles(second))


def test_every_page_has_a_labelled_search_box_in_its_header(demo, client):
    for url in ["/", CaseStudyPage.objects.get().url, reverse("html_sitemap")]:
        header = page_soup(client.get(url)).select_one("header form[role=search]")
        assert header["action"] == reverse("search") and header["method"] == "get", url
        field = header.select_one("input[name=q]")
        assert header.select_one(f"label[for={field['id']}]").get_text() == "Search this site"


def test_the_header_search_box_leads_to_results(demo, client):
    form = page_soup(client.get("/")).select_one("header form[role=search]")
    response = client.get(form["action"], {"q": "students"})

    assert result_titles(response) == [CaseStudyPage.objects.get().title]
