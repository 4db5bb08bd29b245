"""The demo content command builds the whole site from the two seed documents, and can run again safely."""

import re
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import call_command
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from case_studies.models import CaseStudyPage
from cms.core.admin_user import ensure_admin
from cms.core.demo_content import (
    CLOSURE_NOTICE_TEXT,
    DOCUMENT_TITLE,
    IMAGE_TITLE,
    load_demo_content,
)
from cms.core.models import ClosureNotice, Organisation, Person
from resources.models import LearningProgrammePage, SessionPage
from site_pages.models import HomePage, NewsReleasePage, StandardPage

pytestmark = pytest.mark.django_db

SPEAKERS = {
    "Professor Simon Gregory": "Deputy Medical Director",
    "Chris Sharp": "Workforce Development Lead – North East and Yorkshire",
    "Dr. Kalpa Kharicha": "Head of Research, Policy and Practice",
    "Gay Palmer": "Social Prescribing Link Worker",
}

# A phrase from each of the five learning outcomes, as a learner reads it on the programme page.
OUTCOME_PHRASES = [
    "risk factors for poor health outcomes",
    "key risk groups",
    "Hold conversations",
    "evidence-based interventions",
    "ongoing care",
]

# Sentences of the seed documents' own prose, which must have been rewritten, not copied.
SEED_SENTENCES = [
    "the other devastating pandemic",
    "it’s not about the quantity of the interactions but about the quality of them",
    "Students and trainees are a group of people that we have identified",
    "Here at Health Education England (HEE) we have been working with key partners",
    "Staff across the NHS, care and voluntary sectors will have access to a range of interventions",
    "Research has linked social isolation and loneliness to higher risks",
    "If you would like to share your thoughts on the e-learning programme",
]


@pytest.fixture(autouse=True)
def demo_media_root(settings, tmp_path):
    """Images and documents the command makes go to a folder that disappears with the test."""
    settings.MEDIA_ROOT = tmp_path / "demo-media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_site():
    load_demo_content()
    return Site.objects.get(is_default_site=True)


def snapshot():
    """What a visitor or editor could tell apart: the tree, and how much of everything there is."""
    pages = [
        (page.url_path, page.title, page.specific_class.__name__, page.live)
        for page in Page.objects.order_by("path")
    ]
    counts = {
        "pages": Page.objects.count(),
        "people": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "sites": Site.objects.count(),
        "tags": Tag.objects.count(),
    }
    return pages, counts


def visible_text(response):
    """The page's text as a reader sees it: tags stripped, entities decoded, spaces collapsed."""
    text = BeautifulSoup(response.content, "html.parser").get_text(" ")
    return re.sub(r"\s+", " ", text)


def render(client, page):
    response = client.get(page.get_url())
    assert response.status_code == 200, f"{page.url_path} answered {response.status_code}"
    return response


# --- the tree -------------------------------------------------------------------------------------------


def test_loading_twice_gives_the_same_site():
    load_demo_content()
    first = snapshot()
    revisions = Revision.objects.count()

    summary = load_demo_content()

    assert snapshot() == first
    assert summary.pages["created"] == summary.pages["updated"] == 0
    assert Revision.objects.count() == revisions, "nothing changed, so nothing was republished"
    pages, counts = first
    assert counts == {
        "pages": 15,  # the root, the home page and 13 pages below it
        "people": 7,
        "organisations": 4,
        "images": 1,
        "documents": 1,
        "sites": 1,
        "tags": 3,
    }


def test_loading_again_restores_edited_content_in_place():
    load_demo_content()
    news = NewsReleasePage.objects.get()
    news.title = "Edited by someone"
    news.save_revision().publish()
    pages_before = Page.objects.count()

    summary = load_demo_content()

    assert NewsReleasePage.objects.get().title == (
        "New NHS training aims to address loneliness and social isolation"
    )
    assert summary.pages["updated"] == 1
    assert Page.objects.count() == pages_before


def test_home_page_replaces_wagtails_welcome_page(demo_site):
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    assert isinstance(demo_site.root_page.specific, HomePage)
    assert demo_site.site_name == "What Works Wellbeing"
    assert demo_site.hostname in {"localhost", "127.0.0.1"}


def test_every_page_is_published_and_the_sections_are_in_the_menu(demo_site):
    home = demo_site.root_page
    assert not Page.objects.descendant_of(home, inclusive=True).not_live().exists()
    assert [page.title for page in home.get_children().in_menu()] == [
        "About",
        "Learning programmes",
        "Case studies",
        "News",
    ]
    assert home.get_children().filter(title="About this archive").exists()


