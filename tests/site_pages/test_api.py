"""The headless API shows home, standard and news pages with their structured content in full."""

import datetime

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import (
    DocumentFactory,
    HomePageFeaturedPageFactory,
    ImageFactory,
    NewsIndexPageFactory,
    NewsReleasePageFactory,
    NewsReleaseQuoteFactory,
    OrganisationFactory,
    PersonFactory,
    StandardPageFactory,
    call_to_action,
    document_link,
    event,
    heading,
    paragraph,
    quote,
)

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(hours=1))


def api_items(client, page_type):
    response = client.get("/api/v2/pages/", {"type": page_type, "fields": "*"})
    assert response.status_code == 200
    return response.json()["items"]


def api_page(client, page):
    response = client.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200
    return response.json()


def person_json(name, role, organisation):
    return {"name": name, "role": role, "organisation": organisation}


def without_ids(person):
    """A person from the API, keeping what a consumer shows: name, role, organisation name."""
    return {
        "name": person["name"],
        "role": person["role"],
        "organisation": person["organisation"]["name"] if person["organisation"] else None,
    }


@pytest.fixture
def janet(db):
    return PersonFactory(
        name="Janet Flint",
        role="Programme Lead",
        organisation=OrganisationFactory(name="Health Education England"),
    )


@pytest.fixture
def news_release(home_page, janet):
    chair = PersonFactory(
        name="Professor Simon Gregory",
        role="Deputy Medical Director",
        organisation=OrganisationFactory(name="Health Education England"),
    )
    speaker = PersonFactory(
        name="Dr. Kalpa Kharicha",
        role="Head of Research, Policy and Practice",
        organisation=OrganisationFactory(name="Campaign to End Loneliness"),
    )
    release = NewsReleasePageFactory(
        parent=NewsIndexPageFactory(parent=home_page),
        title="New NHS training aims to address loneliness and social isolation",
        release_date=datetime.date(2021, 6, 23),
        summary="Staff will have access to interventions.",
        social_image=ImageFactory(),
        body=[
            paragraph(f'<p>Read <a linktype="page" id="{home_page.pk}">our home page</a>.</p>'),
            quote("We can all play a part.", person=janet),
        ],
        event=[
            event(
                "Tackling Loneliness webinar",
                datetime.datetime(2021, 6, 30, 12, tzinfo=LONDON),
                datetime.datetime(2021, 6, 30, 13, tzinfo=LONDON),
                chair=chair,
                speakers=[speaker],
                joining_url="https://example.org/webinar",
            )
        ],
        media_contact_name="HEE press office",
        media_contact_email="pressoffice@hee.nhs.uk",
    )
    release.partner_organisations.set([OrganisationFactory(name="Public Health England")])
    release.save()
    NewsReleaseQuoteFactory(page=release, person=janet, text="Everyone involved has a unique opportunity.")
    return release


def test_news_release_detail_shows_every_structured_field(client, news_release):
    data = api_page(client, news_release)

    assert data["meta"]["type"] == "site_pages.NewsReleasePage"
    assert data["release_date"] == "2021-06-23"
    assert data["summary"] == "Staff will have access to interventions."
    assert data["social_image"]["url"].endswith(".fill-1200x630.jpg")
    assert (data["social_image"]["width"], data["social_image"]["height"]) == (1200, 630)
    assert data["media_contact_name"] == "HEE press office"
    assert data["media_contact_email"] == "pressoffice@hee.nhs.uk"
    assert [organisation["name"] for organisation in data["partner_organisations"]] == [
        "Public Health England"
    ]

    assert [(without_ids(q["person"]), q["text"]) for q in data["quotes"]] == [
        (
            person_json("Janet Flint", "Programme Lead", "Health Education England"),
            "Everyone involved has a unique opportunity.",
        )
    ]

    webinar = data["event"][0]["value"]
    assert webinar["title"] == "Tackling Loneliness webinar"
    assert webinar["start"].startswith("2021-06-30T") and webinar["end"].startswith("2021-06-30T")
    assert without_ids(webinar["chair"]) == person_json(
        "Professor Simon Gregory", "Deputy Medical Director", "Health Education England"
    )
    assert [without_ids(speaker) for speaker in webinar["speakers"]] == [
        person_json(
            "Dr. Kalpa Kharicha", "Head of Research, Policy and Practice", "Campaign to End Loneliness"
        )
    ]
    assert webinar["joining_url"] == "https://example.org/webinar"


def test_news_release_body_rich_text_is_display_html_with_real_links(client, news_release):
    body = api_page(client, news_release)["body"]

    assert body[0]["type"] == "paragraph"
    assert body[0]["value"] == '<p>Read <a href="/">our home page</a>.</p>'
    assert "linktype=" not in str(body)
    assert "<embed" not in str(body)


