from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from cms.core.blocks import BaseStreamBlock, CallToActionBlock
from cms.core.models import BasePage, PaginatedListingMixin, once_per_page
from cms.core.privacy import is_public_page
from cms.core.serializers import PersonField, TagNamesField
from cms.core.shared import shared


class CaseStudyTopic(TaggedItemBase):
    content_object = ParentalKey(
        "case_studies.CaseStudyPage", on_delete=models.CASCADE, related_name="tagged_topics"
    )


class CaseStudyIndexPage(PaginatedListingMixin, BasePage):
    """Lists case studies newest first, all of them or one topic at a time (``topic/<slug>/``)."""

    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    api_fields = BasePage.api_fields + [APIField("intro")]

    max_count = 1
    parent_page_types = ["site_pages.HomePage"]
    subpage_types = ["case_studies.CaseStudyPage"]

    def get_listing_items(self, topic=None):
        case_studies = (
            CaseStudyPage.objects.child_of(self)
            .live()
            .public()
            .defer_streamfields()
            .select_related("author__organisation")
            .prefetch_related(topics_prefetch())
            .order_by("-publication_date", "-pk")
        )
        if topic:
            case_studies = case_studies.filter(topics__slug=topic)
        return case_studies

    def get_topics(self):
        """Topics used by at least one live case study here, for the filter links. A topic whose name
        gives no slug (only punctuation or symbols: "🙂", "!!!") has no address, so no filter."""
        live_ids = CaseStudyPage.objects.child_of(self).live().public().values("pk")
        return (
            Tag.objects.filter(case_studies_casestudytopic_items__content_object__in=live_ids)
            .exclude(slug="")
            .distinct()
            .order_by("name")
        )

    def listings(self):
        """All case studies, and those of each topic in use at ``topic/<slug>/``."""
        return super().listings() + [(f"topic/{tag.slug}/", {"topic": tag.slug}) for tag in self.get_topics()]

    # Topic slugs keep their letters (taggit's unicode slugs: "ευεξία", "iechyd-da"), so the route
    # takes any word characters, as <slug:> (ASCII only) would not: a Greek topic answered 404.
    @re_path(r"^topic/(?P<topic>[-\w]+)/$", name="topic")
    def topic(self, request, topic):
        return self.render_topic(request, topic, page_number=1)

    @re_path(r"^topic/(?P<topic>[-\w]+)/page/(?P<page_number>[0-9]+)/$", name="topic_page")
    def topic_page(self, request, topic, page_number):
        page_number = int(page_number)
        if page_number < 2:
            raise Http404("The first page of a listing has no page number.")
        return self.render_topic(request, topic, page_number)

    def topics_in_use(self, request):
        return shared(("topics", self.pk), lambda: list(self.get_topics()))

    def render_topic(self, request, topic, page_number):
        tag = next((tag for tag in self.topics_in_use(request) if tag.slug == topic), None)
        if tag is None:
            raise Http404(f"No case studies have the topic “{topic}”.")
        request.case_study_topic = tag
        base_url = f"{self.get_url(request)}topic/{tag.slug}/"
        return self.render_listing(
            request, page_number, base_url=base_url, listing=f"topic/{tag.slug}/", topic=tag.slug
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = self.topics_in_use(request)
        context["current_topic"] = getattr(request, "case_study_topic", None)
        return context


class CaseStudyPage(BasePage):
    publication_date = models.DateField(help_text="The date the case study was first published.")
    author = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who wrote it. Their role and organisation are shown with their name.",
    )
    topics = ClusterTaggableManager(
        through=CaseStudyTopic, blank=True, help_text="Used to filter the case studies listing."
    )
    body = StreamField(BaseStreamBlock())
    related_programme = models.ForeignKey(
        "resources.LearningProgrammePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_studies",
        help_text="The learning programme this case study is about, if any.",
    )
    call_to_action = StreamField(
        [("call_to_action", CallToActionBlock())],
        blank=True,
        max_num=1,
        help_text="Ask readers to do one thing, such as give feedback through a survey.",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("publication_date"),
        FieldPanel("author"),
        FieldPanel("topics"),
        FieldPanel("body"),
        FieldPanel("related_programme"),
        FieldPanel("call_to_action"),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("publication_date"),
    ]

    api_fields = BasePage.api_fields + [
        APIField("publication_date"),
        APIField("author", serializer=PersonField()),
        APIField("topics", serializer=TagNamesField(source="get_topics")),
        APIField("body"),
        APIField("related_programme"),
        APIField("call_to_action"),
    ]

    parent_page_types = ["case_studies.CaseStudyIndexPage"]
    subpage_types = []

    @classmethod
    def display_prefetches(cls):
        return [topics_prefetch()]

    def get_related_programme(self):
        """The related programme, if visitors may see it: a draft or restricted one is not named."""
        programme = self.related_programme
        return programme if is_public_page(programme) else None

    @once_per_page
    def get_topics(self):
        """The page's topics in name order."""
        return sorted((item.tag for item in self.tagged_topics.all()), key=lambda tag: tag.name)


def topics_prefetch():
    # Through the tagged items, not the tag manager: django-taggit's manager builds a query for
    # every page it prefetches for, which cost an export of thousands of pages seconds.
    return Prefetch("tagged_topics", queryset=CaseStudyTopic.objects.select_related("tag"))
