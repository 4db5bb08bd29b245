"""What search covers, in one place: the page types people can find, with their labels and dates.

The live search and the archive's index both use this, so a type means the same in each.
"""

from dataclasses import dataclass

from django.utils import timezone

from case_studies.models import CaseStudyPage
from resources.models import LearningProgrammePage, SessionPage
from site_pages.models import NewsReleasePage, StandardPage


@dataclass(frozen=True)
class SearchType:
    slug: str  # the value of ``?type=`` on the live site
    label: str  # shown with each result, and the archive's "type" filter value
    model: type
    date_field: str = ""


SEARCH_TYPES = [
    SearchType("session", "Session", SessionPage, "scheduled_start"),
    SearchType("programme", "Learning programme", LearningProgrammePage, "launch_date"),
    SearchType("case-study", "Case study", CaseStudyPage, "publication_date"),
    SearchType("news", "News release", NewsReleasePage, "release_date"),
    SearchType("page", "Page", StandardPage),
]
TYPES_BY_SLUG = {search_type.slug: search_type for search_type in SEARCH_TYPES}
SEARCHABLE_MODELS = [search_type.model for search_type in SEARCH_TYPES]

# Listings and the home page only repeat what the pages above say, so search leaves them out.


def search_type(page):
    """The SearchType of a specific page, or None if search leaves it out."""
    return next((item for item in SEARCH_TYPES if type(page) is item.model), None)


def search_date(page):
    """The date a reader would put on the page (published, launched, held), or None."""
    kind = search_type(page)
    value = getattr(page, kind.date_field, None) if kind and kind.date_field else None
    if hasattr(value, "tzinfo"):  # a session's start time: the day it was held, in UK time
        value = timezone.localtime(value).date()
    return value
