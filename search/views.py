import re

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from wagtail.models import Page, Site

from .content import SEARCH_TYPES, SEARCHABLE_MODELS, TYPES_BY_SLUG

RESULTS_PER_PAGE = 10


def search(request):
    """Live site search over the page types in ``search.content``, with a type filter and pages."""
    query = request.GET.get("q", "").strip()
    chosen = TYPES_BY_SLUG.get(request.GET.get("type", ""))
    results = pagination = None
    # Only words reach the backend: SQLite's full-text search rejects stray quotes and brackets.
    terms = " ".join(re.findall(r"\w+", query))
    if terms:
        site = Site.find_for_request(request)
        pages = Page.objects.live().public().type(*([chosen.model] if chosen else SEARCHABLE_MODELS))
        if site:
            pages = pages.in_site(site)
        paginator = Paginator(pages.specific().search(terms), RESULTS_PER_PAGE)
        results = paginator.get_page(request.GET.get("page"))
        pagination = {
            "previous_url": page_url(query, chosen, results.previous_page_number())
            if results.has_previous()
            else None,
            "next_url": page_url(query, chosen, results.next_page_number()) if results.has_next() else None,
        }
    title = f"Search results for “{query}”" if query else "Search"
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "title": title,
            "query": query,
            "chosen_type": chosen,
            "search_types": SEARCH_TYPES,
            "items": results,
            "pagination": pagination,
        },
    )


def page_url(query, chosen, number):
    params = {"q": query, "type": chosen.slug if chosen else "", "page": number if number > 1 else ""}
    return "?" + urlencode({key: value for key, value in params.items() if value})
