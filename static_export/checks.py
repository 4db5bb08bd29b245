"""Checks that need only the archive folder, so they run at export time and years later alike."""

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .links import CSS_URL_RE, REL_CANONICAL_RE, STYLE_ATTR_RE, STYLE_BLOCK_RE, TAG_RE, URL_ATTR_RE


@dataclass(frozen=True)
class BrokenReference:
    file: str
    url: str
    reason: str

    def __str__(self):
        return f"{self.file}: {self.url} {self.reason}"


def archive_files(archive_dir, suffixes):
    root = Path(archive_dir)
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.suffix in suffixes)


def only_files(names, suffixes):
    return sorted(name for name in names if Path(name).suffix in suffixes)


def references(text, is_css=False):
    """Every URL an HTML or CSS text refers to: links, sources, srcsets and CSS url()s.

    Canonical links and <meta> values are left out: they name the original live site on purpose.
    """
    if is_css:
        return [match["value"] for match in CSS_URL_RE.finditer(text)]
    urls = []
    for tag in TAG_RE.finditer(text):
        name, attrs = tag["name"].lower(), tag["attrs"]
        if name == "meta" or (name == "link" and REL_CANONICAL_RE.search(attrs)):
            continue
        for attr in URL_ATTR_RE.finditer(attrs):
            if attr["name"].lower() == "srcset":
                urls += [candidate.split()[0] for candidate in attr["value"].split(",") if candidate.strip()]
            else:
                urls.append(attr["value"])
        for style in STYLE_ATTR_RE.finditer(attrs):
            urls += references(style["value"], is_css=True)
    for block in STYLE_BLOCK_RE.finditer(text):
        urls += references(block[2], is_css=True)
    return urls


def is_external(url):
    parts = urlsplit(url.strip())
    return bool(parts.scheme or parts.netloc)


def check_links(archive_dir, only=None):
    """Internal references that are root-absolute or do not open a file in the archive.

    ``only``: check the links in these files (archive paths) alone, e.g. those an incremental export wrote.
    """
    root = Path(archive_dir)
    problems = []
    names = archive_files(root, {".html", ".css"}) if only is None else only_files(only, {".html", ".css"})
    for name in names:
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        for url in references(text, is_css=name.endswith(".css")):
            url = url.strip()
            path = unquote(urlsplit(url).path)
            if is_external(url) or not path:
                continue  # External, a fragment on the same page, or empty.
            if path.startswith("/"):
                problems.append(BrokenReference(name, url, "is root-absolute, so it breaks under a sub-path"))
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
            if path.endswith("/"):
                target = posixpath.join(target, "index.html")
            if target.startswith("../") or not (root / target).is_file():
                problems.append(BrokenReference(name, url, "does not resolve to a file in the archive"))
    return problems


def external_links(archive_dir):
    """Every external URL the archive's pages link to, sorted; listed in reports, never fetched."""
    return sorted({url for urls in external_links_by_file(archive_dir).values() for url in urls})


def external_links_by_file(archive_dir, only=None):
    """The external URLs of each HTML file (or of the files in ``only``), as {archive path: sorted URLs}."""
    root = Path(archive_dir)
    found = {}
    for name in archive_files(root, {".html"}) if only is None else only_files(only, {".html"}):
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        found[name] = sorted(
            {
                url.strip()
                for url in references(text)
                if is_external(url) and urlsplit(url).scheme in ("http", "https")
            }
        )
    return found


# What must never reach an archive, checkable without the CMS database (see check_private).
ADMIN_PATH_RE = re.compile(r"(^|/)(admin|django-admin|wagtailadmin)(/|$)")
ROBOTS_NOINDEX_RE = re.compile(r"<meta\b[^>]*\bname\s*=\s*[\"']?robots[^>]*noindex", re.IGNORECASE)
FORWARDING_RE = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh", re.IGNORECASE)
PRIVATE_MARKUP = {
    "the Wagtail userbar": re.compile(r"wagtail-userbar|data-wagtail-userbar", re.IGNORECASE),
    "a password field": re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password", re.IGNORECASE),
    "a CSRF token from a logged-in session": re.compile(r"csrfmiddlewaretoken", re.IGNORECASE),
    "the Wagtail admin's files": re.compile(r"wagtailadmin/", re.IGNORECASE),
}
UPLOAD_FOLDERS = ("media/", "documents/")


@dataclass(frozen=True)
class PrivateContent:
    file: str
    reason: str

    def __str__(self):
        return f"{self.file}: {self.reason}"


def check_private(archive_dir, only=None):
    """Signs that something private reached the archive; the export and verify_archive both run it.

    Without the CMS database a draft cannot be told from a page, so this checks what can be seen:
    admin folders, admin or logged-in markup (userbar, password fields, CSRF tokens, admin assets),
    pages asking not to be indexed (except forwarding pages), and uploaded images or documents that
    no page, stylesheet, feed or API file names (a private or unused upload copied by mistake).
    ``only``: check these files (archive paths) alone; an upload among them must be named by one of them.
    """
    root = Path(archive_dir)
    problems = []
    if only is None:
        names = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    else:
        names = sorted(only)
    texts = []
    for name in names:
        if ADMIN_PATH_RE.search(name):
            problems.append(PrivateContent(name, "is an admin file"))
        if Path(name).suffix not in {".html", ".css", ".json", ".xml"}:
            continue
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        texts.append(text)
        if name.endswith(".html"):
            problems += [
                PrivateContent(name, f"contains {what}")
                for what, pattern in PRIVATE_MARKUP.items()
                if pattern.search(text)
            ]
            if ROBOTS_NOINDEX_RE.search(text) and not FORWARDING_RE.search(text):
                problems.append(PrivateContent(name, "asks search engines not to index it (noindex)"))
    referenced = "\n".join(texts)
    for name in names:
        if name.startswith(UPLOAD_FOLDERS) and name not in referenced and quote(name) not in referenced:
            problems.append(
                PrivateContent(name, "is an upload that no page, stylesheet, feed or API file uses")
            )
    return problems