def test_the_programme_has_five_numbered_sessions_one_outcome_each(demo_site):
    programme = LearningProgrammePage.objects.get()
    sessions = list(programme.get_sessions())
    outcomes = [outcome.text for outcome in programme.learning_outcomes.all()]

    assert [session.number for session in sessions] == [1, 2, 3, 4, 5]
    assert all(session.session_format == "e-learning" and session.duration_minutes for session in sessions)
    assert [[o.text for o in session.learning_outcomes.all()] for session in sessions] == [
        [outcome] for outcome in outcomes
    ]
    assert programme.provider.name == "Health Education England"
    assert {org.name for org in programme.partner_organisations.all()} == {
        "Public Health England",
        "Campaign to End Loneliness",
    }
    assert str(programme.launch_date) == "2021-06-23"
    # The seeds link to the course but give no address: the demo links to a placeholder, never to nothing.
    assert programme.course_url.startswith("https://example.org/")


def test_the_news_release_carries_its_structured_facts(demo_site):
    news = NewsReleasePage.objects.get()
    event = news.event[0].value

    assert str(news.release_date) == "2021-06-23"
    assert [quote.person.name for quote in news.quotes.all()] == ["Janet Flint", "Robin Hewings"]
    assert event["title"] == "Tackling Loneliness"
    assert event["start"].isoformat() == "2021-06-30T12:00:00+01:00"
    assert event["end"].isoformat() == "2021-06-30T13:00:00+01:00"
    assert event["chair"].name == "Professor Simon Gregory"
    assert [person.name for person in event["speakers"]] == [
        "Chris Sharp",
        "Dr. Kalpa Kharicha",
        "Gay Palmer",
    ]
    assert (news.media_contact_name, news.media_contact_email) == (
        "HEE press office",
        "pressoffice@hee.nhs.uk",
    )


def test_the_new_pages_are_in_the_search_index(demo_site):
    results = Page.objects.live().search("loneliness")
    assert {type(page.specific) for page in results} >= {
        NewsReleasePage,
        CaseStudyPage,
        LearningProgrammePage,
    }


# --- closure notice -------------------------------------------------------------------------------------


def test_the_closure_notice_is_left_alone_by_default(demo_site):
    assert not ClosureNotice.for_site(demo_site).is_active


def test_the_closure_notice_can_be_switched_on():
    load_demo_content(with_closure_notice=True)
    site = Site.objects.get(is_default_site=True)
    notice = ClosureNotice.for_site(site)

    assert notice.notice_text == CLOSURE_NOTICE_TEXT
    assert notice.organisation_name == "What Works Wellbeing"
    assert notice.years == "2014 to 2024"
    assert str(notice.closure_date) == "2024-04-30"
    assert notice.statement_page.title == "About this archive"


# --- media made by the command --------------------------------------------------------------------------


def test_the_command_draws_its_own_image_and_writes_its_own_pdf(demo_site, demo_media_root):
    image = get_image_model().objects.get(title=IMAGE_TITLE)
    document = get_document_model().objects.get(title=DOCUMENT_TITLE)

    assert (image.width, image.height) == (1600, 900)
    assert document.file_extension == "pdf"
    assert document.collection.is_root()
    pdf = document.file.read()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    # The cross-reference table points at the start of every object: readers can open it.
    xref_at = int(re.search(rb"startxref\s+(\d+)", pdf).group(1))
    offsets = [int(offset) for offset in re.findall(rb"(\d{10}) 00000 n", pdf[xref_at:])]
    assert [pdf[offset:].split(b" obj")[0] for offset in offsets] == [
        b"%d 0" % number for number in range(1, len(offsets) + 1)
    ]
    assert str(demo_media_root) in image.file.path and str(demo_media_root) in document.file.path


def test_the_image_is_used_with_alt_text(demo_site):
    case_study = CaseStudyPage.objects.get()
    image_blocks = [block.value for block in case_study.body if block.block_type == "image"]

    assert case_study.social_image.title == IMAGE_TITLE
    assert image_blocks and all(block["alt_text"] for block in image_blocks)


# --- what readers see -----------------------------------------------------------------------------------


def test_the_news_release_shows_the_webinar_and_who_speaks(client, demo_site):
    response = render(client, NewsReleasePage.objects.get())
    text = visible_text(response)

    assert "New NHS training aims to address loneliness and social isolation" in text
    assert "World Wellbeing Week" in text
    assert "Tackling Loneliness" in text
    assert "30 June" in text
    assert re.search(r"12(:00| ?noon| ?pm| ?p\.m\.)", text), "the webinar's start time is shown"
    for name, role in SPEAKERS.items():
        assert name in text
        assert role in text
    for name in ("Janet Flint", "Robin Hewings"):
        assert name in text
    assert "whole system approach to reducing loneliness" in text
    assert "Public Health England" in text and "Campaign to End Loneliness" in text
    assert "pressoffice@hee.nhs.uk" in text


