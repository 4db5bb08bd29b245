"""People, organisations and the closure notice: how they read and how they are edited."""

import pytest
from django.core.exceptions import ValidationError

from cms.core.models import ClosureNotice, Person
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_person_reads_as_name_role_and_organisation():
    person = PersonFactory(
        name="Janet Flint",
        role="Programme Lead",
        organisation=OrganisationFactory(name="Health Education England"),
    )

    assert person.role_and_organisation == "Programme Lead (Health Education England)"
    assert str(person) == "Janet Flint, Programme Lead (Health Education England)"


def test_person_with_only_a_role_shows_the_role():
    person = PersonFactory(name="Libby Potter", role="Head of Portfolio", organisation=None)

    assert person.role_and_organisation == "Head of Portfolio"
    assert str(person) == "Libby Potter, Head of Portfolio"


def test_person_with_only_an_organisation_shows_the_organisation():
    person = PersonFactory(name="Robin Hewings", role="", organisation=OrganisationFactory(name="Campaign"))

    assert person.role_and_organisation == "Campaign"
    assert str(person) == "Robin Hewings, Campaign"


def test_person_with_neither_is_just_a_name():
    person = Person(name="A student")

    assert person.role_and_organisation == ""
    assert str(person) == "A student"


def test_organisation_reads_as_its_name():
    assert str(OrganisationFactory(name="Public Health England")) == "Public Health England"


@pytest.mark.parametrize(
    ("operated_from", "operated_until", "expected"),
    [(2014, 2024, "2014 to 2024"), (2014, None, "2014"), (None, 2024, "2024"), (None, None, "")],
)
def test_closure_notice_years_show_what_is_known(operated_from, operated_until, expected):
    notice = ClosureNotice(operated_from=operated_from, operated_until=operated_until)

    assert notice.years == expected


def test_closure_notice_rejects_a_closing_year_before_the_opening_year():
    notice = ClosureNotice(operated_from=2024, operated_until=2014)

    with pytest.raises(ValidationError) as excinfo:
        notice.clean()

    assert excinfo.value.message_dict == {
        "operated_until": ["The closing year cannot be before the opening year."]
    }


def test_closure_notice_accepts_opening_and_closing_in_the_same_year():
    ClosureNotice(operated_from=2014, operated_until=2014).clean()


def test_closure_notice_is_shown_only_when_it_has_text():
    assert ClosureNotice(notice_text="This website will not be updated.").is_active
    assert not ClosureNotice(notice_text="   ").is_active


def test_people_are_listed_in_the_admin(admin_client):
    PersonFactory(
        name="Dr. Kalpa Kharicha", organisation=OrganisationFactory(name="Campaign to End Loneliness")
    )

    response = admin_client.get("/admin/snippets/core/person/")

    assert response.status_code == 200
    assert "Dr. Kalpa Kharicha" in response.content.decode()
    assert "Campaign to End Loneliness" in response.content.decode()


def test_organisations_are_listed_in_the_admin(admin_client):
    OrganisationFactory(name="National Academy of Social Prescribing")

    response = admin_client.get("/admin/snippets/core/organisation/")

    assert response.status_code == 200
    assert "National Academy of Social Prescribing" in response.content.decode()


def test_editor_can_add_a_person_through_the_admin(admin_client):
    organisation = OrganisationFactory(name="Health Education England")

    response = admin_client.post(
        "/admin/snippets/core/person/add/",
        {
            "name": "Professor Simon Gregory",
            "role": "Deputy Medical Director",
            "organisation": organisation.pk,
        },
    )

    assert response.status_code == 302
    person = Person.objects.get(name="Professor Simon Gregory")
    assert person.role_and_organisation == "Deputy Medical Director (Health Education England)"


def test_closure_notice_admin_shows_the_year_error_on_operated_until(admin_client, site):
    response = admin_client.post(
        f"/admin/settings/core/closurenotice/{site.pk}/",
        {"organisation_name": "What Works Wellbeing", "operated_from": "2024", "operated_until": "2014"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["operated_until"] == [
        "The closing year cannot be before the opening year."
    ]
    assert not ClosureNotice.objects.filter(operated_until=2014).exists()
