"""wagtail-bakery's views, made fit for an archive.

Stock wagtail-bakery writes whatever a page answers (404 and 500 pages included), builds only the
page itself (no pagination or other sub-routes), leaves root-absolute links, and its API views ask
for pages the API will not show. These subclasses render through the real request stack, stop on
anything but a 200, write every sub-route, and hand each file to the build to make links relative.
"""

import json
import posixpath

from django.utils import timezone
from wagtailbakery.api_views import PagesAPIDetailView, PagesAPIListingView
from wagtailbakery.views import AllPublishedPagesView


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


def page_file(url_path):
    """The archive file that answers a page URL: ``/news/`` → ``news/index.html``."""
    return posixpath.join(url_path.strip("/"), "index.html") if url_path.strip("/") else "index.html"


class ArchivePageView(AllPublishedPagesView):
    """Writes every exportable page, and each of its sub-routes, as ``<path>/index.html``."""

    archive = None  # The ArchiveBuild this view writes into; passed to the constructor.

    def get_queryset(self):
        return self.archive.pages

    def get_urls(self, page):
        url = page.url
        if url is None:
            return []
        return [url] + [url + route for route in getattr(page, "archive_routes", list)()]

    def build_queryset(self):
        for page in self.archive.pages:
            for url in self.get_urls(page):
                self.build_object_at(page, url)

    def build_object_at(self, page, url):
        response = self.archive.fetch(url, expected_status=200, page=page)
        self.archive.write_html(page_file(url), response.content.decode(response.charset or "utf-8"), url)
        self.archive.progress()


class ArchivePagesAPIDetailView(PagesAPIDetailView):
    """The API's JSON for each exported page, at ``api/v2/pages/<id>.json``."""

    def __init__(self, archive):
        self.archive = archive

    def get_queryset(self):
        return self.archive.pages

    def get_build_path(self, page):
        return f"api/v2/pages/{page.pk}.json"

    def build_queryset(self):
        for page in self.get_queryset():
            response = self.archive.fetch(f"/api/v2/pages/{page.pk}/", expected_status=200, page=page)
            self.archive.write_json(self.get_build_path(page), json.loads(response.content))


class ArchivePagesAPIListingView(PagesAPIListingView):
    """The API's page listings, all pages and per type, 100 to a file.

    Only pages in the archive are listed, so a page the API would show but the archive leaves out
    (one past its expiry date that has not been unpublished yet) cannot leave a dangling entry.
    """

    results_per_page = 100

    def __init__(self, archive):
        self.archive = archive

    def get_build_path(self, page_num, model=None):
        folder = f"{model._meta.app_label}.{model.__name__}/" if model else ""
        return f"api/v2/pages/listing/{folder}{page_num}.json"

    def build(self):
        exported_ids = {page.pk for page in self.archive.pages}
        models = sorted({type(page) for page in self.archive.pages}, key=lambda m: m._meta.label)
        for model in [None, *models]:
            query = f"&type={model._meta.label}&fields=*" if model else ""
            items = []
            offset = 0
            while True:
                url = f"/api/v2/pages/?limit={self.results_per_page}&offset={offset}&order=id{query}"
                data = json.loads(self.archive.fetch(url, expected_status=200).content)
                items += [item for item in data["items"] if item["id"] in exported_ids]
                offset += self.results_per_page
                if offset >= data["meta"]["total_count"]:
                    break
            chunks = [
                items[i : i + self.results_per_page] for i in range(0, len(items), self.results_per_page)
            ]
            for number, chunk in enumerate(chunks or [[]], start=1):
                listing = {"meta": {"total_count": len(items), "page": number, "pages": len(chunks) or 1}}
                listing["items"] = chunk
                self.archive.write_json(self.get_build_path(number, model), listing)
