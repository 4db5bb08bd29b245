"""Freeze the site into a self-contained folder: the archive pipeline behind ``export_archive``.

The archive is built in a temporary folder beside the output and swapped into place only when it
is complete, so a failed or interrupted export leaves the previous archive as it was.
"""

import io
import json
import os
import re
import time
from pathlib import Path
from xml.sax.saxutils import escape

import PIL.Image
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.db.models import Q
from django.test import Client, RequestFactory
from rest_framework.utils.encoders import JSONEncoder as APIJSONEncoder
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.core.privacy import is_public_document, private_collection_ids
from cms.core.reserved import reserved_paths

from .archive.checks import PrivateDocument, check_private, check_private_documents, link_report
from .archive.errors import ExportCancelled, ExportError
from .archive.gates import MissingTool, pages_to_audit, run_gates
from .archive.layout import DOCUMENTS_FOLDER, MEDIA_FOLDER, STATIC_FOLDER, page_file, plural
from .archive.links import LinkRewriter
from .archive.package import Capture, build_package
from .options import ExportOptions
from .search_index import search_stage
from .site_files import (
    FEED_URL,
    HTML_SITEMAP_URL,
    organisation_name,
    write_readme,
    write_redirects,
    write_site_files,
)
from .views import (
    ArchivePagesAPIDetailView,
    ArchivePagesAPIListingView,
    ArchivePageView,
    exportable_pages,
    page_urls,
)

DOCUMENT_URL_RE = re.compile(r"^/documents/(?P<id>\d+)/(?P<filename>[^/]+)$")
SERVER_FORM_RE = re.compile(
    r"<form\b(?![^>]*\bdata-archive-keep\b)[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL
)
UNAVAILABLE_NOTICE = (
    '<p class="archive-unavailable" role="note">This feature needed the live website '
    "and is not available in the archive.</p>"
)

# The archive has no server to send the live site's CSP header, so each page carries it in a <meta>,
# which must come before anything it governs: straight after <meta charset>. A <meta> policy ignores
# these directives (they work only as headers).
CHARSET_META_RE = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
META_CSP_IGNORES = {"frame-ancestors", "report-uri", "report-to", "sandbox"}


def archive_csp():
    """The live site's Content Security Policy as a <meta> element for the archive's pages.

    Pagefind's search runs WebAssembly, which script-src 'self' alone forbids: 'wasm-unsafe-eval'
    allows compiling it (not JavaScript's eval). Directives keep the settings' order, so every
    export writes the same bytes.
    """
    parts = []
    for name, values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items():
        if name in META_CSP_IGNORES or not values:
            continue
        values = [] if values is True else [values] if isinstance(values, str) else list(values)
        if name == "script-src":
            values.append("'wasm-unsafe-eval'")
        parts.append(" ".join([name, *values]))
    policy = escape("; ".join(parts), {chr(34): "&quot;"})
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


