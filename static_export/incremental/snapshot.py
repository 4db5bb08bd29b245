"""The snapshot: everything an incremental export reads from the database, read once before anything
renders, so an edit made during the export is seen as a change by the next one, and the plan
(plan.py) needs no database at all."""

import functools
import hashlib
import importlib.metadata
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page, ReferenceIndex, Site

from cms.core.models import Organisation, PaginatedListingMixin, Person

# The page row fields a page's own files and the pages showing it depend on, besides its content
# (which a new live revision brings).
PAGE_FIELDS = (
    "path",
    "depth",
    "url_path",
    "slug",
    "title",
    "seo_title",
    "search_description",
    "show_in_menus",
    "content_type_id",
    "live_revision_id",
    "last_published_at",
    "first_published_at",
    "go_live_at",
    "expire_at",
)
SOURCE_SUFFIXES = {".py", ".html", ".css", ".js", ".txt", ".json", ".xml"}
PAGE_LABEL = "wagtailcore.Page"  # How the ReferenceIndex names every page, whatever its type.

Object = tuple[str, int | str]  # (model label, pk): a page, a person, an image…


def traced_models():
    """Non-page data whose changes are traced to the pages showing it through the ReferenceIndex."""
    return [Person, get_image_model(), get_document_model()]


def site_wide_models():
    """Non-page data shown site-wide or not traced by the ReferenceIndex: a change means a full export."""
    return [Organisation, Site, Redirect, Tag, Collection, CollectionViewRestriction, *settings_registry]


def digest(value):
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:20]


def page_signature(row):
    return digest([row[name] for name in PAGE_FIELDS])


def software_fingerprint():
    """Installed packages and versions, plus a hash of the project's own source and template files."""
    hasher = hashlib.sha256()
    packages = sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    )
    hasher.update("\n".join(packages).encode("utf-8"))
    root = Path(settings.BASE_DIR)
    packages = (path for path in root.iterdir() if (path / "__init__.py").is_file() and path.name != "tests")
    for package in sorted(packages):
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(name for name in dirs if name != "__pycache__")
            for name in sorted(files):
                path = Path(folder, name)
                if path.suffix in SOURCE_SUFFIXES:
                    hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
                    hasher.update(path.read_bytes())
    return hasher.hexdigest()


@dataclass
class Snapshot:
    """What the export reads, taken before it renders anything."""

    software: str
    pages: dict[int, dict]  # page id -> its row (id and PAGE_FIELDS)
    tables: dict[str, str]  # model label -> digest of all its rows (site-wide data)
    objects: dict[str, dict[int, str]]  # model label -> {pk: digest of its row} (traced data)
    site_id: int = 0
    root_page_id: int = 0
    object_names: dict[str, str] = field(default_factory=dict)  # traced model label -> verbose name
    page_types: dict[int, str] = field(default_factory=dict)  # page id -> its model's label
    # What refers to what, from Wagtail's ReferenceIndex: object -> the objects referring to it.
    referrers: dict[Object, set[Object]] = field(default_factory=dict)
    # Each listing page's routes: page id -> {URL: ids of the items it shows, in order}.
    routes: dict[int, dict[str, tuple[int, ...]]] = field(default_factory=dict)

    def parent_ids(self):
        """{page id: its parent's id, or None when the parent is not exported}."""
        return parent_ids(self.pages)


def parent_ids(rows):
    by_path = {row["path"]: page_id for page_id, row in rows.items()}
    return {page_id: by_path.get(row["path"][: -Page.steplen]) for page_id, row in rows.items()}


def take_snapshot(site, pages_queryset, software, planning=True):
    """Read the site: page rows, data digests and page types; with ``planning``, also what only an
    incremental plan needs: the reference graph and every listing's routes (``software``: the
    fingerprint of the code exporting it)."""
    pages = {row["id"]: row for row in pages_queryset.values("id", *PAGE_FIELDS)}
    tables = {
        model._meta.label: digest(list(model.objects.order_by("pk").values_list()))
        for model in site_wide_models()
    }
    objects = {
        base_label(model): {row[0]: digest(row) for row in model.objects.order_by("pk").values_list()}
        for model in traced_models()
    }
    return Snapshot(
        software=software,
        pages=pages,
        tables=tables,
        objects=objects,
        site_id=site.pk,
        root_page_id=site.root_page_id,
        object_names={base_label(model): str(model._meta.verbose_name) for model in traced_models()},
        page_types={pid: model_label(row["content_type_id"]) for pid, row in pages.items()},
        referrers=reference_graph() if planning else {},
        routes=listing_routes(pages_queryset) if planning else {},
    )


@functools.cache  # Content types never change while a process runs; a snapshot asks 100,000 times.
def model_label(content_type_id):
    return ContentType.objects.get_for_id(content_type_id).model_class()._meta.label


def reference_graph():
    """{object: the objects referring to it} for every reference in Wagtail's ReferenceIndex, each
    named by the label of its base model (every page is a ``wagtailcore.Page``)."""
    rows = ReferenceIndex.objects.values_list(
        "base_content_type_id", "object_id", "to_content_type_id", "to_object_id"
    ).distinct()
    referrers = {}
    for content_type, object_id, to_content_type, to_object_id in rows.iterator():
        target = (model_label(to_content_type), object_key(to_object_id))
        referrers.setdefault(target, set()).add((model_label(content_type), object_key(object_id)))
    return referrers


def object_key(object_id):
    """The ReferenceIndex keeps every key as text: integer keys (pages, people, images…) as ints."""
    return int(object_id) if object_id.isdigit() else object_id


def base_label(model):
    """The label the ReferenceIndex names ``model``'s objects by (its base model's)."""
    return ReferenceIndex._get_base_content_type(model).model_class()._meta.label


def listing_models():
    return [model for model in apps.get_models() if issubclass(model, PaginatedListingMixin)]


def listing_routes(pages_queryset):
    """{listing page id: {URL: item ids}} for each exported listing page."""
    listings = pages_queryset.type(*listing_models()).specific()
    return {page.pk: route_items(page) for page in listings if page.url is not None}


def route_items(listing_page):
    """{URL: ids of the items it shows} for each route of a listing page, as the export state keeps it."""
    return {listing_page.url + route.path: tuple(route.item_ids) for route in listing_page.routes()}
