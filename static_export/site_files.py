"""The files every archive has besides its pages: the 404 page, the feed, both sitemaps, robots.txt,
the README, and the redirects (a forwarding page each, and ``_redirects`` for static hosts)."""

import logging
import re
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.test import override_settings
from wagtail.contrib.redirects.models import Redirect

from cms.core.models import ClosureNotice
from cms.core.reserved import reserved_paths

from .archive.layout import page_file, printable

FEED_URL = "/feeds/news.xml"
HTML_SITEMAP_URL = "/sitemap/"
NOT_FOUND_PROBE_URL = "/this-address-is-not-in-the-archive/"
# The files this stage writes that pages link to, declared before any stage runs: URL -> archive file.
OWN_FILES = {
    FEED_URL: FEED_URL.lstrip("/"),
    "/sitemap.xml": "sitemap.xml",
    HTML_SITEMAP_URL: page_file(HTML_SITEMAP_URL),
}


def write_site_files(archive):
    """The files every archive has besides its pages: 404, feed, sitemaps, robots.txt."""
    request_logger = logging.getLogger("django.request")
    level, request_logger.level = request_logger.level, logging.ERROR  # The 404 is expected here.
    try:
        # DEBUG would answer with Django's technical 404 page, which lists the site's URL patterns.
        with override_settings(DEBUG=False):
            not_found = archive.fetch(NOT_FOUND_PROBE_URL, expected_status=404)
    finally:
        request_logger.level = level
    archive.write_html("404.html", not_found.content.decode("utf-8"), "/404.html")
    sitemap_page = archive.fetch(HTML_SITEMAP_URL, expected_status=200)
    archive.write_html(page_file(HTML_SITEMAP_URL), sitemap_page.content.decode("utf-8"), HTML_SITEMAP_URL)
    feed = archive.fetch(FEED_URL, expected_status=200)
    archive.write_text(FEED_URL.lstrip("/"), archive.rewriter.to_base_url(feed.content.decode("utf-8")))
    archive.write_text("sitemap.xml", render_sitemap(archive))
    archive.write_text("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {archive.base_url}/sitemap.xml\n")


def render_sitemap(archive):
    """sitemap.xml of every exported page and sub-route, with absolute URLs under the base URL."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, page in sorted(archive.page_urls.items()):
        lines.append(f"  <url><loc>{escape(archive.base_url + url)}</loc>")
        if page.last_published_at:
            lines.append(f"    <lastmod>{page.last_published_at.date().isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def write_redirects(archive):
    """Each Wagtail redirect as a page that forwards, plus a ``_redirects`` file for static hosts."""
    redirects = (
        Redirect.objects.filter(Q(site=archive.site) | Q(site__isnull=True))
        .select_related("redirect_page")
        .order_by("old_path")
    )
    rules = []
    for redirect in redirects:
        old_path = redirect.old_path
        old_url = old_path.rstrip("/") + "/"
        if old_url in archive.page_urls:
            continue  # A page answers there, so the live site never used this redirect either.
        target = redirect.link
        if not target:
            continue
        if problem := redirect_problem(old_path, target):
            archive.warnings.append(f"Redirect {redirect.pk} from {printable(old_path)} skipped: {problem}.")
            continue
        problems = []
        relative_target = archive.rewriter.relative_url(target, page_file(old_url), problems, fatal=True)
        if problems:
            archive.warnings.append(
                f"Redirect {redirect.pk} from {old_path} skipped: its target {target} is not in the archive."
            )
            continue
        html = render_to_string(
            "static_export/redirect.html", {"target": relative_target, "old_path": old_path}
        )
        archive.write_html(page_file(old_url), html, old_url)
        archive.extra_files[old_url] = page_file(old_url)
        rules.append(f"{old_path} {target} {301 if redirect.is_permanent else 302}")
    archive.write_text("_redirects", "".join(f"{rule}\n" for rule in rules))


# An old path the archive can hold as folders and a static host can match: segments of letters, digits
# and the few punctuation marks paths use, never "." or "..".
REDIRECT_PATH_RE = re.compile(r"(?:/[\w.~!$'()*+,=@-]+)+/?")
DOT_SEGMENT_RE = re.compile(r"/\.{1,2}(?:/|$)")


def redirect_problem(old_path, target):
    """Why a redirect cannot be exported (an old path that is not a plain path, or one the archive
    keeps for itself; a target that is neither an http(s) URL nor a path on this site), or None."""
    if "?" in old_path:
        return "a static archive cannot match query strings"
    if not REDIRECT_PATH_RE.fullmatch(old_path) or DOT_SEGMENT_RE.search(old_path):
        return (
            "its old path is not a plain URL path (letters, digits and - . _ ~ ! $ ' ( ) * + , = @ "
            "between slashes; no spaces, control characters or “..”)"
        )
    if old_path.strip("/").split("/")[0].lower() in reserved_paths():
        return "its old path is kept for the site's and the archive's own files"
    parts = urlsplit(target)
    plain = target.isprintable() and not any(character.isspace() for character in target)
    absolute = parts.scheme in ("http", "https") and parts.netloc
    on_this_site = not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target
    if not (plain and (absolute or on_this_site)):
        return f"its target {printable(target)} is neither an http(s) URL nor a path on this site"
    return None


def organisation_name(site):
    return ClosureNotice.for_site(site).organisation_name or site.site_name or settings.WAGTAIL_SITE_NAME


def write_readme(archive):
    """README.txt at the archive's root: what it is, when it was captured, how to browse and verify it."""
    context = {
        "organisation": organisation_name(archive.site),
        "base_url": archive.base_url,
        "captured_at": archive.captured_at.isoformat(),
    }
    archive.write_text("README.txt", render_to_string("static_export/README.txt", context))