class ArchiveBuild:
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
        self.shared_cache = {}
        # Site settings (the closure notice) are the same on every page: fetch them once.
        self.site_settings = [
            model.for_site(site) for model in settings_registry if issubclass(model, BaseSiteSetting)
        ]
        self.options = options or ExportOptions(output=self.build_dir)
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
        self.extra_files = {FEED_URL: FEED_URL.lstrip("/"), "/sitemap.xml": "sitemap.xml"}
        self.extra_files[HTML_SITEMAP_URL] = page_file(HTML_SITEMAP_URL)
        self.assets = {}  # archive path -> storage name or static file path to copy
        self.asset_folders = asset_folders()
        self.documents = set()
        self.warnings = []
        # What each written file's links resolved to: {"pages": ids, "assets": paths, "warnings": [...]}.
        # The export state keeps it, so an incremental export knows who shows a page and which
        # uploads are still used (incremental.py).
        self.file_refs = {}
        self.current_refs = None
        self.written = set()  # Files this process wrote (page workers' files are in file_refs).
        self.external_links = {}  # archive path -> external URLs, from the links stage
        self.title_entries = None  # search/titles.js entries; None: computed from self.pages
        self.kept_urls = set()  # URLs whose files an incremental export keeps from the previous archive
        origins = {site.root_url, f"http://{self.host}"}
        self.rewriter = LinkRewriter(sorted(origins), self.resolve, self.base_url)

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
        request.shared_cache = self.shared_cache  # Menus and breadcrumbs, computed once per export.
        for setting in self.site_settings:
            setattr(request, setting.get_cache_attr_name(), setting)
        return request

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
        if path.startswith(settings.MEDIA_URL):
            return self.resolve_media(path[len(settings.MEDIA_URL) :])
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
            return None  # Documents are reached through their serve URL, which checks privacy.
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
        charset = CHARSET_META_RE.search(html)
        if charset is None:
            raise ExportError(f"The page at {url} has no <meta charset> to put the archive's CSP after.")
        html = html[: charset.end()] + "\n" + archive_csp() + html[charset.end() :]
        html = SERVER_FORM_RE.sub(UNAVAILABLE_NOTICE, html)
        original_url = self.base_url + url
        provenance = (
            f'<meta name="dcterms.created" content="{self.captured_at.isoformat()}">\n'
            f'<meta name="dcterms.source" content="{escape(original_url, {chr(34): "&quot;"})}">\n'
        )
        html = html.replace("</head>", provenance + "</head>", 1)
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
        self.write_text(archive_path, result.text)

    def write_json(self, archive_path, data):
        self.recording(archive_path)
        try:
            data = self.rewrite_json(data)
        finally:
            self.current_refs = None
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, cls=APIJSONEncoder)
        self.write_text(archive_path, text + "\n")

    def rewrite_json(self, value, key=None):
        """API JSON with URLs pointing into the archive (paths from its root) or at the original site."""
        if isinstance(value, dict):
            return {k: self.rewrite_json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.rewrite_json(item) for item in value]
        if not isinstance(value, str):
            return value
        path = self.rewriter.internal_path(value, "") if value.startswith(("/", "http")) else None
        if path is None:
            return value
        if key == "detail_url" and (match := re.match(r"^/api/v2/pages/(\d+)/$", path)):
            if int(match[1]) in self.page_ids:
                self.refer_to_page(int(match[1]))
                return f"api/v2/pages/{match[1]}.json"
        if key != "html_url" and (archive_path := self.resolve(path)):
            return archive_path
        return self.base_url + path if value.startswith("http") else value

    def copy_assets(self):
        """Copy every referenced static and media file; stylesheets get relative url()s too."""
        done = set()
        while pending := sorted(set(self.assets) - done):
            for archive_path in pending:
                kind, source = self.assets[archive_path]
                content = self.read_asset(archive_path, kind, source)
                if archive_path.endswith(".css"):
                    self.recording(archive_path)
                    try:
                        result = self.rewriter.rewrite_stylesheet(content.decode("utf-8"), archive_path)
                    finally:
                        self.current_refs = None
                    if result.problems:
                        raise ExportError(f"{result.problems[0]}: the stylesheet needs it.")
                    content = result.text.encode("utf-8")
                self.write_bytes(archive_path, content)
                done.add(archive_path)

    def read_asset(self, archive_path, kind, source):
        """A static file's or upload's content; an image must decode, or is regenerated if it can be."""
        try:
            if kind == "static":
                content = Path(source).read_bytes()
            else:
                with default_storage.open(source, "rb") as file:
                    content = file.read()
        except OSError as exc:
            raise ExportError(
                f"Could not export {self.describe_asset(archive_path, source)}: its file {source} could "
                f"not be read ({type(exc).__name__}: {exc.strerror or exc}). {self.used_by(archive_path)} "
                "Upload the file again, or remove it from those pages, then export again."
            ) from exc
        if kind == "storage" and is_raster_image(archive_path) and not decodes(content):
            content = self.regenerated_rendition(archive_path, source)
        return content

    def regenerated_rendition(self, archive_path, source):
        """A damaged rendition made again from its original image, or an ExportError naming the image."""
        renditions = get_image_model().get_rendition_model().objects
        rendition = renditions.filter(file=source).select_related("image").first()
        content = None
        if rendition is not None:
            try:
                with rendition.image.generate_rendition_file(rendition.filter) as file:
                    file.seek(0)
                    content = file.read()
            except Exception:  # A damaged or missing original cannot give a rendition.
                content = None
        if content is None or not decodes(content):
            raise ExportError(
                f"Could not export {self.describe_asset(archive_path, source)}: its file {source} is "
                f"damaged (it does not decode as an image). {self.used_by(archive_path)} Upload the "
                "image again, then export again."
            )
        self.warnings.append(
            f"{source}, a rendition of image {rendition.image_id} “{rendition.image.title}”, is damaged "
            "in the media storage; the archive has it made again from the original. The live site still "
            "serves the damaged file: delete it and Wagtail makes it again."
        )
        return content

    def describe_asset(self, archive_path, source):
        if match := re.match(r"^documents/(\d+)/", archive_path):
            document = get_document_model().objects.filter(pk=match[1]).first()
            return f"document {match[1]} “{document.title if document else '?'}”"
        image = get_image_model().objects.filter(Q(file=source) | Q(renditions__file=source)).first()
        if image is not None:
            return f"image {image.pk} “{image.title}” ({archive_path})"
        return archive_path

    def used_by(self, archive_path):
        """Which exported pages use a file (in their HTML or API document), for error messages."""
        pages = {page_file(url): (url, page) for url, page in self.page_urls.items()}
        pages.update({f"api/v2/pages/{page.pk}.json": (page.url, page) for page in self.pages})
        users = sorted(
            {
                f"{describe_page(pages[name][1])} at {pages[name][0]}"
                for name, refs in self.file_refs.items()
                if archive_path in refs["assets"] and name in pages
            }
        )
        if not users:
            return "No exported page uses it directly (a stylesheet or another file does)."
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        return f"It is used by {', '.join(users[:5])}{more}."


