"""Which documents the public may see, asked everywhere a public page or the API names a document.

Wagtail keeps a document private through view restrictions on its collection or on a collection
above it, and then serves its file only to people allowed to see it. A public page must not name
such a document either: not its link, title, size or description, in the page, the API or an
archive. The live site and the export both ask ``is_public_document``.
"""

from django.db.models import Q
from wagtail.models import Collection, CollectionViewRestriction, Page

from .shared import in_render_session, shared


def private_collection_ids():
    """Ids of the collections whose documents are private: restricted ones and all collections below them.

    Worked out once per export; a live request asks afresh, so a new restriction applies at once.
    """
    return shared("private_collection_ids", _private_collection_ids)


def _private_collection_ids():
    paths = list(CollectionViewRestriction.objects.values_list("collection__path", flat=True))
    if not paths:
        return frozenset()
    below_any = Q()
    for path in paths:
        below_any |= Q(path__startswith=path)
    return frozenset(Collection.objects.filter(below_any).values_list("pk", flat=True))


def is_public_document(document):
    """Whether anyone may see ``document`` (False for None, a deleted or missing document)."""
    return bool(with_public_documents([document], lambda document: document))


def with_public_documents(items, document_of):
    """Those of ``items`` whose document (``document_of(item)``) anyone may see, asking once for them all."""
    private = private_collection_ids()
    return [
        item
        for item in items
        if (document := document_of(item)) is not None and document.collection_id not in private
    ]


def public_documents(documents):
    """``documents`` (a queryset) without those in private collections."""
    return documents.exclude(collection__in=private_collection_ids())


def is_public_page(page):
    """Whether visitors may see ``page``: live, with no view restriction on it or above it.

    Asked where a page names another it does not hold (a case study's related programme, a session's
    programme): a draft or restricted page is named nowhere public, not even by its title. An export
    asks the database once for every public page; a live request asks about this one.
    """
    if page is None or not page.live:
        return False
    if in_render_session():
        return page.pk in shared("public_page_ids", _public_page_ids)
    return Page.objects.filter(pk=page.pk).public().exists()


def _public_page_ids():
    return frozenset(Page.objects.live().public().values_list("pk", flat=True))
