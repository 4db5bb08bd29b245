"""The archive's search: a Pagefind index of the exported pages, and the page that searches it.

Pagefind indexes only the part of each page marked ``data-pagefind-body`` (``<main>`` of the page
types in ``search.content``), with "type" and "year" filters. A browser fetches just the index
chunks a query needs, so search stays quick however large the archive. Pagefind needs a web server
(it loads WebAssembly), so for an archive opened from disk the search page falls back to the titles
and summaries in ``search/titles.js``.
"""

import gzip
import hashlib
import json
import subprocess
from pathlib import Path

import cbor2
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.dateformat import format as format_date
from pagefind.service import get_executable

from search.content import search_date, search_type

from .errors import ExportError
from .views import page_file

SEARCH_URL = "/search/"  # where the header search box sends people, on the live site and here
SEARCH_PAGE = page_file(SEARCH_URL)
SEARCH_SCRIPT = "search/archive-search.js"
TITLES = "search/titles.js"
PAGEFIND_DIR = "pagefind"
# Files the search page refers to, which the link rewriter must be able to resolve.
PAGE_FILES = [f"{PAGEFIND_DIR}/pagefind-ui.js", f"{PAGEFIND_DIR}/pagefind-ui.css", SEARCH_SCRIPT, TITLES]


def search_stage(archive):
    """The "search" export stage. Registers the search page's path at once, because the header
    search box on every page, written by the earlier "pages" stage, links to it."""
    archive.extra_files[SEARCH_URL] = SEARCH_PAGE
    return lambda: write_archive_search(archive)


def write_archive_search(archive):
    try:
        write_pagefind_index(archive.build_dir)
    except Exception as exc:
        raise ExportError(f"Could not build the search index with Pagefind: {exc}") from exc
    for archive_path in PAGE_FILES:
        archive.extra_files["/" + archive_path] = archive_path
    archive.write_bytes(SEARCH_SCRIPT, (Path(__file__).parent / "archive_search.js").read_bytes())
    entries = archive.title_entries
    if entries is None:
        entries = [title_entry(page) for page in archive.pages]
    archive.write_text(TITLES, titles_script(entries))
    request = RequestFactory(HTTP_HOST=archive.host).get(SEARCH_URL)
    html = render_to_string("static_export/archive_search.html", request=request)
    archive.write_html(SEARCH_PAGE, html, SEARCH_URL)


def write_pagefind_index(build_dir):
    """Pagefind's command line over the build folder. (Its Python API talks to the same binary over
    a pipe that also carries the binary's log lines, and now and then failed to decode a reply.)"""
    output = Path(build_dir) / PAGEFIND_DIR
    command = [str(get_executable()), "--site", str(build_dir), "--output-path", str(output)]
    command += ["--force-language", "en", "--keep-index-url", "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError((result.stderr or result.stdout).strip() or f"exit status {result.returncode}")
    make_filters_reproducible(output)


def make_filters_reproducible(pagefind_dir):
    """Put Pagefind's filter indexes in a fixed order, so the same pages give the same bytes.

    Pagefind 1.5 writes filter values, and the list of filters in its metadata file, in hash-map
    order, which changes from run to run (Pagefind issue #638); everything else it writes is stable.
    Its files are gzipped CBOR after a signature and named after a hash of their content; readers
    load each filter into a map, so sorting changes nothing for them. We sort, then rename each file
    after a hash of its new content and update the references to it.
    """
    renamed = {}
    for path in sorted((pagefind_dir / "filter").glob("*.pf_filter")):
        name, values = read_pagefind_file(path)
        renamed[path.stem] = write_pagefind_file(path, [name, sorted(values)], hash_length=7)

    entry_path = pagefind_dir / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = pagefind_dir / f"pagefind.{language['hash']}.pf_meta"
        meta = read_pagefind_file(meta_path)
        # [version, pages, index chunks, filters as [name, file hash], sorts, meta fields]
        meta[3] = sorted([name, renamed[file_hash]] for name, file_hash in meta[3])
        language["hash"] = write_pagefind_file(meta_path, meta, hash_length=10, prefix="pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


PAGEFIND_SIGNATURE = b"pagefind_dcd"


def read_pagefind_file(path):
    content = gzip.decompress(path.read_bytes())
    if not content.startswith(PAGEFIND_SIGNATURE):
        raise ValueError(f"{path.name} is not in the Pagefind format this export knows.")
    return cbor2.loads(content[len(PAGEFIND_SIGNATURE) :])


def write_pagefind_file(path, data, hash_length, prefix=""):
    """Rewrite ``path`` (``<prefix><language>_<hash>.<ext>``) with ``data``; returns its new stem hash."""
    content = PAGEFIND_SIGNATURE + cbor2.dumps(data)
    language = path.name.removeprefix(prefix).split("_", 1)[0]
    new_hash = f"{language}_{hashlib.sha256(content).hexdigest()[:hash_length]}"
    path.unlink()
    path.with_name(f"{prefix}{new_hash}{path.suffix}").write_bytes(gzip.compress(content, mtime=0))
    return new_hash


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
