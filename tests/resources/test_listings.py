"""Programme listings and sessions make the same number of queries however many items they show."""

import pytest

from resources.models import SessionPage
from tests.factories import (
    LearningProgrammePageFactory,
    OrganisationFactory,
    ProgrammeDownloadFactory,
    ProgrammeIndexPageFactory,
    ProgrammeLearningOutcomeFactory,
    SessionLearningOutcomeFactory,
    SessionPageFactory,
    SessionSpeakerFactory,
)
from tests.helpers import queries_to_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_index(home_page):
    return ProgrammeIndexPageFactory(parent=home_page)


def test_programme_index_queries_do_not_grow_with_the_number_of_programmes(client, programme_index):
    def add_programmes(count):
        for _ in range(count):
            programme = LearningProgrammePageFactory(parent=programme_index, provider=OrganisationFactory())
            programme.partner_organisations.add(OrganisationFactory())
            programme.save()

    add_programmes(2)
    with_two = queries_to_render(client, programme_index.url)

    add_programmes(4)
    with_six = queries_to_render(client, programme_index.url)

    assert with_six == with_two


def test_programme_queries_do_not_grow_with_its_sessions_outcomes_and_downloads(client, programme_index):
    programme = LearningProgrammePageFactory(parent=programme_index)

    def add_content(count):
        start = SessionPage.objects.child_of(programme).count()
        for number in range(start + 1, start + count + 1):
            SessionPageFactory(parent=programme, number=number)
        ProgrammeLearningOutcomeFactory.create_batch(count, page=programme)
        ProgrammeDownloadFactory.create_batch(count, page=programme)
        programme.partner_organisations.add(*OrganisationFactory.create_batch(count))
        programme.save()

    add_content(2)
    with_two = queries_to_render(client, programme.url)

    add_content(4)
    with_six = queries_to_render(client, programme.url)

    assert with_six == with_two


def test_session_queries_do_not_grow_with_its_speakers_and_outcomes(client, programme_index):
    session = SessionPageFactory(parent=LearningProgrammePageFactory(parent=programme_index))

    def add_content(count):
        SessionSpeakerFactory.create_batch(count, page=session)
        SessionLearningOutcomeFactory.create_batch(count, page=session)

    add_content(2)
    with_two = queries_to_render(client, session.url)

    add_content(4)
    with_six = queries_to_render(client, session.url)

    assert with_six == with_two
