"""wagtail-bakery's views, made fit for an archive.

Stock wagtail-bakery writes whatever a page answers (404 and 500 pages included), builds only the
page itself (no pagination or other sub-routes), leaves root-absolute links, and its API views ask
for pages the API will not show. These subclasses serve each exported page and API document
directly (the export already holds the pages), stop on anything but a 200, write every sub-route,
and hand each file to the build to make links relative.
"""

import gc
import math
import multiprocessing
import os
from dataclasses import dataclass

from django.db import connection, connections
from django.http import Http404
from django.utils import timezone
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page
from wagtailbakery.api_views import PagesAPIDetailView, PagesAPIListingView
from wagtailbakery.views import AllPublishedPagesView

from cms.core.models import PaginatedListingMixin
from cms.core.shared import known_objects

from .archive.errors import ExportError
from .archive.files import default_signals
from .archive.layout import page_file
from .bulk import fetch_for_display, load_in_bulk, prime_loaded
from .frozen_api import ExportedPagesAPI


def exportable_pages(site):
    """Live, public pages of the site that are neither expired nor scheduled for the future."""
    now = timezone.now()
    return (
        site.root_page.get_descendants(inclusive=True)
        .live()
        .public()
        .exclude(expire_at__lte=now)
        .exclude(go_live_at__gt=now)
        .specific()
        .order_by("path")
    )


def page_urls(page):
    """The page's URL and, for a listing, those of its other routes (``page/2/``, ``topic/x/``)."""
    url = page.url
    if url is None:
        return []
    if not isinstance(page, PaginatedListingMixin):
        return [url]
    return [url + route.path for route in page.routes()]


class WorkerPoolBuild:
    """Builds a view's jobs in batches, in one worker process per core when the database allows.

    Workers are forked, so they share the export's state as it was; each batch returns what the
    parent must merge: new assets to copy, documents, warnings and its SQL query count.
    """

    batch_size = 50
    counts_pages = False  # Whether finished jobs advance the export's progress bar.

    def jobs(self):
        raise NotImplementedError

    def build_job(self, job):
        raise NotImplementedError

    def pages_of(self, job):
        """The pages a job shows, whose relations its batch fetches together (``fetch_for_display``)."""
        return []

    def batches(self):
        jobs = self.jobs()
        return [jobs[start : start + self.batch_size] for start in range(0, len(jobs), self.batch_size)]

    def build_queryset(self):
        batches = self.batches()
        if self.archive.bulk_objects is None:
            self.archive.bulk_objects = load_in_bulk(self.archive.pages)
        self.queries = 0
        # The export's pages and what they show live until it ends: the collector need not look
        # through them again and again (and, in forked workers, need not copy their memory to do so).
        gc.freeze()
        try:
            with known_objects(self.archive.bulk_objects):
                prime_loaded(self.archive.bulk_objects)
                self.build_batches(batches)
        finally:
            gc.unfreeze()

    def build_batches(self, batches):
        workers = min(self.worker_count(), len(batches))  # No process forked for a batch or two.
        if workers == 1:
            self.merge_results(map(self.build_batch, batches))
            return
        global _active_build
        _active_build = self
        connections.close_all()  # Each worker opens its own connection; none may share the parent's.
        with multiprocessing.get_context("fork").Pool(workers, initializer=default_signals) as pool:
            self.merge_results(pool.imap_unordered(_build_batch_in_worker, batches))
        _active_build = None

    def worker_count(self):
        requested = self.archive.options.workers
        if requested:
            return requested
        if connection.in_atomic_block or connection.vendor == "sqlite" and connection.is_in_memory_db():
            return 1  # Other processes could not see uncommitted or in-memory data.
        return os.cpu_count() or 1

    def merge_results(self, results):
        for result in results:
            self.archive.assets.update(result["assets"])
            self.archive.documents |= result["documents"]
            self.archive.warnings += result["warnings"]
            self.archive.file_refs.update(result["file_refs"])
            self.queries += result["queries"]
            self.merge_values(result["values"])
            if self.counts_pages:
                self.archive.progress(result["jobs"])

    def merge_values(self, values):
        """What the batch's jobs returned (``build_job``), other than None, in the parent process."""

    def build_batch(self, batch):
        known_assets, warnings_before = set(self.archive.assets), len(self.archive.warnings)
        # The batch records its files' references apart: a worker's records grow with every batch.
        all_refs, self.archive.file_refs = self.archive.file_refs, {}
        queries, values = [0], []

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(count):
                # Fetched in the worker, so the workers share this work rather than wait for the parent.
                fetch_for_display([page for job in batch for page in self.pages_of(job)])
                for job in batch:
                    value = self.build_job(job)
                    if value is not None:
                        values.append(value)
        finally:
            file_refs, self.archive.file_refs = self.archive.file_refs, all_refs
            # The batch's warnings go back with its result, which merge_results adds: in this process
            # (one worker) they would otherwise be reported twice.
            warnings = self.archive.warnings[warnings_before:]
            del self.archive.warnings[warnings_before:]
        return {
            "jobs": len(batch),
            "assets": {
                path: source for path, source in self.archive.assets.items() if path not in known_assets
            },
            "documents": set(self.archive.documents),
            "warnings": warnings,
            "file_refs": file_refs,
            "queries": queries[0],
            "values": values,
        }


