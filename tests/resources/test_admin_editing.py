"""Editors create and publish programmes and sessions through the admin, and see their mistakes."""

import datetime

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from resources.models import LearningProgrammePage, ProgrammeIndexPage, SessionPage
from tests.factories import (
    DocumentFactory,
    LearningProgrammePageFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeIndexPageFactory,
    SessionPageFactory,
)
from tests.helpers import post_new_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_index(home_page):
    return ProgrammeIndexPageFactory(parent=home_page)


@pytest.fixture
def programme(programme_index):
    return LearningProgrammePageFactory(parent=programme_index)


def session_fields(**overrides):
    fields = {
        "title": "Recognising loneliness",
        "slug": "recognising-loneliness",
        "summary": "Who is at risk and why.",
        "number": "2",
        "session_format": SessionPage.Format.E_LEARNING,
        "duration_minutes": "45",
        "scheduled_start": "",
        "scheduled_end": "",
        "audience": "",
        "learning_outcomes": inline_formset([{"text": "Recognise people at risk"}], min=1),
        "speakers": inline_formset([]),
        "body": streamfield([]),
    }
    fields.update(overrides)
    return fields


def test_editor_creates_and_publishes_the_programme_index(admin_client, home_page):
    response = post_new_page(
        admin_client,
        ProgrammeIndexPage,
        home_page,
        {"title": "Learning programmes", "slug": "learning", "intro": rich_text("<p>Free courses.</p>")},
    )

    assert response.status_code == 302
    index = ProgrammeIndexPage.objects.get(slug="learning")
    assert index.live
    assert "Free courses." in index.intro


def test_editor_creates_and_publishes_a_learning_programme(admin_client, programme_index):
    provider = OrganisationFactory(name="Health Education England")
    partners = [OrganisationFactory(name="Public Health England"), OrganisationFactory(name="Campaign")]
    overview = DocumentFactory(title="Programme overview")

    response = post_new_page(
        admin_client,
        LearningProgrammePage,
        programme_index,
        {
            "title": "Tackling Loneliness and Social Isolation",
            "slug": "tackling-loneliness",
            "summary": "E-learning for health and care workers.",
            "provider": provider.pk,
            "audience": "Health and social care workers",
            "launch_date": "2021-06-21",
            "course_url": "https://example.org/course",
            "learning_outcomes": inline_formset(
                [
                    {"text": "Understand loneliness as a risk factor"},
                    {"text": "Recognise people at risk"},
                    {"text": "Know the evidence-based interventions"},
                ],
                min=1,
            ),
            "body": streamfield([("paragraph", rich_text("<p>Five sessions.</p>"))]),
            "downloads": inline_formset(
                [{"document": overview.pk, "description": "What each session covers."}]
            ),
        },
        multi_valued={"partner_organisations": [partner.pk for partner in partners]},
    )

    assert response.status_code == 302
    programme = LearningProgrammePage.objects.get(slug="tackling-loneliness")
    assert programme.live
    assert programme.provider == provider
    assert set(programme.partner_organisations.all()) == set(partners)
    assert programme.audience == "Health and social care workers"
    assert programme.launch_date == datetime.date(2021, 6, 21)
    assert [outcome.text for outcome in programme.learning_outcomes.order_by("sort_order")] == [
        "Understand loneliness as a risk factor",
        "Recognise people at risk",
        "Know the evidence-based interventions",
    ]
    assert [(download.document, download.description) for download in programme.downloads.all()] == [
        (overview, "What each session covers.")
    ]


def test_learning_programme_needs_at_least_one_learning_outcome(admin_client, programme_index):
    response = post_new_page(
        admin_client,
        LearningProgrammePage,
        programme_index,
        {
            "title": "Tackling Loneliness",
            "slug": "tackling-loneliness",
            "audience": "Health and social care workers",
            "learning_outcomes": inline_formset([], min=1),
            "body": streamfield([]),
            "downloads": inline_formset([]),
        },
    )

    assert response.status_code == 200
    assert not LearningProgrammePage.objects.exists()
    assert response.context["form"].formsets["learning_outcomes"].non_form_errors()