def test_the_case_study_shows_its_author_date_and_feedback_link(client, demo_site):
    response = render(client, CaseStudyPage.objects.get())
    text = visible_text(response)

    assert "Using e-learning to tackle loneliness in students" in text
    assert "Libby Potter" in text
    assert "Head of Portfolio" in text
    assert "4 August 2021" in text or 'datetime="2021-08-04"' in response.content.decode()
    assert "Jo Cox Commission on Loneliness" in text
    assert "https://example.org/tackling-loneliness-feedback-survey" in response.content.decode()


def test_the_programme_lists_its_five_outcomes_and_its_download(client, demo_site):
    programme = LearningProgrammePage.objects.get()
    response = render(client, programme)
    text = visible_text(response)

    for phrase in OUTCOME_PHRASES:
        assert phrase in text
    assert "Health and social care workers" in text
    assert "Jo Cox Commission on Loneliness" in text
    assert DOCUMENT_TITLE in text
    assert ".pdf" in response.content.decode()
    links = BeautifulSoup(response.content, "html.parser").find_all("a", href=True)
    course_links = [link["href"] for link in links if "Take the course" in link.get_text()]
    assert course_links == [programme.course_url], "the programme page links to the course"


def test_each_session_page_shows_its_own_outcome(client, demo_site):
    for session, phrase in zip(SessionPage.objects.order_by("number"), OUTCOME_PHRASES, strict=True):
        text = visible_text(render(client, session))
        assert phrase in text
        assert "minutes" in text


def test_the_home_page_features_the_case_study_programme_and_news(client, demo_site):
    text = visible_text(render(client, demo_site.root_page.specific))

    assert "Using e-learning to tackle loneliness in students" in text
    assert "Tackling Loneliness and Social Isolation" in text
    assert "New NHS training aims to address loneliness and social isolation" in text


def test_no_page_shows_the_old_form_shortcode_or_copies_the_seed_prose(client, demo_site):
    pages = Page.objects.live().descendant_of(demo_site.root_page, inclusive=True).specific()
    assert pages.count() == 14
    for page in pages:
        html = render(client, page).content.decode()
        assert "gravityform" not in html.lower()
        for sentence in SEED_SENTENCES:
            assert sentence not in html, f"{page.url_path} copies the seed: {sentence!r}"


def test_the_about_pages_render(client, demo_site):
    for page in StandardPage.objects.all():
        assert page.title in visible_text(render(client, page))


# --- the commands ---------------------------------------------------------------------------------------


def test_load_demo_content_command_prints_a_summary():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    call_command("load_demo_content", stdout=out)

    output = out.getvalue()
    assert "Pages: 14 created, 0 updated, 0 unchanged." in output
    assert "Pages: 0 created, 0 updated, 14 unchanged." in output
    assert not ClosureNotice.for_site(Site.objects.get(is_default_site=True)).is_active


def test_load_demo_content_command_sets_the_closure_notice_on_request():
    call_command("load_demo_content", "--with-closure-notice", stdout=StringIO())
    assert ClosureNotice.for_site(Site.objects.get(is_default_site=True)).is_active


def test_load_demo_content_if_empty_keeps_an_edit_made_since():
    """`make archive` loads the demo content only into an empty site: an edit survives to the next freeze."""
    call_command("load_demo_content", "--if-empty", stdout=StringIO())
    news = NewsReleasePage.objects.get()
    news.title = "Corrected by an editor"
    news.save_revision().publish()

    call_command("load_demo_content", "--if-empty", stdout=(out := StringIO()))

    assert "already loaded; edits made since are kept" in out.getvalue()
    assert NewsReleasePage.objects.get().title == "Corrected by an editor"


def test_ensure_admin_uses_admin_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "a-long-test-password-9183")
    out = StringIO()
    call_command("ensure_admin", stdout=out)

    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.check_password("a-long-test-password-9183")
    assert "a-long-test-password-9183" not in out.getvalue()


def test_ensure_admin_generates_and_prints_a_password_once(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    out = StringIO()
    call_command("ensure_admin", stdout=out)

    password = re.search(r"password: (\S+)", out.getvalue()).group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.check_password(password)
    assert len(password) >= 20

    again = StringIO()
    call_command("ensure_admin", stdout=again)
    user.refresh_from_db()
    assert user.check_password(password), "a second run leaves the password alone"
    assert password not in again.getvalue()
    assert "already exists" in again.getvalue()


def test_ensure_admin_resets_the_password_when_one_is_given():
    first = ensure_admin(password=None)
    second = ensure_admin(password="another-test-password-5521")

    assert first.generated_password and not second.created and second.password_changed
    assert get_user_model().objects.get(username="admin").check_password("another-test-password-5521")
    assert not ensure_admin(password="another-test-password-5521").password_changed
