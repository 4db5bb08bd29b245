"""The headless API shows programmes and sessions with providers, outcomes, downloads and speakers."""

import datetime

import pytest

from resources.models import SessionPage
from tests.factories import (
    DocumentFactory,
    ImageFactory,
    LearningProgrammePageFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeDownloadFactory,
    ProgrammeIndexPageFactory,
    ProgrammeLearningOutcomeFactory,
    SessionLearningOutcomeFactory,
    SessionPageFactory,
    SessionSpeakerFactory,
    paragraph,
)

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def programme_index(home_page):
    return ProgrammeIndexPageFactory(
        parent=home_page, intro='<p>Free <a href="https://example.org">courses</a>.</p>'
    )


@pytest.fixture
def programme(programme_index):
    programme = LearningProgrammePageFactory(
        parent=programme_index,
        title="Tackling Loneliness and Social Isolation",
        provider=OrganisationFactory(name="Health Education England", website="https://hee.nhs.uk/"),
        audience="Health and social care workers",
        launch_date=datetime.date(2021, 6, 21),
        course_url="https://example.org/course",
        social_image=ImageFactory(),
        body=[paragraph(f'<p>Part of <a linktype="page" id="{programme_index.pk}">our programmes</a>.</p>')],
    )
    programme.partner_organisations.set(
        [
            OrganisationFactory(name="Public Health England"),
            OrganisationFactory(name="Campaign to End Loneliness"),
        ]
    )
    programme.save()
    for text in ("Understand loneliness as a risk factor", "Recognise people at risk"):
        ProgrammeLearningOutcomeFactory(page=programme, text=text)
    ProgrammeDownloadFactory(
        page=programme,
        document=DocumentFactory(title="Programme overview"),
        description="What each session covers.",
    )
    return programme


def test_learning_programme_detail_shows_every_structured_field(client, programme):
    data = client.get(f"/api/v2/pages/{programme.pk}/").json()

    assert data["meta"]["type"] == "resources.LearningProgrammePage"
    assert data["provider"]["name"] == "Health Education England"
    assert data["provider"]["website"] == "https://hee.nhs.uk/"
    assert [organisation["name"] for organisation in data["partner_organisations"]] == [
        "Campaign to End Loneliness",
        "Public Health England",
    ]
    assert data["audience"] == "Health and social care workers"
    assert data["launch_date"] == "2021-06-21"
    assert data["course_url"] == "https://example.org/course"
    assert data["social_image"]["url"].endswith(".fill-1200x630.jpg")
    assert [outcome["text"] for outcome in data["learning_outcomes"]] == [
        "Understand loneliness as a risk factor",
        "Recognise people at risk",
    ]
    [download] = data["downloads"]
    assert download["description"] == "What each session covers."
    assert download["document"]["title"] == "Programme overview"
    assert download["document"]["meta"]["download_url"].endswith("programme-overview.pdf")
    assert data["body"][0]["value"] == '<p>Part of <a href="/learning-programmes/">our programmes</a>.</p>'


def test_session_detail_shows_format_timing_outcomes_and_speakers(client, programme):
    session = SessionPageFactory(
        parent=programme,
        title="Tackling Loneliness webinar",
        number=3,
        session_format=SessionPage.Format.WEBINAR,
        duration_minutes=60,
        scheduled_start=datetime.datetime(2021, 6, 30, 12, tzinfo=LONDON),
        scheduled_end=datetime.datetime(2021, 6, 30, 13, tzinfo=LONDON),
        audience="Volunteers",
    )
    SessionLearningOutcomeFactory(page=session, text="Refer or signpost people at risk")
    SessionSpeakerFactory(
        page=session,
        person=PersonFactory(
            name="Gay Palmer",
            role="Social Prescribing Link Worker",
            organisation=OrganisationFactory(name="National Academy of Social Prescribing"),
        ),
    )

    data = client.get(f"/api/v2/pages/{session.pk}/").json()

    assert data["number"] == 3
    assert data["session_format"] == "webinar"
    assert data["duration_minutes"] == 60
    assert data["scheduled_start"].startswith("2021-06-30T")
    assert data["scheduled_end"].startswith("2021-06-30T")
    assert data["audience"] == "Volunteers"
    assert [outcome["text"] for outcome in data["learning_outcomes"]] == ["Refer or signpost people at risk"]
    [speaker] = data["speakers"]
    assert speaker["person"]["name"] == "Gay Palmer"
    assert speaker["person"]["role"] == "Social Prescribing Link Worker"
    assert speaker["person"]["organisation"]["name"] == "National Academy of Social Prescribing"


def test_programmes_and_sessions_are_listed_by_type_with_their_fields(client, programme):
    SessionPageFactory(parent=programme, number=1, duration_minutes=30)

    programmes = client.get(
        "/api/v2/pages/", {"type": "resources.LearningProgrammePage", "fields": "*"}
    ).json()
    sessions = client.get("/api/v2/pages/", {"type": "resources.SessionPage", "fields": "*"}).json()
    indexes = client.get("/api/v2/pages/", {"type": "resources.ProgrammeIndexPage", "fields": "*"}).json()

    assert [item["provider"]["name"] for item in programmes["items"]] == ["Health Education England"]
    assert programmes["items"][0]["downloads"][0]["document"]["title"] == "Programme overview"
    assert [(item["number"], item["duration_minutes"]) for item in sessions["items"]] == [(1, 30)]
    assert indexes["items"][0]["intro"] == '<p>Free <a href="https://example.org">courses</a>.</p>'
