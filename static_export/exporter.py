"""Freeze the site into a self-contained folder: the archive pipeline behind ``export_archive``.

The archive is built in a temporary folder beside the output and swapped into place only when it
is complete, so a failed or interrupted export leaves the previous archive as it was.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.models import Site

from cms.core.privacy import is_public_document

from . import search_index, site_files
from .api_json import APIJSONWriter
from .archive.errors import ExportCancelled, ExportError
from .archive.files import all_files
from .archive.layout import DOCUMENTS_FOLDER, MEDIA_FOLDER, STATIC_FOLDER, page_file
from .archive.links import LinkRewriter
from .archive.memento import Captures
from .assets import copy_assets
from .html import archived_html
from .inventory import page_url_map
from .options import ExportOptions
from .quality import check_archive_gates, check_archive_links, check_archive_privacy
from .search_index import write_archive_search
from .site_files import (
    organisation_name,
    write_readme,
    write_redirects,
    write_site_files,
)
from .views import (
    ArchivePagesAPIView,
    ArchivePageView,
    exportable_pages,
)

DOCUMENT_URL_RE = re.compile(r"^/documents/(?P<id>\d+)/(?P<filename>[^/]+)$")


class ArchiveBuild(APIJSONWriter):
    """One export in progress: what it exports, how it resolves links, and where it writes (``build_dir``).

    Pages and API documents are served directly by the views; the few other URLs (404, feed, HTML
    sitemap) go through Django's test client and the full request stack.
    """

    def __init__(self, build_dir, site, base_url, captured_at, options=None, pages=None):
        self.build_dir = Path(build_dir)
        self.site = site
        self.base_url = base_url.rstrip("/")
        self.captured_at = captured_at
        self.host = site.hostname if site.port in (80, 443) else f"{site.hostname}:{site.port}"
        self.client = Client(HTTP_HOST=self.host, raise_request_exception=True)
        self.request_factory = RequestFactory(HTTP_HOST=self.host)
        self.site_root_paths = Site.get_site_root_paths()
        # Site settings (the closure notice) are the same on every page: fetch them once.
        self.site_settings = [
            model.for_site(site) for model in settings_registry if issubclass(model, BaseSiteSetting)
        ]
        self.options = options or ExportOptions(output=self.build_dir)
        # What each page says of its capture; the pipeline adds the store's earlier captures.
        self.captures = Captures(organisation_name(site), captured_at)
        self.report = None  # The pipeline's ExportReport.
        self.on_progress = None  # progress(stage, done, total), from the pipeline
        self.cancelled = None  # cancelled() -> bool, asked between batches of pages
        self.pages_done = 0
        # An incremental export passes only the pages it re-renders (see incremental.py).
        self.pages = list(exportable_pages(site)) if pages is None else pages
        self.page_urls = page_url_map(self.pages)
        self.page_ids = {page.pk for page in self.pages}
        self.page_queries = 0
        self.bulk_objects = None  # What the pages show, loaded once by the first stage rendering them.
        self.document_paths = {}  # document id -> archive path, or None when private
        # Files the export's own stages write that pages link to, declared before any stage runs;
        # the redirects stage adds its forwarding pages.
        self.extra_files = {**site_files.OWN_FILES, **search_index.OWN_FILES}
        self.assets = {}  # archive path -> storage name or static file path to copy
        self.asset_folders = asset_folders()
        self.documents = set()
        self.warnings = []
        # What each written file's links resolved to: {"pages": ids, "assets": paths, "warnings": [...]}.
        # The export state keeps it, so an incremental export knows who shows a page and which
        # uploads are still used (incremental.py).
        self.file_refs = {}
        self.current_refs = None
        self.current_json = None  # The API file rewrite_json is rewriting, for its warnings.
        self.written = set()  # Files this process wrote (page workers' files are in file_refs).
        self.external_links = {}  # archive path -> external URLs, from the links stage
        self.title_entries = None  # search/titles.js entries; None: computed from self.pages
        self.kept_urls = set()  # URLs whose files an incremental export keeps from the previous archive
        # An update in place (options.in_place) builds only what changed: the folder it updates, and
        # the files there that stay, which are read where they are (archive/in_place.py).
        self.base_dir = None
        self.kept_files = set()
        self.changed_types = None  # An incremental export's: the model labels of the pages that changed.
        origins = {site.root_url, f"http://{self.host}"}
        # Uploads are named by /media/… URLs with local storage, but by absolute URLs with S3 (the
        # bucket's, or its custom domain's): those stand for /media/… too, so they are copied and
        # linked relatively, and the link check names any left (see storage_base_url).
        self.media_path = media_path()
        self.media_urls = [url for url in [storage_base_url()] if url]
        self.rewriter = LinkRewriter(
            sorted(origins), self.resolve, self.base_url, dict.fromkeys(self.media_urls, self.media_path)
        )

    def progress(self, count=1):
        """``count`` more pages written; stops the export here if it was cancelled."""
        self.pages_done += count
        if self.on_progress:
            self.on_progress("pages", self.pages_done, len(self.page_urls))
        if self.cancelled and self.cancelled():
            raise ExportCancelled("The export was cancelled while it wrote the pages.")

    def request_for(self, url):
        """A GET request for a page, carrying the site lookups every page would otherwise repeat."""
        request = self.request_factory.get(url)
        request.user, request.session = AnonymousUser(), {}  # An anonymous visitor with no session.
        request._wagtail_site = self.site
        request._wagtail_cached_site_root_paths = self.site_root_paths
        for setting in self.site_settings:
            setattr(request, setting.get_cache_attr_name(), setting)
        return request

    def has_file(self, archive_path):
        """Whether the finished archive holds ``archive_path``: built, or kept where it is."""
        return archive_path in self.kept_files or (self.build_dir / archive_path).exists()

    def present_files(self):
        """Every file of the finished archive, as archive paths: those built and those kept."""
        return self.kept_files | set(all_files(self.build_dir))

    # Fetching and resolving

    def fetch(self, url, expected_status, page=None):
        what = f"“{page.title}” (page {page.pk}) at {url}" if page else url
        try:
            response = self.client.get(url)
        except Exception as exc:
            raise ExportError(f"Could not export {what}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != expected_status:
            raise ExportError(
                f"Could not export {what}: it answered {response.status_code}, not {expected_status}."
            )
        return response

    def resolve(self, path):
        """The archive file answering a root-absolute URL path, or None if the archive has none."""
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        if path in self.page_urls:
            self.refer_to_page(self.page_urls[path].pk)
            return page_file(path)
        found = self.resolve_file(path)
        if found and self.current_refs is not None and found.startswith(self.asset_folders):
            self.current_refs["assets"].add(found)
        return found

    def resolve_file(self, path):
        if path in self.extra_files:
            return self.extra_files[path]
        if path.startswith(settings.STATIC_URL):
            return self.resolve_static(path[len(settings.STATIC_URL) :])
        if path.startswith(self.media_path):
            return self.resolve_media(path[len(self.media_path) :])
        if match := DOCUMENT_URL_RE.match(path):
            return self.resolve_document(int(match["id"]), match["filename"])
        return None

    def resolve_static(self, name):
        archive_path = STATIC_FOLDER + name
        if name.startswith(("wagtailadmin/", "admin/")):
            return None  # The admin's files never belong in an archive.
        if archive_path not in self.assets:
            source = finders.find(name) or (Path(settings.STATIC_ROOT) / name)
            if not Path(source).is_file():
                return None
            self.assets[archive_path] = ("static", str(source))
        return archive_path

    def resolve_media(self, name):
        if name.startswith("documents/"):
            return self.resolve_document_file(name)
        archive_path = MEDIA_FOLDER + name
        if archive_path not in self.assets:
            if not default_storage.exists(name):
                return None
            self.assets[archive_path] = ("storage", name)
        return archive_path

    def resolve_document(self, document_id, filename):
        key = (document_id, filename)
        if key not in self.document_paths:
            self.document_paths[key] = self.public_document_path(document_id, filename)
        return self.document_paths[key]

    def resolve_document_file(self, name):
        """A document named by its file's own URL (WAGTAILDOCS_SERVE_METHOD = "direct", or a link
        pasted from the bucket): its archive path, documents/<id>/<filename> as through its serve
        URL, or None for a file that is no document's or a private document's."""
        key = ("file", name)
        if key not in self.document_paths:
            document = get_document_model().objects.filter(file=name).order_by("pk").first()
            self.document_paths[key] = (
                self.resolve_document(document.pk, document.filename) if document else None
            )
        return self.document_paths[key]

    def public_document_path(self, document_id, filename):
        document = get_document_model().objects.filter(pk=document_id).first()
        if document is None or document.filename != filename or not is_public_document(document):
            return None  # A private document is never copied, and links to it are removed.
        archive_path = f"documents/{document_id}/{filename}"
        self.assets[archive_path] = ("storage", document.file.name)
        self.documents.add(document_id)
        return archive_path

    # Writing

    def refer_to_page(self, page_id):
        if self.current_refs is not None:
            self.current_refs["pages"].add(page_id)

    def recording(self, archive_path):
        """Start recording what ``archive_path``'s links resolve to (see ``file_refs``)."""
        self.current_refs = self.file_refs.setdefault(
            archive_path, {"pages": set(), "assets": set(), "warnings": []}
        )
        return self.current_refs

    def path_for(self, archive_path):
        target = self.build_dir / archive_path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_bytes(self, archive_path, content):
        target = self.path_for(archive_path)
        # An incremental export fills the build with hard links to the previous archive's files:
        # writing into one would change the previous archive too, so a file is replaced, never rewritten.
        target.unlink(missing_ok=True)
        target.write_bytes(content)
        self.written.add(archive_path)

    def write_text(self, archive_path, text):
        self.write_bytes(archive_path, text.encode("utf-8"))

    def write_html(self, archive_path, html, url):
        html = archived_html(html, url, self.base_url + url, self.captured_at, (self.captures, archive_path))
        refs = self.recording(archive_path)
        try:
            result = self.rewriter.rewrite_html(html, archive_path)
        finally:
            self.current_refs = None
        for problem in result.problems:
            if problem.fatal:
                raise ExportError(
                    f"{problem}: the page at {url} needs it, so the archive would be incomplete."
                )
            refs["warnings"].append(f"{problem}; the link on {url} was removed.")
            self.warnings.append(refs["warnings"][-1])
        self.write_text(archive_path, self.captures.settle(archive_path, result.text))


