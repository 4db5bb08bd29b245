"""Load what the exported pages show in a few queries per batch of pages, not a few per page.

Before the workers start, the pages' tree parents and every person, organisation, image (with its
renditions), document and locale become ``known`` objects (``cms.core.shared``), which StreamField choosers
and rich-text links look up. Each batch of pages then fetches the relations its page types show
(``display_prefetches``) together, in the worker rendering it, and foreign keys are pointed at
known objects.
"""

from itertools import chain

from django.db.models import prefetch_related_objects
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale

from cms.core.models import Organisation, Person
from cms.core.shared import prime_foreign_keys


def load_in_bulk(pages):
    """The objects to make known for rendering ``pages``."""
    pages_by_path = {page.path: page for page in pages}
    for page in pages:
        parent = pages_by_path.get(page.path[: -page.steplen])
        if parent is not None:
            page._cached_parent_obj = parent  # treebeard's own cache for get_parent()
    return [
        *pages,
        *Person.objects.select_related("organisation"),
        *Organisation.objects.all(),
        *get_image_model().objects.prefetch_renditions(),
        *get_document_model().objects.all(),
        *Locale.objects.all(),  # Each page's, which the API shows in listings.
    ]


def fetch_for_display(pages):
    """Fetch the relations each page's template and JSON-LD show, per page type at once (none twice)."""
    by_type = {}
    for page in pages:
        by_type.setdefault(type(page), []).append(page)
    for model, group in by_type.items():
        if prefetches := getattr(model, "display_prefetches", None):
            prefetch_related_objects(group, *prefetches())
    prime_loaded(pages)


def prime_loaded(objects):
    """Point the foreign keys of ``objects``, and of what they prefetched, at known objects."""
    prefetched = chain.from_iterable(
        chain.from_iterable(obj._prefetched_objects_cache.values())
        for obj in objects
        if hasattr(obj, "_prefetched_objects_cache")
    )
    children = list(prefetched)
    related = [
        field.get_cached_value(child)
        for child in children
        for field in child._meta.concrete_fields
        if field.many_to_one and field.is_cached(child) and field.get_cached_value(child) is not None
    ]
    prime_foreign_keys([*objects, *children, *related])
