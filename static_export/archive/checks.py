"""Checks that need only the archive folder, so they run at export time and years later alike."""

import bisect
import html
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .files import FileSkipped, all_files, per_file, read_text
from .layout import UPLOAD_FOLDERS, printable
from .links import is_external, references


@dataclass(frozen=True)
class CheckRun:
    """One check or gate that ran over an archive, for the export's report: which tool and version,
    how many files it looked at, and what it found (each problem as text)."""

    name: str
    tool: str
    version: str
    files: int
    problems: list


@dataclass(frozen=True)
class GateProblem:
    gate: str
    file: str
    message: str

    def __str__(self):
        return printable(f"{self.file}: {self.message}")


@dataclass(frozen=True)
class BrokenReference:
    file: str
    url: str
    reason: str

    def __str__(self):
        return printable(f"{self.file}: {self.url} {self.reason}")


def may_match(pattern, words, text):
    """False only when ``pattern`` cannot match ``text``, because every match contains one of ``words``.

    A quick test before a slow search. For a case-insensitive pattern (``words`` in lower case) it
    rules out ASCII text alone, where lower() folds case exactly as the regex does.
    """
    if pattern.flags & re.IGNORECASE:
        if not text.isascii():
            return True
        text = text.lower()
    return any(word in text for word in words)


def check_links(archive_dir, only=None, media_urls=()):
    """Internal references that are root-absolute or do not open a file in the archive.

    ``only``: check the links in these files (archive paths) alone, e.g. those an incremental export wrote.
    ``media_urls``: the media storage's own URLs (an S3 bucket's, ``https://bucket.s3.amazonaws.com/media/``);
    any mention of one, in any text file, points at an upload outside the archive. The export knows
    them; years later they may be unknown, and such references then count as external links.
    """
    return link_report(archive_dir, only, media_urls)[0]


def external_links(archive_dir):
    """Every external URL the archive's pages link to, sorted; listed in reports, never fetched."""
    return sorted({url for urls in link_report(archive_dir)[1].values() for url in urls})


# Files a media storage URL could be left in: pages, stylesheets, the API, feeds and sitemaps,
# scripts (uploads are the files themselves, whatever they say).
TEXT_SUFFIXES = {".html", ".css", ".json", ".xml", ".js", ".txt", ".webmanifest"}
# A URL as far as HTML, CSS, JSON or text would end it.
URL_TAIL = r"[^\s\"'<>()\\]*"


def link_report(archive_dir, only=None, media_urls=(), files=None):
    """(``check_links``, each page's external http(s) links as {archive path: sorted URLs}) from one
    reading of each page and stylesheet (of those in ``only``, when given), and of every other text
    file when there are ``media_urls`` to look for. ``files``: the archive's files, when they are not
    all in ``archive_dir`` (an update in place reads what it built there, and links to the rest)."""
    root = Path(archive_dir)
    files = set(all_files(root)) if files is None else set(files)  # One listing, not a stat per reference.
    media_urls = sorted({url for url in media_urls if url}, key=len, reverse=True)
    media = re.compile("(?:" + "|".join(map(re.escape, media_urls)) + ")" + URL_TAIL) if media_urls else None
    names = [
        name
        for name in (sorted(files) if only is None else sorted(set(only) & files))
        if posixpath.splitext(name)[1] in {".html", ".css"}
        or (media and posixpath.splitext(name)[1] in TEXT_SUFFIXES and not name.startswith(UPLOAD_FOLDERS))
    ]
    problems, external = [], {}
    for name, (broken, urls) in zip(names, per_file(file_links, root, names, files, media), strict=True):
        problems += broken
        if name.endswith(".html"):
            external[name] = sorted(urls)
    return problems, external


def file_links(root, name, files, media=None):
    """The broken references in one page or stylesheet, and a page's external http(s) links; in any
    text file, every URL ``media`` (a pattern of the media storage's URLs) finds."""
    try:
        text = read_text(root, name)
    except FileSkipped as skipped:
        return [skipped.problem], set()
    problems, external = [], set()
    if media is not None:
        problems += [
            BrokenReference(name, url, "points at the media storage outside the archive")
            for url in dict.fromkeys(found[0] for found in media.finditer(text))
        ]
        if posixpath.splitext(name)[1] not in {".html", ".css"}:
            return problems, external
    is_css = name.endswith(".css")
    for url in references(text, is_css=is_css):
        if not is_css and is_external(url) and urlsplit(url).scheme in ("http", "https"):
            external.add(url.strip())
        url = url.strip()
        path = unquote(urlsplit(url).path)
        if is_external(url) or not path:
            continue  # External, a fragment on the same page, or empty.
        if path.startswith("/"):
            problems.append(BrokenReference(name, url, "is root-absolute, so it breaks under a sub-path"))
            continue
        index = "index.html" if path.endswith("/") else ""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path, index))
        if target.startswith("../") or target not in files:
            problems.append(BrokenReference(name, url, "does not resolve to a file in the archive"))
    return problems, external


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
# A word in every match of each pattern above (see may_match).
PRIVATE_MARKUP_WORDS = {
    "the Wagtail userbar": ["wagtail-userbar"],
    "a password field": ["password"],
    "a CSRF token from a logged-in session": ["csrfmiddlewaretoken"],
    "the Wagtail admin's files": ["wagtailadmin/"],
}
MARKUP_SUFFIXES = {".html", ".css", ".json", ".xml"}  # Read for every sign of private content.
TRACED_SUFFIXES = MARKUP_SUFFIXES | {".js", ".txt"}  # Also read for private documents' traces.
UPLOAD_FOLDER_RE = re.compile("|".join(re.escape(folder) for folder in UPLOAD_FOLDERS))