def test_editor_creates_and_publishes_a_webinar_session_with_speakers(admin_client, programme):
    speaker = PersonFactory(name="Gay Palmer", role="Social Prescribing Link Worker")

    response = post_new_page(
        admin_client,
        SessionPage,
        programme,
        session_fields(
            session_format=SessionPage.Format.WEBINAR,
            duration_minutes="60",
            scheduled_start="2021-06-30 12:00",
            scheduled_end="2021-06-30 13:00",
            learning_outcomes=inline_formset(
                [{"text": "Recognise people at risk"}, {"text": "Have a conversation about loneliness"}],
                min=1,
            ),
            speakers=inline_formset([{"person": speaker.pk}]),
        ),
    )

    assert response.status_code == 302
    session = SessionPage.objects.get(slug="recognising-loneliness")
    assert session.live
    assert session.get_parent().specific == programme
    assert session.number == 2
    assert session.session_format == SessionPage.Format.WEBINAR
    assert session.duration_display == "1 hour"
    assert session.scheduled_end - session.scheduled_start == datetime.timedelta(hours=1)
    assert [outcome.text for outcome in session.learning_outcomes.order_by("sort_order")] == [
        "Recognise people at risk",
        "Have a conversation about loneliness",
    ]
    assert [item.person for item in session.speakers.all()] == [speaker]


def test_session_ending_before_it_starts_is_reported_on_the_scheduled_end(admin_client, programme):
    response = post_new_page(
        admin_client,
        SessionPage,
        programme,
        session_fields(
            session_format=SessionPage.Format.WORKSHOP,
            scheduled_start="2021-06-30 13:00",
            scheduled_end="2021-06-30 12:00",
        ),
    )

    assert response.status_code == 200
    assert not SessionPage.objects.exists()
    assert response.context["form"].errors["scheduled_end"] == ["The session must end after it starts."]


def test_e_learning_session_with_a_scheduled_start_is_reported_on_the_scheduled_start(
    admin_client, programme
):
    response = post_new_page(
        admin_client,
        SessionPage,
        programme,
        session_fields(session_format=SessionPage.Format.E_LEARNING, scheduled_start="2021-06-30 12:00"),
    )

    assert response.status_code == 200
    assert not SessionPage.objects.exists()
    assert response.context["form"].errors["scheduled_start"] == [
        "Only webinars and workshops have a scheduled time; e-learning is self-paced."
    ]


def test_session_end_without_a_start_is_reported_on_the_scheduled_start(admin_client, programme):
    response = post_new_page(
        admin_client,
        SessionPage,
        programme,
        session_fields(session_format=SessionPage.Format.WEBINAR, scheduled_end="2021-06-30 13:00"),
    )

    assert response.status_code == 200
    assert not SessionPage.objects.exists()
    assert response.context["form"].errors["scheduled_start"] == [
        "Give the start time as well as the end time."
    ]


def test_duplicate_session_number_in_a_programme_is_reported_on_the_number(admin_client, programme):
    SessionPageFactory(parent=programme, number=2, title="Understanding loneliness")

    response = post_new_page(admin_client, SessionPage, programme, session_fields(number="2"))

    assert response.status_code == 200
    assert SessionPage.objects.count() == 1
    assert response.context["form"].errors["number"] == ["Session 2 already exists in this programme."]


def test_same_session_number_is_allowed_in_another_programme(admin_client, programme, programme_index):
    other_programme = LearningProgrammePageFactory(parent=programme_index)
    SessionPageFactory(parent=other_programme, number=2)

    response = post_new_page(admin_client, SessionPage, programme, session_fields(number="2"))

    assert response.status_code == 302
    assert SessionPage.objects.child_of(programme).get().number == 2


def test_editor_can_republish_a_session_without_changing_its_number(admin_client, programme):
    session = SessionPageFactory(parent=programme, number=2, title="Recognising loneliness")

    response = admin_client.post(
        f"/admin/pages/{session.pk}/edit/",
        nested_form_data(session_fields(number="2", slug=session.slug, duration_minutes="50"))
        | {"action-publish": "action-publish"},
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.number, session.duration_minutes) == (2, 50)
