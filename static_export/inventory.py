"""The page inventory of an export: which pages it writes, at which URLs and files, and the checks that
stop it before anything is written when two pages would share a file, a page would take a path the
site keeps for itself, or a page's URL path disagrees with the tree."""

from wagtail.models import Page

from cms.core.reserved import reserved_paths

from .archive.errors import ExportError
from .archive.layout import page_file, plural
from .views import page_urls


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
