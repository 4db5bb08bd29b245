"""What every page type shares: the abstract base page, paginated listings, people and organisations."""

import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db import models
from django.db.models import prefetch_related_objects
from django.http import Http404
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Page
from wagtail.search import index

from .reserved import reserved_slug_error
from .shared import in_render_session, shared


def once_per_page(method):
    """A page's related objects, fetched on first use and kept on that page object.

    The template and the JSON-LD both show them, so one page view asks once, not twice. A page object
    lives for one request (or one export), so nothing is kept longer than the content it came from.
    """

    @functools.wraps(method)
    def wrapper(self):
        cache = self.__dict__.setdefault("_once_per_page", {})
        if method.__name__ not in cache:
            cache[method.__name__] = list(method(self))
        return cache[method.__name__]

    return wrapper


class Organisation(index.Indexed, models.Model):
    name = models.CharField(max_length=255, unique=True)
    website = models.URLField(blank=True, help_text="The organisation's home page, if it has one.")

    panels = [FieldPanel("name"), FieldPanel("website")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def api_representation(self):
        return {"id": self.pk, "name": self.name, "website": self.website}


class Person(index.Indexed, models.Model):
    """Someone quoted, speaking, chairing or writing. Typed once, chosen everywhere."""

    name = models.CharField(
        max_length=255, help_text="Full name as it should appear, e.g. “Dr. Kalpa Kharicha”."
    )
    role = models.CharField(
        max_length=255, blank=True, help_text="Job title, e.g. “Head of Research, Policy and Practice”."
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        help_text="Where they held that role.",
    )
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("organisation"), FieldPanel("photo")]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("role"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.name}, {self.role_and_organisation}" if self.role_and_organisation else self.name

    @property
    def role_and_organisation(self):
        """“Role (Organisation)”, or whichever of the two is known."""
        if self.role and self.organisation:
            return f"{self.role} ({self.organisation.name})"
        return self.role or (self.organisation.name if self.organisation else "")

    def api_representation(self):
        photo = None
        if self.photo:
            rendition = self.photo.get_rendition("fill-200x200")
            photo = {
                "url": rendition.url,
                "width": rendition.width,
                "height": rendition.height,
                "alt": self.name,
            }
        return {
            "id": self.pk,
            "name": self.name,
            "role": self.role,
            "organisation": self.organisation.api_representation() if self.organisation else None,
            "photo": photo,
        }


class BasePageForm(WagtailAdminPageForm):
    """The admin form of every page type: a slug the site keeps for itself is refused on the field."""

    def clean(self):
        cleaned_data = super().clean()
        if error := reserved_slug_error(cleaned_data.get("slug"), self.parent_page):
            self.add_error("slug", error)
        return cleaned_data


class BasePage(Page):
    """Fields every page carries: a summary for listings and metadata, and an image for sharing."""

    summary = models.TextField(
        blank=True,
        max_length=400,
        help_text="One or two sentences. Shown in listings and used as the description for search engines.",
    )
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared on social media. Landscape, at least 1200×630 pixels.",
    )

    content_panels = Page.content_panels + [FieldPanel("summary")]
    promote_panels = Page.promote_panels + [FieldPanel("social_image")]

    base_form_class = BasePageForm

    search_fields = Page.search_fields + [index.SearchField("summary")]

    api_fields = [
        APIField("summary"),
        APIField("social_image", serializer=ImageRenditionField("fill-1200x630")),
    ]

    class Meta:
        abstract = True

    # Relations the template and JSON-LD show, each fetched in one query: for this page when it is
    # served, or for every page of the type at once by an export (then this finds them fetched).
    @classmethod
    def display_prefetches(cls):
        return []

    def clean(self):
        super().clean()
        # Pages made outside the admin (imports, scripts) too; a new page not yet in the tree has no
        # parent here, and the admin's form checks it.
        if error := reserved_slug_error(self.slug, self.get_parent()):
            raise ValidationError({"slug": error})

    def get_context(self, request, *args, **kwargs):
        prefetch_related_objects([self], *self.display_prefetches())
        return super().get_context(request, *args, **kwargs)

    def get_url_parts(self, request=None):
        # An export names each page many times (menus, cards, rich-text links, canonical and JSON-LD
        # URLs) and moves none meanwhile, so it works each page's URL out once.
        return shared(("url_parts", self.pk), lambda: super(BasePage, self).get_url_parts(request))

    @property
    def meta_description(self):
        return self.search_description or self.summary


@dataclass(frozen=True)
class ListingRoute:
    """One page of a listing: where it is, below the listing page's URL, and what it shows."""

    path: str  # "", "page/2/", "topic/students/", "topic/students/page/2/"…
    item_ids: tuple[int, ...]  # The ids of the items it shows, in order.
    listing: str  # The route of its listing's first page: "" or "topic/students/".


