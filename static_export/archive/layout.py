"""What an archive is on disk: where each URL's file lives, what a folder must hold to be one, the
types its files are served with, page titles, and how its names are shown in reports.

Nothing here needs Django, so the tools that read an archive years later share these facts with
the export that wrote it.
"""

import functools
import html
import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import quote

# Characters that could end a report line, forge another or reorder it on screen: the backslash
# (so escapes stay unambiguous), C0 and C1 controls with DEL, the Unicode line and paragraph
# separators, the bidirectional controls, and the lone surrogates that stand for undecodable bytes.
UNPRINTABLE_RE = re.compile(
    r"[\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
SHORT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text):
    """``text`` safe to show on one report line, with the characters above escaped as Python writes them.

    File names, URLs and titles come from the archive, which may be hostile: escaped, a name cannot
    forge report lines. Other letters (é, ü, Ευεξία) are left as they are.
    """
    return UNPRINTABLE_RE.sub(escape_character, text)


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def escape_character(match):
    character = match[0]
    if character in SHORT_ESCAPES:
        return SHORT_ESCAPES[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# The archive's own folders of copied files: static files, uploaded images and documents.
STATIC_FOLDER = "static/"
MEDIA_FOLDER = "media/"
DOCUMENTS_FOLDER = "documents/"
UPLOAD_FOLDERS = (MEDIA_FOLDER, DOCUMENTS_FOLDER)


@functools.cache  # Pure, and asked for each link on every page.
def page_file(url_path):
    """The archive file that answers a page URL: ``/news/`` → ``news/index.html``."""
    return posixpath.join(url_path.strip("/"), "index.html") if url_path.strip("/") else "index.html"


def live_url(base_url, name):
    """The original URL of an archive file: pages at their folder URL, everything else at its path."""
    if name == "index.html" or name.endswith("/index.html"):
        name = name[: -len("index.html")]
    return f"{base_url}/{quote(name, safe='/')}"


def is_archive(folder):
    """Whether ``folder`` holds an archive: every archive has a home page and a sitemap at its root."""
    folder = Path(folder)
    return (folder / "index.html").is_file() and (folder / "sitemap.xml").is_file()


def package_paths(output):
    """Where the package of the archive folder ``output`` lives: beside it, named after it."""
    output = Path(output)
    return {
        "bag": output.with_name(output.name + ".bag"),
        "wacz": output.with_name(output.name + ".wacz"),
        "provenance": output.with_name(output.name + ".premis.xml"),
    }


TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def page_title(text):
    """A page's title as a reader sees it: entities decoded, white space collapsed."""
    match = TITLE_RE.search(text)
    return " ".join(html.unescape(match[1]).split()) if match else ""


# Types mimetypes does not know, or gets wrong for a static host or a web archive.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    ".wacz": "application/wacz",
    ".warc": "application/warc",
    ".gz": "application/gzip",
    ".link": "application/link-format",
}
NAMED_CONTENT_TYPES = {"_redirects": "text/plain; charset=utf-8", "_headers": "text/plain; charset=utf-8"}


def content_type(path):
    """The type an archive file is served with (by a static host, or in the WACZ's records)."""
    name = Path(path).name
    if name in NAMED_CONTENT_TYPES:
        return NAMED_CONTENT_TYPES[name]
    suffix = Path(path).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"
