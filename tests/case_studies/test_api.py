"""The headless API shows case studies with author, topics, body and call to action."""

import datetime

import pytest

from tests.factories import (
    CaseStudyIndexPageFactory,
    CaseStudyPageFactory,
    ImageFactory,
    LearningProgrammePageFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeIndexPageFactory,
    call_to_action,
    heading,
    paragraph,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_study(home_page):
    programme = LearningProgrammePageFactory(
        parent=ProgrammeIndexPageFactory(parent=home_page), title="Tackling Loneliness"
    )
    return CaseStudyPageFactory(
        parent=CaseStudyIndexPageFactory(parent=home_page, intro="<p>Stories of <b>practice</b>.</p>"),
        title="Using e-learning to tackle loneliness in students",
        publication_date=datetime.date(2021, 8, 4),
        author=PersonFactory(
            name="Libby Potter",
            role="Head of Portfolio",
            organisation=OrganisationFactory(name="Health Education England"),
        ),
        social_image=ImageFactory(),
        body=[
            heading("New e-learning programme"),
            paragraph(f'<p>See <a linktype="page" id="{programme.pk}">the programme</a>.</p>'),
        ],
        related_programme=programme,
        call_to_action=[call_to_action("Tell us what you think", "Give feedback", page=programme)],
        topic_names=["Students", "Loneliness"],
    )


def test_case_study_detail_shows_every_structured_field(client, case_study):
    data = client.get(f"/api/v2/pages/{case_study.pk}/").json()

    assert data["meta"]["type"] == "case_studies.CaseStudyPage"
    assert data["publication_date"] == "2021-08-04"
    assert data["author"]["name"] == "Libby Potter"
    assert data["author"]["role"] == "Head of Portfolio"
    assert data["author"]["organisation"]["name"] == "Health Education England"
    assert sorted(data["topics"]) == ["Loneliness", "Students"]
    assert data["social_image"]["url"].endswith(".fill-1200x630.jpg")
    assert data["body"][0]["value"]["text"] == "New e-learning programme"
    assert data["body"][1]["value"] == (
        '<p>See <a href="/learning-programmes/tackling-loneliness/">the programme</a>.</p>'
    )
    assert data["related_programme"]["title"] == "Tackling Loneliness"
    cta = data["call_to_action"][0]["value"]
    assert (cta["title"], cta["link_text"], cta["page"]) == (
        "Tell us what you think",
        "Give feedback",
        case_study.related_programme_id,
    )


def test_case_studies_are_listed_by_type_with_their_fields(client, case_study):
    response = client.get("/api/v2/pages/", {"type": "case_studies.CaseStudyPage", "fields": "*"})
    index = client.get("/api/v2/pages/", {"type": "case_studies.CaseStudyIndexPage", "fields": "*"})

    [item] = response.json()["items"]
    assert item["author"]["name"] == "Libby Potter"
    assert sorted(item["topics"]) == ["Loneliness", "Students"]
    assert "linktype=" not in str(item["body"])
    assert index.json()["items"][0]["intro"] == "<p>Stories of <b>practice</b>.</p>"
