"""Factories for every page type, snippet and child object, plus helpers for StreamField content.

Page factories take a ``parent``; pass the ``home_page`` fixture (or a page under it) so the new page
is routable on the default site. Stream helpers return raw block data, the form StreamField stores.
"""

import datetime
import uuid

import factory
import wagtail_factories
from factory.django import DjangoModelFactory
from wagtail.models import Collection, Page, Site

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Organisation, Person
from resources.models import (
    LearningProgrammePage,
    ProgrammeDownload,
    ProgrammeIndexPage,
    ProgrammeLearningOutcome,
    SessionLearningOutcome,
    SessionPage,
    SessionSpeaker,
)
from site_pages.models import (
    HomePage,
    HomePageFeaturedPage,
    NewsIndexPage,
    NewsReleasePage,
    NewsReleaseQuote,
    StandardPage,
)

# --- Media ---------------------------------------------------------------------------------------


def root_collection():
    return Collection.get_first_root_node()


class ImageFactory(wagtail_factories.ImageFactory):
    """An image in the root collection (wagtail-factories would otherwise make a second root)."""

    collection = factory.LazyFunction(root_collection)
    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.django.ImageField(width=1600, height=900, color="teal", filename="photo.jpg")


class DocumentFactory(wagtail_factories.DocumentFactory):
    collection = factory.LazyFunction(root_collection)
    title = factory.Sequence(lambda n: f"Programme overview {n}")
    file = factory.django.FileField(filename="programme-overview.pdf", data=b"%PDF-1.4 overview")


# --- Snippets ------------------------------------------------------------------------------------


class OrganisationFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Organisation {n}")
    website = "https://example.org/"

    class Meta:
        model = Organisation
        django_get_or_create = ("name",)


class PersonFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Person {n}")
    role = "Programme Lead"
    organisation = factory.SubFactory(OrganisationFactory)

    class Meta:
        model = Person


# --- Pages ---------------------------------------------------------------------------------------


class HomePageFactory(wagtail_factories.PageFactory):
    title = "What Works Wellbeing"
    parent = factory.LazyFunction(Page.get_first_root_node)

    class Meta:
        model = HomePage


class StandardPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"About us {n}")
    summary = "Who we were and what we did."
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = StandardPage


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    title = "News"
    intro = "<p>Releases from the programme.</p>"
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = NewsIndexPage


class NewsReleasePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"News release {n}")
    summary = "Staff will have access to new training."
    release_date = factory.Sequence(lambda n: datetime.date(2021, 6, 23) - datetime.timedelta(days=n))
    body = factory.LazyFunction(lambda: [paragraph("<p>A new e-learning resource has been developed.</p>")])
    parent = factory.SubFactory(NewsIndexPageFactory)

    class Meta:
        model = NewsReleasePage


class ProgrammeIndexPageFactory(wagtail_factories.PageFactory):
    title = "Learning programmes"
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = ProgrammeIndexPage


class LearningProgrammePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Tackling loneliness {n}")
    summary = "E-learning for health and social care workers."
    provider = factory.SubFactory(OrganisationFactory, name="Health Education England")
    audience = "Health and social care workers"
    launch_date = factory.Sequence(lambda n: datetime.date(2021, 6, 21) - datetime.timedelta(days=n))
    parent = factory.SubFactory(ProgrammeIndexPageFactory)

    class Meta:
        model = LearningProgrammePage


class SessionPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Session {n}")
    number = factory.Sequence(lambda n: n + 1)
    session_format = SessionPage.Format.E_LEARNING
    duration_minutes = 30
    parent = factory.SubFactory(LearningProgrammePageFactory)

    class Meta:
        model = SessionPage


class CaseStudyIndexPageFactory(wagtail_factories.PageFactory):
    title = "Case studies"
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = CaseStudyIndexPage


class CaseStudyPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Case study {n}")
    summary = "How e-learning helps students."
    publication_date = factory.Sequence(lambda n: datetime.date(2021, 8, 4) - datetime.timedelta(days=n))
    author = factory.SubFactory(PersonFactory)
    body = factory.LazyFunction(lambda: [paragraph("<p>Loneliness affects millions of people.</p>")])
    parent = factory.SubFactory(CaseStudyIndexPageFactory)

    class Meta:
        model = CaseStudyPage
        skip_postgeneration_save = True

    @factory.post_generation
    def topic_names(obj, create, extracted, **kwargs):
        """``CaseStudyPageFactory(topic_names=["Students"])`` tags the page and saves it."""
        if create and extracted:
            obj.topics.add(*extracted)
            obj.save()


def make_home_page_the_site_root(**kwargs):
    """Replace Wagtail's default welcome page with a HomePage and make it the default site's root."""
    site = Site.objects.get(is_default_site=True)
    welcome_page = site.root_page
    home = HomePageFactory(parent=Page.get_first_root_node(), slug="home-page", **kwargs)
    site.root_page = home
    site.save()
    welcome_page.delete()
    return home


# --- Child objects -------------------------------------------------------------------------------


class HomePageFeaturedPageFactory(DjangoModelFactory):
    home_page = factory.SubFactory(HomePageFactory)
    page = factory.SubFactory(StandardPageFactory)

    class Meta:
        model = HomePageFeaturedPage


class NewsReleaseQuoteFactory(DjangoModelFactory):
    page = factory.SubFactory(NewsReleasePageFactory)
    person = factory.SubFactory(PersonFactory)
    text = "Everyone involved in the health and care of others has a unique opportunity."

    class Meta:
        model = NewsReleaseQuote


class ProgrammeLearningOutcomeFactory(DjangoModelFactory):
    page = factory.SubFactory(LearningProgrammePageFactory)
    text = factory.Sequence(lambda n: f"Understand risk factor {n}")
    sort_order = factory.Sequence(lambda n: n)

    class Meta:
        model = ProgrammeLearningOutcome


class ProgrammeDownloadFactory(DjangoModelFactory):
    page = factory.SubFactory(LearningProgrammePageFactory)
    document = factory.SubFactory(DocumentFactory)
    description = "What each session covers."

    class Meta:
        model = ProgrammeDownload


class SessionLearningOutcomeFactory(DjangoModelFactory):
    page = factory.SubFactory(SessionPageFactory)
    text = factory.Sequence(lambda n: f"Recognise sign of loneliness {n}")
    sort_order = factory.Sequence(lambda n: n)

    class Meta:
        model = SessionLearningOutcome


class SessionSpeakerFactory(DjangoModelFactory):
    page = factory.SubFactory(SessionPageFactory)
    person = factory.SubFactory(PersonFactory)

    class Meta:
        model = SessionSpeaker


# --- StreamField content (raw block data) --------------------------------------------------------


def _block(block_type, value):
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def heading(text, level="h2"):
    return _block("heading", {"text": text, "level": level})


def paragraph(html):
    return _block("paragraph", html)


def quote(text, person=None, attribution=""):
    return _block(
        "quote", {"quote": text, "person": person.pk if person else None, "attribution": attribution}
    )


def call_to_action(title, link_text, url="", page=None, text=""):
    return _block(
        "call_to_action",
        {"title": title, "text": text, "link_text": link_text, "page": page.pk if page else None, "url": url},
    )


def document_link(document, title="", description=""):
    return _block("document", {"document": document.pk, "title": title, "description": description})


def event(title, start, end, chair=None, speakers=(), joining_url=""):
    return _block(
        "event",
        {
            "title": title,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "chair": chair.pk if chair else None,
            "speakers": [_block("item", speaker.pk) for speaker in speakers],
            "joining_url": joining_url,
        },
    )