def test_quote_block_in_the_api_expands_the_person(client, news_release):
    quote_block = api_page(client, news_release)["body"][1]

    assert quote_block["type"] == "quote"
    assert quote_block["value"]["quote"] == "We can all play a part."
    assert without_ids(quote_block["value"]["person"]) == person_json(
        "Janet Flint", "Programme Lead", "Health Education England"
    )


def test_news_releases_listing_filtered_by_type_shows_structured_fields(client, news_release):
    items = api_items(client, "site_pages.NewsReleasePage")

    assert [item["title"] for item in items] == [news_release.title]
    assert items[0]["release_date"] == "2021-06-23"
    assert items[0]["media_contact_email"] == "pressoffice@hee.nhs.uk"
    assert items[0]["event"][0]["value"]["chair"]["name"] == "Professor Simon Gregory"
    assert items[0]["quotes"][0]["person"]["organisation"]["name"] == "Health Education England"


def test_home_page_shows_intro_as_html_and_its_featured_pages(client, home_page):
    about = StandardPageFactory(parent=home_page, title="About us")
    home_page.intro = f'<p>See <a linktype="page" id="{about.pk}">about us</a>.</p>'
    home_page.save()
    HomePageFeaturedPageFactory(home_page=home_page, page=about)

    [item] = api_items(client, "site_pages.HomePage")

    assert item["intro"] == '<p>See <a href="/about-us/">about us</a>.</p>'
    assert [featured["page"]["title"] for featured in item["featured_pages"]] == ["About us"]
    assert item["featured_pages"][0]["page"]["id"] == about.pk


def test_standard_page_body_blocks_are_expanded(client, home_page, janet):
    document = DocumentFactory(title="Annual report")
    page = StandardPageFactory(
        parent=home_page,
        title="About us",
        body=[
            heading("Our closure"),
            paragraph("<p>We <b>closed</b> in 2024.</p>"),
            quote("As a society we can all play a part.", person=janet),
            call_to_action("Tell us what you think", "Give feedback", url="https://example.org/feedback"),
            document_link(document, description="Our final year."),
        ],
    )

    [item] = api_items(client, "site_pages.StandardPage")

    assert item["id"] == page.pk
    body = {block["type"]: block["value"] for block in item["body"]}
    assert body["heading"] == {"text": "Our closure", "level": "h2"}
    assert body["paragraph"] == "<p>We <b>closed</b> in 2024.</p>"
    assert body["quote"]["person"]["name"] == "Janet Flint"
    assert body["call_to_action"]["url"] == "https://example.org/feedback"
    assert body["document"]["document"]["id"] == document.pk
    assert (
        body["document"]["document"]["download_url"]
        == f"http://localhost/documents/{document.pk}/{document.filename}"
    )
    assert body["document"]["description"] == "Our final year."


def test_image_blocks_in_the_api_give_a_rendition_url_and_alt_text(client, home_page):
    image = ImageFactory(title="Webinar panel")
    StandardPageFactory(
        parent=home_page,
        body=[
            {
                "type": "image",
                "value": {"image": image.pk, "alt_text": "Four speakers", "caption": "The panel"},
            }
        ],
    )

    [item] = api_items(client, "site_pages.StandardPage")

    block = item["body"][0]["value"]
    assert block["alt_text"] == "Four speakers" and block["caption"] == "The panel"
    assert block["image"]["url"].startswith("http://localhost/media/images/")
    assert block["image"]["url"].endswith(".width-1440.jpg")
    assert block["image"]["width"] == 1440


def test_news_index_shows_intro_as_html(client, home_page):
    NewsIndexPageFactory(parent=home_page, intro="<p>Our <i>latest</i> news.</p>")

    [item] = api_items(client, "site_pages.NewsIndexPage")

    assert item["intro"] == "<p>Our <i>latest</i> news.</p>"


def test_images_and_documents_endpoints_answer(client, db):
    ImageFactory(title="Webinar panel")
    DocumentFactory(title="Programme overview")

    images = client.get("/api/v2/images/")
    documents = client.get("/api/v2/documents/")

    assert images.status_code == 200
    assert [image["title"] for image in images.json()["items"]] == ["Webinar panel"]
    assert documents.status_code == 200
    assert [document["title"] for document in documents.json()["items"]] == ["Programme overview"]


def test_the_home_page_api_leaves_out_featured_pages_visitors_cannot_see(client, home_page):
    members_only = StandardPageFactory(parent=home_page, title="MEMBERS-ONLY-TOKEN")
    PageViewRestriction.objects.create(page=members_only, restriction_type="login")
    draft = StandardPageFactory(parent=home_page, title="DRAFT-TOKEN", live=False)
    public = StandardPageFactory(parent=home_page, title="Open to all")
    for page in (members_only, draft, public):
        HomePageFeaturedPageFactory(home_page=home_page, page=page)

    response = client.get(f"/api/v2/pages/{home_page.pk}/")

    assert [item["page"]["title"] for item in response.json()["featured_pages"]] == ["Open to all"]
    assert "TOKEN" not in response.content.decode()