def media_path():
    """The root-absolute URL path of uploads on the site: MEDIA_URL's path (``/media/``)."""
    return urlsplit(settings.MEDIA_URL).path or "/media/"


STORAGE_URL_PROBE = "archive-export-probe"


def storage_base_url():
    """The absolute URL the media storage puts before a file's name, or None when its URLs are on
    the site itself (``/media/…``, local storage).

    With S3 that is the bucket's URL (or its custom domain's) with the storage's location:
    ``https://bucket.s3.amazonaws.com/media/``. Asked of the storage as it names a file, so it is
    right whatever the endpoint, domain, addressing style or location; no request is made.
    """
    url = default_storage.url(STORAGE_URL_PROBE)
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    if not base.endswith("/" + STORAGE_URL_PROBE):
        return None  # A storage whose URLs do not end with the name (hashed, say): cannot map them.
    return base[: -len(STORAGE_URL_PROBE)]


def asset_folders():
    """The archive's folders of copied static files and uploads."""
    return (STATIC_FOLDER, MEDIA_FOLDER, DOCUMENTS_FOLDER)


def build_stages(archive):
    """The export's stages, in order, as (name, callable). All run inside the temporary folder.

    Stages that index or check the finished folder (search index, quality gates) go after
    "assets"; an ExportError from any stage fails the export and keeps the previous archive.
    """
    return [
        ("pages", lambda: ArchivePageView(archive=archive).build_queryset()),
        ("site files", lambda: write_site_files(archive)),
        ("redirects", lambda: write_redirects(archive)),
        ("api", lambda: write_api(archive)),
        ("assets", lambda: copy_assets(archive)),
        ("readme", lambda: write_readme(archive)),
        ("search", lambda: write_archive_search(archive)),
        ("links", lambda: check_archive_links(archive)),
        ("privacy", lambda: check_archive_privacy(archive)),
        ("gates", lambda: check_archive_gates(archive)),
    ]


def write_api(archive):
    ArchivePagesAPIView(archive).build()


def count_files(report, archive):
    image_prefix = MEDIA_FOLDER + "images/"
    report.pages = len(archive.page_urls)
    report.documents = len(archive.documents)
    report.images = sum(1 for path in archive.assets if path.startswith(image_prefix))
    report.warnings = list(archive.warnings)
    for name in archive.present_files():
        root = archive.base_dir if name in archive.kept_files else archive.build_dir
        report.files += 1
        report.bytes += os.path.getsize(os.path.join(root, name))
