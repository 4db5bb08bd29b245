"""The archive's search: a Pagefind index of the exported pages, and the page that searches it.

Pagefind indexes only the part of each page marked ``data-pagefind-body`` (``<main>`` of the page
types in ``search.content``), with "type" and "year" filters. A browser fetches just the index
chunks a query needs, so search stays quick however large the archive. Pagefind needs a web server
(it loads WebAssembly), so for an archive opened from disk the search page falls back to the titles
and summaries in ``search/titles.js``.
"""

import json
from pathlib import Path

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.dateformat import format as format_date

from search.content import SEARCH_TYPES, search_date, search_type

from .archive.errors import ExportError
from .archive.layout import page_file
from .archive.pagefind import index_run, write_pagefind_index
from .quality import record

SEARCH_URL = "/search/"  # where the header search box sends people, on the live site and here
SEARCH_PAGE = page_file(SEARCH_URL)
SEARCH_SCRIPT = "search/archive-search.js"
TITLES = "search/titles.js"
# Files the search page refers to, which the link rewriter must be able to resolve.
PAGE_FILES = [SEARCH_SCRIPT, TITLES]


# The files this stage writes that others link to (the header's search box on every page), declared
# before any stage runs: URL -> archive file.
OWN_FILES = {SEARCH_URL: SEARCH_PAGE, **{"/" + name: name for name in PAGE_FILES}}


def write_archive_search(archive, pagefind=True):
    """The search page, its script and the titles for archives opened from disk; then, unless
    ``pagefind`` is False, the Pagefind index of every page. (The search page is written first, so
    Pagefind sees the same pages here as when ``reindex_search`` indexes a live copy.)"""
    archive.write_bytes(SEARCH_SCRIPT, (Path(__file__).parent / "archive_search.js").read_bytes())
    entries = archive.title_entries
    if entries is None:
        entries = [title_entry(page) for page in archive.pages]
    archive.write_text(TITLES, titles_script(entries))
    request = RequestFactory(HTTP_HOST=archive.host).get(SEARCH_URL)
    html = render_to_string("static_export/archive_search.html", filter_choices(entries), request=request)
    archive.write_html(SEARCH_PAGE, html, SEARCH_URL)
    if pagefind:
        try:
            write_pagefind_index(archive.build_dir)
        except Exception as exc:
            raise ExportError(f"Could not build the search index with Pagefind: {exc}") from exc
        record(archive, index_run(archive.build_dir))


def filter_choices(entries):
    """The search page's choices of type and year: those of the pages in ``entries`` (``title_entry``),
    types in search's own order, the latest year first."""
    entries = [entry for entry in entries if entry]
    types = {entry["type"] for entry in entries}
    years = {entry["date"].rsplit(" ", 1)[-1] for entry in entries if entry["date"]}
    return {
        "search_types": [kind.label for kind in SEARCH_TYPES if kind.label in types],
        "search_years": sorted(years, key=int, reverse=True),
    }


def title_entry(page):
    """A specific page's entry in the small index for archives opened from disk, or None."""
    kind = search_type(page)
    if kind is None:
        return None
    date = search_date(page)
    return {
        "title": page.title,
        "summary": page.summary,
        "type": kind.label,
        "date": format_date(date, "j F Y") if date else "",
        "url": page_file(page.url),
    }


def titles_script(entries):
    """The small index for archives opened from disk: title, summary, type and date of each page
    (``title_entry``, in the order of the pages; None for pages search leaves out)."""
    data = json.dumps([entry for entry in entries if entry], ensure_ascii=False, indent=0, sort_keys=True)
    return f"window.ARCHIVE_SEARCH_TITLES = {data};\n"
