"""Programme pages and sessions render for visitors with their structured content visible."""

import datetime

import pytest
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from resources.models import SessionPage
from tests.factories import (
    DocumentFactory,
    LearningProgrammePageFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeDownloadFactory,
    ProgrammeIndexPageFactory,
    ProgrammeLearningOutcomeFactory,
    SessionLearningOutcomeFactory,
    SessionPageFactory,
    SessionSpeakerFactory,
    make_home_page_the_site_root,
)
from tests.helpers import hrefs, page_text, shows_date

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(hours=1))

OUTCOMES = [
    "Understand loneliness as a risk factor for poor health",
    "Recognise people at risk of loneliness",
    "Have conversations about loneliness",
    "Refer or signpost people to support",
]


@pytest.fixture
def programme_index(home_page):
    return ProgrammeIndexPageFactory(parent=home_page, title="Learning programmes")


@pytest.fixture
def programme(programme_index):
    programme = LearningProgrammePageFactory(
        parent=programme_index,
        title="Tackling Loneliness and Social Isolation",
        provider=OrganisationFactory(name="Health Education England"),
        audience="Health and social care workers",
        launch_date=datetime.date(2021, 6, 21),
        course_url="https://example.org/course",
    )
    programme.partner_organisations.set([OrganisationFactory(name="Campaign to End Loneliness")])
    programme.save()
    for text in OUTCOMES:
        ProgrammeLearningOutcomeFactory(page=programme, text=text)
    return programme


def test_programme_shows_provider_partners_audience_and_launch_date(client, programme):
    response = client.get(programme.url)

    assert response.status_code == 200
    text = page_text(response)
    assert "Tackling Loneliness and Social Isolation" in text
    assert "Health Education England" in text
    assert "Campaign to End Loneliness" in text
    assert "Health and social care workers" in text
    assert shows_date(text, datetime.date(2021, 6, 21))
    assert "https://example.org/course" in hrefs(response)


def test_programme_lists_learning_outcomes_in_the_editors_order(client, programme):
    text = page_text(client.get(programme.url))

    positions = [text.index(outcome) for outcome in OUTCOMES]
    assert positions == sorted(positions)


def test_programme_links_to_its_downloads(client, programme):
    overview = DocumentFactory(title="Programme overview")
    ProgrammeDownloadFactory(page=programme, document=overview, description="What each session covers.")

    response = client.get(programme.url)

    text = page_text(response)
    assert "Programme overview" in text
    assert "What each session covers." in text
    assert overview.url in hrefs(response)


def test_programme_lists_its_sessions_in_number_order(client, programme):
    SessionPageFactory(parent=programme, number=2, title="Having conversations")
    SessionPageFactory(parent=programme, number=1, title="Understanding loneliness")

    response = client.get(programme.url)

    text = page_text(response)
    assert text.index("Understanding loneliness") < text.index("Having conversations")


def test_session_shows_number_format_duration_outcomes_and_speakers(client, programme):
    session = SessionPageFactory(
        parent=programme,
        title="Tackling Loneliness webinar",
        number=3,
        session_format=SessionPage.Format.WEBINAR,
        duration_minutes=90,
        scheduled_start=datetime.datetime(2021, 6, 30, 12, tzinfo=LONDON),
        scheduled_end=datetime.datetime(2021, 6, 30, 13, 30, tzinfo=LONDON),
    )
    SessionLearningOutcomeFactory(page=session, text="Know the evidence-based interventions")
    SessionSpeakerFactory(
        page=session,
        person=PersonFactory(
            name="Dr. Kalpa Kharicha",
            role="Head of Research, Policy and Practice",
            organisation=OrganisationFactory(name="Campaign to End Loneliness"),
        ),
    )

    response = client.get(session.url)

    assert response.status_code == 200
    text = page_text(response)
    assert "Session 3" in text
    assert "Webinar" in text
    assert "1 hour 30 minutes" in text
    assert shows_date(text, datetime.date(2021, 6, 30))
    assert "Know the evidence-based interventions" in text
    assert "Dr. Kalpa Kharicha" in text
    assert "Head of Research, Policy and Practice" in text
    assert programme.url in hrefs(response)


def test_session_without_its_own_audience_shows_the_programmes(client, programme):
    session = SessionPageFactory(parent=programme, audience="", session_format=SessionPage.Format.E_LEARNING)

    text = page_text(client.get(session.url))

    assert "E-learning module" in text
    assert "Health and social care workers" in text


def test_programme_index_lists_programmes_with_their_providers(client, programme_index, programme):
    response = client.get(programme_index.url)

    assert response.status_code == 200
    text = page_text(response)
    assert "Tackling Loneliness and Social Isolation" in text
    assert "Health Education England" in text
    assert programme.url in hrefs(response)


class ResourcesServeTests(WagtailPageTestCase):
    """Wagtail's own checks: each page routes, renders and previews in the admin."""

    def setUp(self):
        self.index = ProgrammeIndexPageFactory(parent=make_home_page_the_site_root())
        self.programme = LearningProgrammePageFactory(parent=self.index)
        ProgrammeLearningOutcomeFactory(page=self.programme)
        self.session = SessionPageFactory(parent=self.programme)

    def test_every_page_is_routable_and_renderable(self):
        for page in (self.index, self.programme, self.session):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)

    def test_every_page_previews_in_the_admin(self):
        outcomes = inline_formset([{"text": "Recognise people at risk"}], min=1)
        forms = {
            self.index: {"intro": rich_text("<p>Free courses.</p>")},
            self.programme: {
                "audience": "Health and social care workers",
                "learning_outcomes": outcomes,
                "body": streamfield([]),
                "downloads": inline_formset([]),
            },
            self.session: {
                "number": "1",
                "session_format": "e-learning",
                "duration_minutes": "30",
                "learning_outcomes": outcomes,
                "speakers": inline_formset([]),
                "body": streamfield([]),
            },
        }
        for page, fields in forms.items():
            data = nested_form_data({"title": page.title, "slug": page.slug, **fields})
            self.assertPageIsPreviewable(page, post_data=data)
