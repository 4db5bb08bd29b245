"""Editors create and publish home, standard and news pages through the admin, and see their mistakes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import inline_formset, rich_text, streamfield

from site_pages.models import HomePage, NewsIndexPage, NewsReleasePage, StandardPage
from tests.factories import (
    ImageFactory,
    NewsIndexPageFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.helpers import list_block, post_new_page, stream_block_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index(home_page):
    return NewsIndexPageFactory(parent=home_page)


def news_release_fields(**overrides):
    """Everything an editor types for the seed release, “New NHS training aims to address loneliness”."""
    fields = {
        "title": "New NHS training aims to address loneliness and social isolation",
        "slug": "new-nhs-training",
        "summary": "Staff will have access to interventions and information.",
        "release_date": "2021-06-23",
        "body": streamfield(
            [
                ("paragraph", rich_text("<p>A new e-learning resource has been developed.</p>")),
            ]
        ),
        "quotes": inline_formset([]),
        "event": streamfield([]),
        "media_contact_name": "",
        "media_contact_email": "",
    }
    fields.update(overrides)
    return fields


def test_editor_creates_and_publishes_a_home_page(admin_client):
    featured = Site.objects.get(is_default_site=True).root_page

    response = post_new_page(
        admin_client,
        HomePage,
        Page.get_first_root_node(),
        {
            "title": "What Works Wellbeing",
            "slug": "wellbeing",
            "summary": "Evidence on wellbeing.",
            "intro": rich_text("<p>Welcome to the <b>archive</b>.</p>"),
            "featured_pages": inline_formset([{"page": featured.pk}], max=6),
        },
    )

    assert response.status_code == 302
    home = HomePage.objects.get(slug="wellbeing")
    assert home.live
    assert "Welcome to the <b>archive</b>." in home.intro
    assert [item.page_id for item in home.featured_pages.all()] == [featured.pk]


def test_editor_creates_and_publishes_a_standard_page(admin_client, home_page):
    response = post_new_page(
        admin_client,
        StandardPage,
        home_page,
        {
            "title": "About What Works Wellbeing",
            "slug": "about",
            "summary": "Who we were.",
            "body": streamfield(
                [
                    ("heading", {"text": "Our closure", "level": "h2"}),
                    ("paragraph", rich_text("<p>We operated from 2014 to 2024.</p>")),
                    (
                        "quote",
                        {"quote": "We can all play a part.", "person": "", "attribution": "A learner"},
                    ),
                ]
            ),
        },
    )

    assert response.status_code == 302
    page = StandardPage.objects.get(slug="about")
    assert page.live
    assert page.get_parent().specific == home_page
    assert [block.block_type for block in page.body] == ["heading", "paragraph", "quote"]
    assert page.body[0].value["text"] == "Our closure"
    assert page.body[2].value["attribution"] == "A learner"


def test_editor_creates_and_publishes_a_news_index(admin_client, home_page):
    response = post_new_page(
        admin_client,
        NewsIndexPage,
        home_page,
        {"title": "News", "slug": "news", "intro": rich_text("<p>Our releases.</p>")},
    )

    assert response.status_code == 302
    news = NewsIndexPage.objects.get(slug="news")
    assert news.live
    assert "Our releases." in news.intro


def test_editor_creates_and_publishes_a_news_release_with_quotes_event_and_contact(admin_client, news_index):
    chair = PersonFactory(name="Professor Simon Gregory", role="Deputy Medical Director")
    speaker = PersonFactory(name="Dr. Kalpa Kharicha", role="Head of Research")
    quoted = PersonFactory(name="Janet Flint", role="Programme Lead")
    partner = OrganisationFactory(name="Campaign to End Loneliness")
    image = ImageFactory()

    response = post_new_page(
        admin_client,
        NewsReleasePage,
        news_index,
        news_release_fields(
            social_image=image.pk,
            quotes=inline_formset(
                [{"person": quoted.pk, "text": "Everyone involved has a unique opportunity."}]
            ),
            event=streamfield(
                [
                    (
                        "event",
                        {
                            "title": "Tackling Loneliness webinar",
                            "start": "2021-06-30 12:00",
                            "end": "2021-06-30 13:00",
                            "chair": chair.pk,
                            "speakers": list_block([speaker.pk]),
                            "joining_url": "https://example.org/webinar",
                        },
                    )
                ]
            ),
            media_contact_name="HEE press office",
            media_contact_email="pressoffice@hee.nhs.uk",
        ),
        multi_valued={"partner_organisations": [partner.pk]},
    )

    assert response.status_code == 302
    release = NewsReleasePage.objects.get(slug="new-nhs-training")
    assert release.live
    assert release.get_parent().specific == news_index
    assert release.release_date == datetime.date(2021, 6, 23)
    assert release.social_image == image
    assert [(quote.person, quote.text) for quote in release.quotes.all()] == [
        (quoted, "Everyone involved has a unique opportunity.")
    ]
    webinar = release.event[0].value
    assert webinar["title"] == "Tackling Loneliness webinar"
    assert webinar["chair"] == chair
    assert list(webinar["speakers"]) == [speaker]
    assert webinar["end"] - webinar["start"] == datetime.timedelta(hours=1)
    assert list(release.partner_organisations.all()) == [partner]
    assert release.media_contact_email == "pressoffice@hee.nhs.uk"


def test_event_ending_before_it_starts_is_reported_on_the_event_end(admin_client, news_index):
    response = post_new_page(
        admin_client,
        NewsReleasePage,
        news_index,
        news_release_fields(
            event=streamfield(
                [
                    (
                        "event",
                        {
                            "title": "Tackling Loneliness webinar",
                            "start": "2021-06-30 13:00",
                            "end": "2021-06-30 12:00",
                            "chair": "",
                            "speakers": list_block([]),
                            "joining_url": "",
                        },
                    )
                ]
            )
        ),
    )

    assert response.status_code == 200
    assert not NewsReleasePage.objects.exists()
    assert stream_block_errors(response.context["form"], "event") == {
        0: {"end": ["The event must end after it starts."]}
    }


def test_quote_with_both_a_person_and_an_attribution_is_reported_on_the_attribution(admin_client, news_index):
    person = PersonFactory()

    response = post_new_page(
        admin_client,
        NewsReleasePage,
        news_index,
        news_release_fields(
            body=streamfield(
                [("quote", {"quote": "Loneliness matters.", "person": person.pk, "attribution": "A student"})]
            )
        ),
    )

    assert response.status_code == 200
    assert not NewsReleasePage.objects.exists()
    assert stream_block_errors(response.context["form"], "body") == {
        0: {"attribution": ["Choose a person or type an attribution, not both."]}
    }


def test_media_contact_name_without_an_email_is_reported_on_the_email(admin_client, news_index):
    response = post_new_page(
        admin_client,
        NewsReleasePage,
        news_index,
        news_release_fields(media_contact_name="HEE press office", media_contact_email=""),
    )

    assert response.status_code == 200
    assert not NewsReleasePage.objects.exists()
    assert response.context["form"].errors["media_contact_email"] == [
        "Give an email address for the media contact."
    ]


def test_news_release_cannot_be_added_under_the_home_page(admin_client, home_page):
    response = post_new_page(admin_client, NewsReleasePage, home_page, news_release_fields())

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert not NewsReleasePage.objects.exists()


@pytest.mark.parametrize("slug", ["sitemap", "search", "api", "pagefind", "media", "Documents", "_redirects"])
def test_a_page_under_home_cannot_take_a_path_the_site_keeps_for_itself(admin_client, home_page, slug):
    fields = {"title": "Our sitemap", "slug": slug, "summary": "", "body": streamfield([])}

    response = post_new_page(admin_client, StandardPage, home_page, fields)

    assert response.status_code == 200, "the form should come back with an error"
    assert f"The slug “{slug}” is kept for the site itself" in response.context["form"].errors["slug"][0]
    assert not StandardPage.objects.filter(slug=slug).exists()


def test_the_reserved_slugs_are_allowed_deeper_in_the_tree(admin_client, home_page):
    about = StandardPage(title="About", slug="about")
    home_page.add_child(instance=about)
    fields = {"title": "How to search", "slug": "search", "summary": "", "body": streamfield([])}

    response = post_new_page(admin_client, StandardPage, about, fields)

    assert response.status_code == 302
    assert StandardPage.objects.get(slug="search").url == "/about/search/"


def test_a_script_cannot_save_a_page_at_a_reserved_path_either(home_page):
    with pytest.raises(ValidationError) as raised:
        home_page.add_child(instance=StandardPage(title="Sitemap", slug="sitemap"))
    assert "kept for the site itself" in str(raised.value.message_dict["slug"])
