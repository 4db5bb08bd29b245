"""The top-level paths the site and its archive own, which no page may take.

The live site's own views answer at their paths before Wagtail's pages do (cms/urls.py), and the
archive writes its own files and folders beside the pages: a page slugged ``search`` or ``sitemap``
under the home page would be hidden on the live site and overwritten in the archive.
"""

from django.conf import settings
from django.urls import get_resolver

# What the archive writes at its top level besides the live site's paths (static_export): Pagefind's
# index, the redirects file for static hosts, the README, the 404 page and robots.txt. A test checks
# that an export writes nothing else at its top level but pages and these.
ARCHIVE_PATHS = {"pagefind", "_redirects", "readme.txt", "404.html", "robots.txt"}


def reserved_paths():
    """The first path segments (lower case) that belong to the site's own views, files or archive."""
    names = set(ARCHIVE_PATHS)
    for pattern in get_resolver().url_patterns:
        names.add(str(pattern.pattern).lstrip("^").split("/")[0].lower())
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        names.add(url.strip("/").split("/")[0].lower())
    names.discard("")  # Wagtail's page serving, which takes every other path.
    return names


def reserved_slug_error(slug, parent):
    """Why ``slug`` cannot be used under ``parent``, or None: under a site's root page it would take
    one of the paths above."""
    if not slug or parent is None or slug.lower() not in reserved_paths() or not parent.is_site_root():
        return None
    return (
        f"The slug “{slug}” is kept for the site itself: /{slug}/ is one of its own addresses, on the "
        f"live site and in the archive. Choose another, such as “{slug}-page”."
    )
