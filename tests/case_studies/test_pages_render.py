"""Case studies and their index render for visitors with author, topics and call to action."""

import datetime

import pytest
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from tests.factories import (
    CaseStudyIndexPageFactory,
    CaseStudyPageFactory,
    OrganisationFactory,
    PersonFactory,
    call_to_action,
    heading,
    make_home_page_the_site_root,
    paragraph,
)
from tests.helpers import hrefs, page_text, shows_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_study_index(home_page):
    return CaseStudyIndexPageFactory(parent=home_page, title="Case studies")


@pytest.fixture
def case_study(case_study_index):
    return CaseStudyPageFactory(
        parent=case_study_index,
        title="Using e-learning to tackle loneliness in students",
        publication_date=datetime.date(2021, 8, 4),
        author=PersonFactory(
            name="Libby Potter",
            role="Head of Portfolio",
            organisation=OrganisationFactory(name="Health Education England"),
        ),
        body=[
            heading("New e-learning programme"),
            paragraph("<p>Students can particularly suffer from loneliness.</p>"),
        ],
        call_to_action=[
            call_to_action(
                "Tell us what you think",
                "Give feedback",
                url="https://example.org/feedback",
                text="Share your thoughts on the programme.",
            )
        ],
        topic_names=["Students", "Loneliness"],
    )


def test_case_study_shows_its_author_with_role_and_organisation(client, case_study):
    response = client.get(case_study.url)

    assert response.status_code == 200
    text = page_text(response)
    assert "Using e-learning to tackle loneliness in students" in text
    assert shows_date(text, datetime.date(2021, 8, 4))
    assert "Libby Potter" in text
    assert "Head of Portfolio" in text
    assert "Health Education England" in text
    assert "New e-learning programme" in text
    assert "Students can particularly suffer from loneliness." in text


def test_case_study_links_its_topics_to_the_topic_listings(client, case_study, case_study_index):
    response = client.get(case_study.url)

    text = page_text(response)
    assert "Students" in text
    assert "Loneliness" in text
    assert f"{case_study_index.url}topic/students/" in hrefs(response)
    assert f"{case_study_index.url}topic/loneliness/" in hrefs(response)


def test_case_study_shows_its_call_to_action(client, case_study):
    response = client.get(case_study.url)

    text = page_text(response)
    assert "Tell us what you think" in text
    assert "Share your thoughts on the programme." in text
    assert "Give feedback" in text
    assert "https://example.org/feedback" in hrefs(response)


def test_case_study_index_lists_case_studies_newest_first_with_authors(client, case_study_index, case_study):
    CaseStudyPageFactory(
        parent=case_study_index, title="An older story", publication_date=datetime.date(2020, 1, 1)
    )

    response = client.get(case_study_index.url)

    assert response.status_code == 200
    text = page_text(response)
    assert text.index("Using e-learning to tackle loneliness in students") < text.index("An older story")
    assert "Libby Potter" in text
    assert case_study.url in hrefs(response)


def test_topic_listing_shows_only_case_studies_with_that_topic(client, case_study_index, case_study):
    CaseStudyPageFactory(
        parent=case_study_index, title="Volunteering in care homes", topic_names=["Volunteering"]
    )

    response = client.get(f"{case_study_index.url}topic/students/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Using e-learning to tackle loneliness in students" in text
    assert "Volunteering in care homes" not in text


def test_case_study_index_offers_a_link_per_topic(client, case_study_index, case_study):
    response = client.get(case_study_index.url)

    links = hrefs(response)
    assert f"{case_study_index.url}topic/students/" in links
    assert f"{case_study_index.url}topic/loneliness/" in links


class CaseStudiesServeTests(WagtailPageTestCase):
    """Wagtail's own checks: each page and route renders, and previews in the admin."""

    def setUp(self):
        self.index = CaseStudyIndexPageFactory(parent=make_home_page_the_site_root())
        self.case_study = CaseStudyPageFactory(parent=self.index, topic_names=["Students"])

    def test_every_page_and_topic_route_is_routable_and_renderable(self):
        self.assertPageIsRoutable(self.case_study)
        self.assertPageIsRenderable(self.case_study)
        for route in ("/", "topic/students/"):
            self.assertPageIsRoutable(self.index, route)
            self.assertPageIsRenderable(self.index, route)

    def test_every_page_previews_in_the_admin(self):
        forms = {
            self.index: {"intro": rich_text("<p>Stories.</p>")},
            self.case_study: {
                "publication_date": "2021-08-04",
                "topics": "Students",
                "body": streamfield([("paragraph", rich_text("<p>Loneliness.</p>"))]),
                "call_to_action": streamfield([]),
            },
        }
        for page, fields in forms.items():
            data = nested_form_data({"title": page.title, "slug": page.slug, **fields})
            self.assertPageIsPreviewable(page, post_data=data)
