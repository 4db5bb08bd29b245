"""Home, standard and news pages render for visitors with their structured content visible."""

import datetime

import pytest
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from tests.factories import (
    DocumentFactory,
    HomePageFeaturedPageFactory,
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
    make_home_page_the_site_root,
    paragraph,
    quote,
)
from tests.helpers import hrefs, page_text, shows_date

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def news_index(home_page):
    return NewsIndexPageFactory(parent=home_page, title="News")


@pytest.fixture
def news_release(news_index):
    """The seed release: a quote from Janet Flint, a webinar chaired by Simon Gregory, a press office."""
    hee = OrganisationFactory(name="Health Education England")
    release = NewsReleasePageFactory(
        parent=news_index,
        title="New NHS training aims to address loneliness and social isolation",
        release_date=datetime.date(2021, 6, 23),
        body=[paragraph("<p>Staff across the NHS will have access to a range of interventions.</p>")],
        event=[
            event(
                "Tackling Loneliness webinar",
                datetime.datetime(2021, 6, 30, 12, tzinfo=LONDON),
                datetime.datetime(2021, 6, 30, 13, tzinfo=LONDON),
                chair=PersonFactory(
                    name="Professor Simon Gregory", role="Deputy Medical Director", organisation=hee
                ),
                speakers=[
                    PersonFactory(
                        name="Dr. Kalpa Kharicha",
                        role="Head of Research, Policy and Practice",
                        organisation=OrganisationFactory(name="Campaign to End Loneliness"),
                    ),
                    PersonFactory(
                        name="Gay Palmer",
                        role="Social Prescribing Link Worker",
                        organisation=OrganisationFactory(name="National Academy of Social Prescribing"),
                    ),
                ],
                joining_url="https://example.org/webinar",
            )
        ],
        media_contact_name="HEE press office",
        media_contact_email="pressoffice@hee.nhs.uk",
    )
    release.partner_organisations.set([OrganisationFactory(name="Public Health England")])
    release.save()
    NewsReleaseQuoteFactory(
        page=release,
        person=PersonFactory(name="Janet Flint", role="Programme Lead", organisation=hee),
        text="Everyone involved in the health and care of others has a unique opportunity.",
    )
    return release


def test_news_release_shows_its_date_body_and_partners(client, news_release):
    response = client.get(news_release.url)

    assert response.status_code == 200
    text = page_text(response)
    assert "New NHS training aims to address loneliness and social isolation" in text
    assert shows_date(text, datetime.date(2021, 6, 23))
    assert "Staff across the NHS will have access to a range of interventions." in text
    assert "Public Health England" in text


def test_news_release_shows_each_quote_with_the_speakers_name_and_role(client, news_release):
    text = page_text(client.get(news_release.url))

    assert "Everyone involved in the health and care of others has a unique opportunity." in text
    assert "Janet Flint" in text
    assert "Programme Lead" in text
    assert "Health Education England" in text


def test_news_release_shows_the_event_with_its_chair_and_speakers(client, news_release):
    response = client.get(news_release.url)
    text = page_text(response)

    assert "Tackling Loneliness webinar" in text
    assert shows_date(text, datetime.date(2021, 6, 30))
    assert "Professor Simon Gregory" in text
    assert "Deputy Medical Director" in text
    assert "Dr. Kalpa Kharicha" in text
    assert "Campaign to End Loneliness" in text
    assert "Gay Palmer" in text
    assert "https://example.org/webinar" in hrefs(response)


def test_news_release_shows_the_media_contact_email_as_a_link(client, news_release):
    response = client.get(news_release.url)

    assert "pressoffice@hee.nhs.uk" in page_text(response)
    assert "HEE press office" in page_text(response)
    assert "mailto:pressoffice@hee.nhs.uk" in hrefs(response)