def page_url_map(pages):
    """Each URL the archive writes a page at, mapped to its page.

    Stops the export if two pages would be written to one file, or a page to a path the site or the
    archive keeps for itself (``/search/``, ``/sitemap/``…), where the archive's own file would replace it.
    """
    reserved = reserved_paths()
    found, problems = {}, []
    for page in pages:
        for url in page_urls(page):
            name = page_file(url)
            key = name.lower()  # Archives are copied to disks that ignore case, too.
            if key in found and found[key][1] is not page:
                other_url, other = found[key]
                problems.append(
                    f"{describe_page(page)} at {url} and {describe_page(other)} at {other_url} "
                    f"would both be written to {name}"
                )
            found[key] = (url, page)
            if url.strip("/").split("/")[0].lower() in reserved:
                problems.append(
                    f"{describe_page(page)} at {url} takes a path the site keeps for itself, so the "
                    "archive's own file would replace it: give the page another slug"
                )
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise ExportError(f"{plural(len(problems), 'page')} cannot be exported where they are:\n{listed}")
    return dict(found.values())


def describe_page(page):
    return f"“{page.title}” (page {page.pk})"


def check_url_paths(rows):
    """Stop if a page's stored URL path disagrees with its place in the tree (``rows``: id, path,
    depth, slug, url_path of each exported page), as after an import or a script that set it by hand.

    Wagtail serves a page where the tree puts it but links to it by its URL path, so the live site and
    the archive would disagree on where it is, and Wagtail's own command repairs it.
    """
    by_path = {row["path"]: row for row in rows}
    steplen = Page.steplen
    missing = {row["path"][:-steplen] for row in rows if row["depth"] > 1} - by_path.keys()
    parents = Page.objects.filter(path__in=missing).values("path", "url_path")
    by_path.update({parent["path"]: parent for parent in parents})
    problems = []
    for row in sorted(rows, key=lambda row: row["path"]):
        parent = by_path.get(row["path"][:-steplen]) if row["depth"] > 1 else None
        expected = (parent["url_path"] if parent else "/") + row["slug"] + "/"
        if row["url_path"] != expected:
            problems.append(
                f"“{row['title']}” (page {row['id']}) has the URL path {row['url_path']}, "
                f"but its place in the page tree gives {expected}"
            )
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ExportError(
            f"{plural(len(problems), 'page')} would be exported at the wrong address:\n{listed}{more}\n"
            "Run `python manage.py set_url_paths` to set every page's URL path from the tree, "
            "then export again."
        )


RASTER_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".ico"}


def is_raster_image(archive_path):
    return Path(archive_path).suffix.lower() in RASTER_IMAGE_SUFFIXES


