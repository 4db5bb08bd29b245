from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.core.blocks import BaseStreamBlock, EventBlock
from cms.core.models import BasePage, PaginatedListingMixin
from cms.core.serializers import OrganisationListField, PersonField


class HomePage(BasePage):
    intro = RichTextField(
        features=["bold", "italic", "link"],
        blank=True,
        help_text="A short welcome shown at the top of the home page.",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        InlinePanel("featured_pages", label="Featured pages", max_num=6),
    ]

    search_fields = BasePage.search_fields + [index.SearchField("intro")]

    api_fields = BasePage.api_fields + [APIField("intro"), APIField("featured_pages")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "site_pages.StandardPage",
        "site_pages.NewsIndexPage",
        "resources.ProgrammeIndexPage",
        "case_studies.CaseStudyIndexPage",
    ]

    def get_featured_pages(self):
        """The chosen pages that are live and public, as their specific types, in the editor's order."""
        featured = self.featured_pages.select_related("page").order_by("sort_order")
        ids = [item.page_id for item in featured]
        pages = Page.objects.filter(pk__in=ids).live().public().specific().defer_streamfields().in_bulk()
        return [pages[page_id] for page_id in ids if page_id in pages]

    def get_latest_news_releases(self, count=3):
        """The newest live news releases anywhere below the home page, in one query."""
        return (
            NewsReleasePage.objects.descendant_of(self)
            .live()
            .public()
            .defer_streamfields()
            .order_by("-release_date", "-pk")[:count]
        )

    def get_news_index(self):
        return NewsIndexPage.objects.child_of(self).live().public().first()


class HomePageFeaturedPage(Orderable):
    home_page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_pages")
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A page to highlight on the home page. Its summary is shown with it.",
    )

    panels = [FieldPanel("page")]
    api_fields = [APIField("page")]

    @classmethod
    def public_only(cls, featured):
        """The featured pages visitors may see; the API leaves the others out, as the home page does."""
        featured = list(featured)
        shown = set(
            Page.objects.filter(pk__in=[item.page_id for item in featured])
            .live()
            .public()
            .values_list("pk", flat=True)
        )
        return [item for item in featured if item.page_id in shown]


class StandardPage(BasePage):
    """About, statements and other pages that are mostly prose."""

    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("body")]

    search_fields = BasePage.search_fields + [index.SearchField("body")]

    api_fields = BasePage.api_fields + [APIField("body")]

    parent_page_types = ["site_pages.HomePage", "site_pages.StandardPage"]
    subpage_types = ["site_pages.StandardPage"]


class NewsIndexPage(PaginatedListingMixin, BasePage):
    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    api_fields = BasePage.api_fields + [APIField("intro")]

    max_count = 1
    parent_page_types = ["site_pages.HomePage"]
    subpage_types = ["site_pages.NewsReleasePage"]

    def get_listing_items(self):
        return (
            NewsReleasePage.objects.child_of(self)
            .live()
            .public()
            .defer_streamfields()
            .order_by("-release_date", "-pk")
        )


class NewsReleasePage(BasePage):
    release_date = models.DateField(help_text="The date the release was issued.")
    body = StreamField(BaseStreamBlock())
    partner_organisations = ParentalManyToManyField(
        "core.Organisation",
        blank=True,
        related_name="+",
        help_text="Organisations that worked on what the release announces.",
    )
    event = StreamField(
        [("event", EventBlock())],
        blank=True,
        max_num=1,
        help_text="An event the release announces, such as a launch webinar.",
    )
    media_contact_name = models.CharField(max_length=255, blank=True, help_text="E.g. “HEE press office”.")
    media_contact_email = models.EmailField(blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("release_date"),
        FieldPanel("body"),
        InlinePanel("quotes", label="Quotes"),
        FieldPanel("event"),
        FieldPanel("partner_organisations"),
        MultiFieldPanel(
            [FieldPanel("media_contact_name"), FieldPanel("media_contact_email")],
            heading="Media enquiries",
        ),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("body"),
        index.SearchField("event"),
        index.FilterField("release_date"),
        index.RelatedFields("quotes", [index.SearchField("text")]),
    ]

    api_fields = BasePage.api_fields + [
        APIField("release_date"),
        APIField("body"),
        APIField("quotes"),
        APIField("event"),
        APIField("partner_organisations", serializer=OrganisationListField()),
        APIField("media_contact_name"),
        APIField("media_contact_email"),
    ]

    parent_page_types = ["site_pages.NewsIndexPage"]
    subpage_types = []

    @classmethod
    def display_prefetches(cls):
        return [
            Prefetch("quotes", queryset=NewsReleaseQuote.objects.select_related("person__organisation")),
            "partner_organisations",
        ]

    def get_quotes(self):
        return self.quotes.all()

    def get_partner_organisations(self):
        return self.partner_organisations.all()

    def clean(self):
        super().clean()
        if self.media_contact_name and not self.media_contact_email:
            raise ValidationError({"media_contact_email": "Give an email address for the media contact."})


class NewsReleaseQuote(Orderable):
    page = ParentalKey(NewsReleasePage, on_delete=models.CASCADE, related_name="quotes")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(
        help_text="The words quoted, without quotation marks. Separate paragraphs with a blank line."
    )

    panels = [FieldPanel("person"), FieldPanel("text")]
    api_fields = [APIField("person", serializer=PersonField()), APIField("text")]

    def paragraphs(self):
        return [part.strip() for part in self.text.split("\n\n") if part.strip()]