def test_news_index_lists_releases_newest_first_with_their_dates(client, news_index):
    NewsReleasePageFactory(parent=news_index, title="Older release", release_date=datetime.date(2021, 1, 5))
    NewsReleasePageFactory(parent=news_index, title="Newer release", release_date=datetime.date(2021, 6, 23))

    response = client.get(news_index.url)

    assert response.status_code == 200
    text = page_text(response)
    assert text.index("Newer release") < text.index("Older release")
    assert shows_date(text, datetime.date(2021, 1, 5))
    assert shows_date(text, datetime.date(2021, 6, 23))


def test_news_index_hides_unpublished_releases(client, news_index):
    NewsReleasePageFactory(parent=news_index, title="Published release")
    NewsReleasePageFactory(parent=news_index, title="Draft release", live=False)

    text = page_text(client.get(news_index.url))

    assert "Published release" in text
    assert "Draft release" not in text


def test_home_page_shows_its_intro_and_featured_pages_in_order(client, home_page):
    home_page.intro = "<p>Evidence to improve wellbeing across the UK.</p>"
    home_page.save()
    about = StandardPageFactory(parent=home_page, title="About us", summary="Who we were.")
    closure = StandardPageFactory(parent=home_page, title="Closure statement", summary="Why we closed.")
    HomePageFeaturedPageFactory(home_page=home_page, page=closure, sort_order=0)
    HomePageFeaturedPageFactory(home_page=home_page, page=about, sort_order=1)

    response = client.get("/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Evidence to improve wellbeing across the UK." in text
    assert text.index("Closure statement") < text.index("About us")
    assert "Why we closed." in text
    assert about.url in hrefs(response)


def test_standard_page_shows_every_kind_of_block(client, home_page):
    speaker = PersonFactory(
        name="Libby Potter",
        role="Head of Portfolio",
        organisation=OrganisationFactory(name="Health Education England"),
    )
    report = DocumentFactory(title="Final annual report")
    page = StandardPageFactory(
        parent=home_page,
        title="About What Works Wellbeing",
        body=[
            heading("Our closure"),
            paragraph("<p>We operated from <b>2014</b> to 2024.</p>"),
            quote("As a society, we can all play a part.", person=speaker),
            quote("It helped me make friends.", attribution="A student"),
            call_to_action("Tell us what you think", "Give feedback", url="https://example.org/feedback"),
            document_link(report, description="Everything we did in our last year."),
        ],
    )

    response = client.get(page.url)

    assert response.status_code == 200
    text = page_text(response)
    assert "Our closure" in text
    assert "We operated from 2014 to 2024." in text
    assert "As a society, we can all play a part." in text
    assert "Libby Potter" in text
    assert "Head of Portfolio" in text
    assert "It helped me make friends." in text
    assert "A student" in text
    assert "Tell us what you think" in text
    assert "https://example.org/feedback" in hrefs(response)
    assert "Final annual report" in text
    assert report.url in hrefs(response)


class SitePagesServeTests(WagtailPageTestCase):
    """Wagtail's own checks: each page routes, renders and previews in the admin."""

    def setUp(self):
        self.home = make_home_page_the_site_root()
        self.standard = StandardPageFactory(parent=self.home)
        self.news = NewsIndexPageFactory(parent=self.home)
        self.release = NewsReleasePageFactory(parent=self.news)

    def test_every_page_is_routable_and_renderable(self):
        for page in (self.home, self.standard, self.news, self.release):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)

    def test_every_page_previews_in_the_admin(self):
        forms = {
            self.home: {"intro": rich_text("<p>Welcome.</p>"), "featured_pages": inline_formset([])},
            self.standard: {"body": streamfield([("heading", {"text": "About", "level": "h2"})])},
            self.news: {"intro": rich_text("<p>Our news.</p>")},
            self.release: {
                "release_date": "2021-06-23",
                "body": streamfield([("paragraph", rich_text("<p>Training launched.</p>"))]),
                "quotes": inline_formset([]),
                "event": streamfield([]),
            },
        }
        for page, fields in forms.items():
            data = nested_form_data({"title": page.title, "slug": page.slug, **fields})
            self.assertPageIsPreviewable(page, post_data=data)