def decodes(content):
    """Whether an image file's content decodes whole (a truncated or corrupt file does not)."""
    try:
        with PIL.Image.open(io.BytesIO(content)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, PIL.Image.DecompressionBombError):
        return False
    return True


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
        ("assets", archive.copy_assets),
        ("readme", lambda: write_readme(archive)),
        ("search", search_stage(archive)),
        ("links", lambda: check_archive_links(archive)),
        ("privacy", lambda: check_archive_privacy(archive)),
        ("gates", lambda: check_archive_gates(archive)),
    ]


def package_archive(archive, output):
    """The bag, WACZ and provenance of the finished build (see archive/package.py), timed as a stage."""
    started = time.monotonic()
    capture = Capture(
        base_url=archive.base_url,
        captured_at=archive.captured_at,
        organisation=organisation_name(archive.site),
        contact=archive.options.contact,
        report=archive.report,
    )
    package = build_package(archive.build_dir, output, capture)
    archive.report.stages["package"] = round(time.monotonic() - started, 3)
    return package


def check_archive_links(archive, only=None):
    """Broken internal references in the archive, or in the files of ``only`` (archive paths)."""
    problems, archive.external_links = link_report(archive.build_dir, only)
    archive.report.external_links = sorted({url for urls in archive.external_links.values() for url in urls})
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ExportError(f"{len(problems)} broken internal references in the archive:\n{listed}{more}")


def check_archive_gates(archive, only=None):
    """Leaked markup, vnu and axe (see gates.py); ``gates`` option narrows them, ``skip_gates`` skips.

    ``only``: the files (archive paths) an incremental export wrote; axe audits one page per type of
    them, and not the HTML sitemap: an incremental export runs the same software as the full export
    that audited it, so only page titles in its links can differ (auditing 10,000 links takes seconds).
    """
    names = () if archive.options.skip_gates else archive.options.gates
    if not names:
        archive.warnings.append("Quality gates skipped (--skip-gates): nobody checked this archive.")
        return
    try:
        page_urls = archive.page_urls
        if only is not None:
            page_urls = {url: page for url, page in page_urls.items() if page_file(url) in only}
        pages = pages_to_audit(page_urls, archive.extra_files, archive.build_dir)
        if only is not None:
            pages.remove(archive.extra_files[HTML_SITEMAP_URL])
        problems = run_gates(archive.build_dir, names, pages, only)
    except MissingTool as exc:
        raise ExportError(f"A quality gate cannot run. {exc}") from exc
    if problems:
        listed = "\n".join(f"  [{problem.gate}] {problem}" for problem in problems[:30])
        more = f"\n  … and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise ExportError(f"{len(problems)} quality gate failures in the archive:\n{listed}{more}")


def check_archive_privacy(archive, only=None):
    problems = check_private(archive.build_dir, only)
    problems += check_private_documents(archive.build_dir, private_documents(), only)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise ExportError(f"{len(problems)} signs of private content in the archive:\n{listed}")


def private_documents():
    """Every document in a private collection, as the archive's privacy check looks for it."""
    documents = get_document_model().objects.filter(collection__in=private_collection_ids())
    return [
        PrivateDocument(
            document.pk,
            document.title,
            f"document {document.pk} “{document.title}”, which is private "
            f"(collection “{collection_path(document.collection)}”)",
        )
        for document in documents.select_related("collection").order_by("pk")
    ]


def collection_path(collection):
    """“Board papers › Minutes”: the collection below the root, with those above it."""
    return " › ".join(ancestor.name for ancestor in collection.get_ancestors(inclusive=True)[1:])


def write_api(archive):
    ArchivePagesAPIDetailView(archive=archive).build_queryset()
    ArchivePagesAPIListingView(archive=archive).build()


def count_files(report, archive):
    image_prefix = MEDIA_FOLDER + "images/"
    report.pages = len(archive.page_urls)
    report.documents = len(archive.documents)
    report.images = sum(1 for path in archive.assets if path.startswith(image_prefix))
    report.warnings = list(archive.warnings)
    for root, _dirs, files in os.walk(archive.build_dir):
        for name in files:
            report.files += 1
            report.bytes += os.path.getsize(os.path.join(root, name))