_active_build = None  # The build whose workers were forked.


def _build_batch_in_worker(batch):
    return _active_build.build_batch(batch)


class ArchivePageView(WorkerPoolBuild, AllPublishedPagesView):
    """Writes every exportable page, and each of its sub-routes, as ``<path>/index.html``.

    Pages are served with ``page.serve``, as Wagtail's serve view does once it has found the page,
    minus URL routing, middleware and the serve hooks: the export already holds every page,
    specific and public, and the hooks only check view restrictions (there are none on exported
    pages) and the request method (always GET), so repeating that work per page gains nothing.
    """

    counts_pages = True

    def __init__(self, archive):
        # Stock wagtail-bakery loads the whole middleware stack here; rendering directly needs none.
        self.archive = archive

    def get_queryset(self):
        return self.archive.pages

    def jobs(self):
        index = {page.pk: position for position, page in enumerate(self.archive.pages)}
        return [
            (index[page.pk], url)
            for url, page in self.archive.page_urls.items()
            if page.pk in index and url not in self.archive.kept_urls
        ]

    def build_queryset(self):
        super().build_queryset()
        self.archive.page_queries = self.queries

    def pages_of(self, job):
        return [self.archive.pages[job[0]]]

    def build_job(self, job):
        page_index, url = job
        page = self.archive.pages[page_index]
        response = self.serve(page, url)
        self.archive.write_html(page_file(url), response.content.decode(response.charset or "utf-8"), url)

    def serve(self, page, url):
        what = f"“{page.title}” (page {page.pk}) at {url}"
        request = self.archive.request_for(url)
        try:
            args, kwargs = (), {}
            if isinstance(page, RoutablePageMixin):
                match = page.resolve_subpage("/" + url[len(page.url) :])
                request.routable_resolver_match = match
                args = (match.func, match.args, match.kwargs)
            response = page.serve(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        except Http404:
            raise ExportError(f"Could not export {what}: it answered 404, not 200.") from None
        except Exception as exc:
            raise ExportError(f"Could not export {what}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise ExportError(f"Could not export {what}: it answered {response.status_code}, not 200.")
        return response


class ArchivePagesAPIDetailView(WorkerPoolBuild, PagesAPIDetailView):
    """The API's JSON for each exported page, at ``api/v2/pages/<id>.json``."""

    def __init__(self, archive):
        self.archive = archive
        self.api = ExportedPagesAPI(archive)

    def get_queryset(self):
        return self.archive.pages

    def get_build_path(self, page):
        return f"api/v2/pages/{page.pk}.json"

    def jobs(self):
        return list(range(len(self.archive.pages)))

    def pages_of(self, page_index):
        return [self.archive.pages[page_index]]

    def build_job(self, page_index):
        page = self.archive.pages[page_index]
        self.archive.write_json(self.get_build_path(page), self.api.serialize(page))


class ArchivePagesAPIListingView(WorkerPoolBuild, PagesAPIListingView):
    """The API's page listings, all pages and per type (with every field), in id order, 100 to a file.

    Each file is what ``/api/v2/pages/?order=id[&type=…&fields=*]`` shows at that offset, serialized
    by the API's own listing serializer from the pages the export holds. Only pages in the archive
    are listed, so none can leave a dangling entry.
    """

    results_per_page = 100

    def __init__(self, archive, labels=None, items=None, api=None):
        """``labels``: the listings to write (None: all pages; a model label: that type), default
        every one. ``items(label, pages)``: the listing's items, when not all pages are at hand.
        ``api``: the ExportedPagesAPI serializing them, when another view shares its serializers."""
        self.archive = archive
        pages = sorted(archive.pages, key=lambda page: page.pk)
        if labels is None:
            labels = [None, *sorted({type(page)._meta.label for page in pages})]
        self.listings = {
            label: [page for page in pages if label is None or type(page)._meta.label == label]
            for label in labels
        }
        self.items = items or (lambda label, pages: self.serialize(label, pages))
        self.api = api or ExportedPagesAPI(archive)

    def get_build_path(self, page_num, label=None):
        folder = f"{label}/" if label else ""
        return f"api/v2/pages/listing/{folder}{page_num}.json"

    def build(self):
        self.build_queryset()

    def jobs(self):
        """(label, file number) for every file of every listing; the workers inherit ``listed``."""
        self.listed = {label: self.items(label, pages) for label, pages in self.listings.items()}
        return [
            (label, number)
            for label, items in self.listed.items()
            for number in range(1, self.file_count(items) + 1)
        ]

    def file_count(self, items):
        return max(1, math.ceil(len(items) / self.results_per_page))  # An empty listing has one file.

    def chunk(self, label, number):
        start = (number - 1) * self.results_per_page
        return self.listed[label][start : start + self.results_per_page]

    def pages_of(self, job):
        return [item.page for item in self.chunk(*job) if isinstance(item, ListedPage)]

    def build_job(self, job):
        label, number = job
        self.write_file(
            label, number, [item() if callable(item) else item for item in self.chunk(label, number)]
        )

    def write_file(self, label, number, items):
        """The listing's file ``number``, with its items serialized."""
        total = len(self.listed[label])
        listing = {
            "meta": {"total_count": total, "page": number, "pages": self.file_count(self.listed[label])}
        }
        listing["items"] = items
        self.archive.write_json(self.get_build_path(number, label), listing)

    def serialize(self, label, pages):
        """The listing's items, each serialized when its file is written (in a worker)."""
        return [self.serialize_page(label, page) for page in pages]

    def serialize_page(self, label, page):
        return ListedPage(self, label, page)


@dataclass(frozen=True)
class ListedPage:
    """An item of an API listing, serialized when called."""

    listings: ArchivePagesAPIListingView
    label: str
    page: Page

    def __call__(self):
        return self.listings.api.serialize(self.page, listing=self.label or "")


class ArchivePagesAPIView(WorkerPoolBuild):
    """Every exported page's API document and every listing, each page serialized once.

    A job is one file of a page type's listing (up to 100 pages of that type, in id order). Its worker
    fetches what those pages show at once, writes each page's document and the listing's file, whose
    items take what they share with the document from it, and returns each page's item of the listing
    of all pages, written last. The files are those of ``ArchivePagesAPIDetailView`` and
    ``ArchivePagesAPIListingView``, which an incremental export uses for the few pages it updates.
    """

    batch_size = 1  # A listing's file of 100 pages is a batch.

    def __init__(self, archive):
        self.archive = archive
        self.api = ExportedPagesAPI(archive)
        labels = sorted({type(page)._meta.label for page in archive.pages})
        self.by_type = ArchivePagesAPIListingView(archive, labels, lambda label, pages: pages, self.api)
        self.all_pages = ArchivePagesAPIListingView(archive, [None], self.listed_items, self.api)
        self.all_pages.batch_size = 10  # Its items are small: a few batches would leave a core idle.
        self.items = {}  # page id -> its item of the listing of all pages, from the workers

    def build(self):
        self.build_queryset()

    def jobs(self):
        return self.by_type.jobs()

    def pages_of(self, job):
        return self.by_type.chunk(*job)

    def build_job(self, job):
        label, number = job
        items, listed = [], {}
        for page in self.by_type.chunk(label, number):
            detail = self.api.serialize(page)
            item = self.api.serialize(page, listing=label, detail=detail)
            listed[page.pk] = self.api.serialize(page, listing="", detail=detail)
            path = f"api/v2/pages/{page.pk}.json"
            self.archive.share_json(path, [detail, item])  # Body, quotes…: rewritten and written once.
            self.archive.write_json(path, detail)
            items.append(item)
        self.by_type.write_file(label, number, items)
        return listed

    def merge_values(self, values):
        for listed in values:
            self.items.update(listed)

    def build_batches(self, batches):
        super().build_batches(batches)
        self.all_pages.queries = 0
        self.all_pages.build_batches(self.all_pages.batches())
        self.queries += self.all_pages.queries

    def listed_items(self, label, pages):
        return [self.items[page.pk] for page in pages]