@dataclass(frozen=True)
class PrivateContent:
    file: str
    reason: str

    def __str__(self):
        return printable(f"{self.file}: {self.reason}")


def check_private(archive_dir, only=None, documents=()):
    """Signs that something private reached the archive; the export and verify_archive both run it.

    Without the CMS database a draft cannot be told from a page, so this checks what can be seen:
    admin folders, admin or logged-in markup (userbar, password fields, CSRF tokens, admin assets),
    pages asking not to be indexed (except forwarding pages), and uploaded images or documents that
    no page, stylesheet, feed or API file names (a private or unused upload copied by mistake).
    ``documents``: the documents the CMS keeps private (PrivateDocument), whose traces it looks for in
    the same reading of each file (see DocumentTraces). ``only``: check these files (archive paths)
    alone; an upload among them must be named by one of them.
    """
    root = Path(archive_dir)
    names = all_files(root) if only is None else sorted(only)
    traces = DocumentTraces(documents) if documents else None
    problems = traces.in_folders(names) if traces else []
    uploads = [name for name in names if name.startswith(UPLOAD_FOLDERS)]
    # Whether some text names an upload needs only what follows each "media/" or "documents/" in
    # it, as long as the longest upload name: kept, rather than every text, and sorted to search.
    longest = max((len(quote(name)) for name in uploads), default=0)
    mentions = set()
    for found, mentioned in per_file(file_privacy, root, names, longest, traces):
        problems += found
        mentions |= mentioned
    mentions = sorted(mentions)
    for name in uploads:
        if not (is_prefix(name, mentions) or is_prefix(quote(name), mentions)):
            problems.append(
                PrivateContent(name, "is an upload that no page, stylesheet, feed or API file uses")
            )
    return problems


def file_privacy(root, name, longest, traces=None):
    """One file's signs of private content, and the ``longest`` characters after each upload folder."""
    problems = []
    if ADMIN_PATH_RE.search(name):
        problems.append(PrivateContent(name, "is an admin file"))
    suffix = Path(name).suffix
    if suffix not in MARKUP_SUFFIXES and not (traces and suffix in TRACED_SUFFIXES):
        return problems, set()
    try:
        text = read_text(root, name)
    except FileSkipped as skipped:
        return [*problems, skipped.problem], set()
    if traces:
        problems += traces.in_text(name, text)
    if suffix not in MARKUP_SUFFIXES:
        return problems, set()
    mentioned = {text[found.start() : found.start() + longest] for found in UPLOAD_FOLDER_RE.finditer(text)}
    if name.endswith(".html"):
        problems += [
            PrivateContent(name, f"contains {what}")
            for what, pattern in PRIVATE_MARKUP.items()
            if may_match(pattern, PRIVATE_MARKUP_WORDS[what], text) and pattern.search(text)
        ]
        if ROBOTS_NOINDEX_RE.search(text) and not FORWARDING_RE.search(text):
            problems.append(PrivateContent(name, "asks search engines not to index it (noindex)"))
    return problems, mentioned if longest else set()


def is_prefix(prefix, strings):
    """Whether one of the sorted ``strings`` starts with ``prefix``."""
    index = bisect.bisect_left(strings, prefix)
    return index < len(strings) and strings[index].startswith(prefix)


@dataclass(frozen=True)
class PrivateDocument:
    """What would show that a private document reached the archive: its id (its URL and its folder
    are ``documents/<id>/``) and its title; ``what`` names it in problems."""

    id: int
    title: str
    what: str


DOCUMENT_FOLDER_RE = re.compile(r"documents/(\d+)/")
# Titles of one word ("Minutes", "Budget") are ordinary words of many pages, so only longer ones are
# looked for as text; a private document's URL and folder are looked for whatever its title.
SHORTEST_TRACED_TITLE = 2  # words


class DocumentTraces:
    """What would show that a private document reached the archive: a file in its folder, a link to
    it (``documents/<id>/`` in any text), or its title as text of a page, feed, script or API file.
    The CMS knows which documents are private; this needs only their ids and titles."""

    def __init__(self, documents):
        self.by_id = {document.id: document for document in documents}
        self.titles = title_pattern(
            [doc for doc in documents if len(doc.title.split()) >= SHORTEST_TRACED_TITLE]
        )

    def in_folders(self, names):
        problems = []
        for name in names:
            match = DOCUMENT_FOLDER_RE.match(name)
            if match and int(match[1]) in self.by_id:
                problems.append(PrivateContent(name, f"is the file of {self.by_id[int(match[1])].what}"))
        return problems

    def in_text(self, name, text):
        linked = {int(found) for found in DOCUMENT_FOLDER_RE.findall(text)} & self.by_id.keys()
        problems = [PrivateContent(name, f"links to {self.by_id[pk].what}") for pk in sorted(linked)]
        if self.titles:
            pattern, by_title = self.titles
            shown = set()
            for found in pattern.finditer(text):
                document = by_title.get(as_plain_text(found[0]))
                if document and document.id not in shown:
                    shown.add(document.id)
                    problems.append(PrivateContent(name, f"shows the title of {document.what}"))
        return problems


def title_pattern(documents):
    """(A regex finding any of the titles as whole words, as HTML, JSON or text has it, {title: document})."""
    if not documents:
        return None
    forms = set()
    for document in documents:
        for form in (document.title, html.escape(document.title), json.dumps(document.title)[1:-1]):
            forms.add(r"\s+".join(re.escape(word) for word in form.split()))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?!\w)")
    return pattern, {" ".join(document.title.split()): document for document in documents}


def as_plain_text(found):
    """A title found in HTML, JSON or text, as typed: entities and JSON escapes undone, spaces collapsed."""
    return " ".join(html.unescape(found.replace('\\"', '"').replace("\\\\", "\\")).split())
