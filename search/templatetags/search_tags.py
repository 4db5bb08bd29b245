"""What each result shows, and the attributes that tell Pagefind what to index in the archive."""

from django import template
from django.utils.html import format_html

from search.content import search_date, search_type

register = template.Library()


@register.simple_tag
def result_details(page):
    """{"label": …, "date": …} for a search result."""
    kind = search_type(page)
    return {"label": kind.label if kind else "Page", "date": search_date(page)}


@register.simple_tag
def pagefind_attributes(page):
    """Marks <main> as the part of a page the archive's search indexes, with its type and year.

    Pages search leaves out get nothing, and Pagefind skips pages without ``data-pagefind-body``.
    """
    kind = search_type(page)
    if kind is None:
        return ""
    date = search_date(page)
    if date is None:
        return format_html(
            ' data-pagefind-body data-pagefind-filter="type[data-search-type]" data-search-type="{}"',
            kind.label,
        )
    # Several filters on one element must be captured from attributes ("type:X, year:Y" is one value).
    return format_html(
        ' data-pagefind-body data-pagefind-filter="type[data-search-type], year[data-search-year]"'
        ' data-pagefind-meta="date[data-search-date]"'
        ' data-search-type="{}" data-search-year="{}" data-search-date="{}"',
        kind.label,
        date.year,
        date.isoformat(),
    )