class PaginatedListingMixin(RoutablePageMixin):
    """A listing whose pages live at real paths (``page/2/``), so a static export can write every one.

    ``routes()`` is the one answer to “which addresses does this listing have, and what does each
    show”: the live sitemap, the export's pages, its sitemap and the incremental planner derive from
    it, and an export renders each route's items from it.
    """

    items_per_page = 10

    def get_listing_items(self, **filters):
        """The items a listing with these filters shows, in order (a queryset: filtered in SQL)."""
        raise NotImplementedError

    def listings(self):
        """Each listing this page shows, as (the route of its first page, the filters it passes to
        ``get_listing_items``). All of the items, at the page itself."""
        return [("", {})]

    @once_per_page
    def routes(self):
        """Every route of every listing, in order, each with the ids of the items it shows (a list of
        ``ListingRoute``; the first is the page itself). Worked out once per page object, so an
        export, which holds its pages throughout, asks the database once."""
        routes = []
        for listing, filters in self.listings():
            ids = list(self.get_listing_items(**filters).prefetch_related(None).values_list("pk", flat=True))
            size = self.items_per_page
            chunks = [tuple(ids[start : start + size]) for start in range(0, len(ids), size)] or [()]
            routes += [
                ListingRoute(listing + page_route(number), chunk, listing)
                for number, chunk in enumerate(chunks, start=1)
            ]
        return routes

    def get_sitemap_urls(self, request=None):
        """Every route of the listing, each with the page's own lastmod, so the live sitemap lists the
        addresses the archive's does."""
        (entry,) = super().get_sitemap_urls(request)
        return [{**entry, "location": entry["location"] + route.path} for route in self.routes()]

    def paginate(self, items, page_number):
        paginator = Paginator(items, self.items_per_page)
        try:
            return paginator.page(page_number)
        except EmptyPage as exc:
            raise Http404(f"There is no page {page_number} of this listing.") from exc

    @path("")
    def listing(self, request):
        return self.render_listing(request, page_number=1)

    @path("page/<int:page_number>/", name="listing_page")
    def listing_page(self, request, page_number):
        if page_number < 2:
            raise Http404("The first page of a listing has no page number.")
        return self.render_listing(request, page_number=page_number)

    def listing_url(self, request, page_number, base_url=None):
        return (base_url or self.get_url(request)) + page_route(page_number)

    def listing_items(self, request, listing="", **filters):
        """The items of the listing at route ``listing`` (with ``filters``), to paginate.

        A live request asks the database for the one page it shows. An export, which writes every
        route, shows what ``routes()`` says each shows, from all the listing page's items fetched once
        (a filter only narrows the listing, so they include every filtered listing's items).
        """
        if not in_render_session():
            return self.get_listing_items(**filters)
        by_id = shared(("listing", self.pk), lambda: {item.pk: item for item in self.get_listing_items()})
        return [by_id[pk] for route in self.routes() if route.listing == listing for pk in route.item_ids]

    def render_listing(self, request, page_number, base_url=None, listing="", **filters):
        items = self.paginate(self.listing_items(request, listing, **filters), page_number)
        pagination = {
            "previous_url": self.listing_url(request, items.previous_page_number(), base_url)
            if items.has_previous()
            else None,
            "next_url": self.listing_url(request, items.next_page_number(), base_url)
            if items.has_next()
            else None,
        }
        return self.render(
            request,
            context_overrides={"items": items, "filters": filters, "pagination": pagination},
        )


def page_route(number):
    """The route of a listing's page ``number`` below the listing's first page."""
    return "" if number == 1 else f"page/{number}/"


@register_setting(icon="warning")
class ClosureNotice(BaseSiteSetting):
    """The notice a closed organisation's archive shows at the top of every page."""

    organisation_name = models.CharField(max_length=255, blank=True, help_text="E.g. “What Works Wellbeing”.")
    operated_from = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year it started, e.g. 2014."
    )
    operated_until = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year it closed, e.g. 2024."
    )
    closure_date = models.DateField(
        null=True, blank=True, help_text="The day the site was captured and closed, e.g. 30 April 2024."
    )
    notice_text = models.TextField(
        blank=True,
        help_text="Shown at the top of every page. Leave empty to show no notice. "
        "E.g. “This website is a static repository of all assets captured at closure. "
        "It will remain publicly accessible but will not be updated.”",
    )
    statement_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A page explaining the closure, linked from the notice as “Read more”.",
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldRowPanel([FieldPanel("operated_from"), FieldPanel("operated_until")]),
        FieldPanel("closure_date"),
        FieldPanel("notice_text"),
        FieldPanel("statement_page"),
    ]

    class Meta:
        verbose_name = "closure notice"

    def clean(self):
        super().clean()
        if self.operated_from and self.operated_until and self.operated_until < self.operated_from:
            raise ValidationError({"operated_until": "The closing year cannot be before the opening year."})

    @property
    def is_active(self):
        return bool(self.notice_text.strip())

    @property
    def years(self):
        """“2014 to 2024”, or as much of it as is known."""
        return " to ".join(str(year) for year in (self.operated_from, self.operated_until) if year)
