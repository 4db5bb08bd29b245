"""Editors create and publish case studies through the admin, and see their mistakes."""

import datetime

import pytest
from wagtail.test.utils.form_data import rich_text, streamfield

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from tests.factories import (
    CaseStudyIndexPageFactory,
    LearningProgrammePageFactory,
    PersonFactory,
    ProgrammeIndexPageFactory,
)
from tests.helpers import post_new_page, stream_block_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_study_index(home_page):
    return CaseStudyIndexPageFactory(parent=home_page)


def case_study_fields(**overrides):
    """What an editor types for the seed case study, “Using e-learning to tackle loneliness in students”."""
    fields = {
        "title": "Using e-learning to tackle loneliness in students",
        "slug": "e-learning-for-students",
        "summary": "Students can particularly suffer from loneliness.",
        "publication_date": "2021-08-04",
        "author": "",
        "topics": "Loneliness, Students",
        "body": streamfield(
            [
                ("heading", {"text": "New e-learning programme", "level": "h2"}),
                ("paragraph", rich_text("<p>Loneliness has been described as the other pandemic.</p>")),
            ]
        ),
        "related_programme": "",
        "call_to_action": streamfield([]),
    }
    fields.update(overrides)
    return fields


def test_editor_creates_and_publishes_the_case_study_index(admin_client, home_page):
    response = post_new_page(
        admin_client,
        CaseStudyIndexPage,
        home_page,
        {"title": "Case studies", "slug": "case-studies", "intro": rich_text("<p>Stories of practice.</p>")},
    )

    assert response.status_code == 302
    index = CaseStudyIndexPage.objects.get(slug="case-studies")
    assert index.live
    assert "Stories of practice." in index.intro


def test_editor_creates_and_publishes_a_case_study_with_author_topics_and_call_to_action(
    admin_client, case_study_index, home_page
):
    author = PersonFactory(name="Libby Potter", role="Head of Portfolio")
    programme = LearningProgrammePageFactory(parent=ProgrammeIndexPageFactory(parent=home_page))

    response = post_new_page(
        admin_client,
        CaseStudyPage,
        case_study_index,
        case_study_fields(
            author=author.pk,
            related_programme=programme.pk,
            call_to_action=streamfield(
                [
                    (
                        "call_to_action",
                        {
                            "title": "Tell us what you think",
                            "text": "Share your thoughts on the programme.",
                            "link_text": "Give feedback",
                            "page": "",
                            "url": "https://example.org/feedback",
                        },
                    )
                ]
            ),
        ),
    )

    assert response.status_code == 302
    case_study = CaseStudyPage.objects.get(slug="e-learning-for-students")
    assert case_study.live
    assert case_study.get_parent().specific == case_study_index
    assert case_study.publication_date == datetime.date(2021, 8, 4)
    assert case_study.author == author
    assert sorted(case_study.topics.names()) == ["Loneliness", "Students"]
    assert case_study.related_programme.specific == programme
    assert case_study.body[0].value["text"] == "New e-learning programme"
    assert case_study.call_to_action[0].value["url"] == "https://example.org/feedback"
    assert case_study.call_to_action[0].value["link_text"] == "Give feedback"


def test_call_to_action_with_neither_page_nor_url_is_reported_on_the_url(admin_client, case_study_index):
    response = post_new_page(
        admin_client,
        CaseStudyPage,
        case_study_index,
        case_study_fields(
            call_to_action=streamfield(
                [
                    (
                        "call_to_action",
                        {"title": "Tell us", "text": "", "link_text": "Give feedback", "page": "", "url": ""},
                    )
                ]
            )
        ),
    )

    assert response.status_code == 200
    assert not CaseStudyPage.objects.exists()
    assert stream_block_errors(response.context["form"], "call_to_action") == {
        0: {"url": ["Choose a page or enter a URL (one of the two)."]}
    }


def test_call_to_action_with_both_page_and_url_is_reported_on_the_url(
    admin_client, case_study_index, home_page
):
    response = post_new_page(
        admin_client,
        CaseStudyPage,
        case_study_index,
        case_study_fields(
            call_to_action=streamfield(
                [
                    (
                        "call_to_action",
                        {
                            "title": "Tell us",
                            "text": "",
                            "link_text": "Give feedback",
                            "page": home_page.pk,
                            "url": "https://example.org/feedback",
                        },
                    )
                ]
            )
        ),
    )

    assert response.status_code == 200
    assert not CaseStudyPage.objects.exists()
    assert stream_block_errors(response.context["form"], "call_to_action") == {
        0: {"url": ["Choose a page or enter a URL (one of the two)."]}
    }
