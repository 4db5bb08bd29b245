"""Checks that need only the archive folder, so they run at export time and years later alike."""

import bisect
import errno
import html
import json
import math
import multiprocessing
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .links import CSS_URL_RE, REL_CANONICAL_RE, STYLE_ATTR_RE, STYLE_BLOCK_RE, TAG_RE, URL_ATTR_RE

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


def escape_character(match):
    character = match[0]
    if character in SHORT_ESCAPES:
        return SHORT_ESCAPES[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(frozen=True)
class BrokenReference:
    file: str
    url: str
    reason: str

    def __str__(self):
        return printable(f"{self.file}: {self.url} {self.reason}")


def archive_files(archive_dir, suffixes):
    return [name for name in all_files(archive_dir) if posixpath.splitext(name)[1] in suffixes]


def all_files(archive_dir):
    """Every regular file in the archive as a sorted archive path (symbolic links and the like left out)."""
    return walk_archive(archive_dir)[0]


# Larger HTML, CSS, JSON or XML files are reported rather than read whole, so a hostile archive
# cannot exhaust the memory of the link, privacy and diff checks.
MAX_CHECKED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SkippedFile:
    """An archive entry no check reads: a symbolic link, a FIFO, device or socket, or a file too large."""

    file: str
    reason: str

    def __str__(self):
        return printable(f"{self.file} {self.reason}")


class FileSkipped(Exception):
    """An archive file was not read; ``problem`` (a SkippedFile) says why."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


def walk_archive(archive_dir):
    """(every regular file as a sorted archive path, a SkippedFile for every other entry, sorted).

    Symbolic links, to files or folders, are never followed, and FIFOs, devices and sockets never
    opened (reading a FIFO waits for a writer for ever). os.scandir tells them apart without a stat
    per file, as os.walk does (pathlib's rglob is much slower).
    """
    files, skipped = [], []
    folders = [("", os.fspath(archive_dir))]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                entries = list(entries)
        except OSError as exc:
            skipped.append(SkippedFile(prefix or "./", f"could not be listed ({exc.strerror})"))
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append((name + "/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                files.append(name)
            else:
                skipped.append(skipped_entry(archive_dir, name))
    return sorted(files), sorted(skipped, key=lambda problem: problem.file)


def skipped_entry(root, name):
    """The SkippedFile saying what the archive entry ``name`` is, when it is not a regular file or folder."""
    path = os.path.join(root, name)
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return SkippedFile(name, f"is a symbolic link (to {os.readlink(path)}); it was not followed")
    if stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    return SkippedFile(name, f"is {kind}; it was not read")


def open_regular(root, name):
    """The archive file ``name`` opened for reading in binary, only if it is a regular file.

    Checked on the opened file itself, so a file swapped for a link or a FIFO after the listing is
    refused too: O_NOFOLLOW does not follow a final symbolic link, and O_NONBLOCK does not wait for a
    FIFO's writer (and changes nothing for a regular file). Raises FileSkipped otherwise.
    """
    try:
        descriptor = os.open(os.path.join(root, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise FileSkipped(skipped_entry(root, name)) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise FileSkipped(skipped_entry(root, name))
    return os.fdopen(descriptor, "rb")


def read_text(root, name):
    """The text of the archive file ``name``; raises FileSkipped if it is not a regular file or is
    larger than MAX_CHECKED_BYTES."""
    with open_regular(root, name) as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_CHECKED_BYTES:
            raise FileSkipped(SkippedFile(name, f"is too large to check ({size} bytes)"))
        # read(size), not read(): bounded even if the file grows meanwhile; not read(MAX_CHECKED_BYTES),
        # which would set aside that much memory for every file.
        return file.read(size).decode("utf-8", errors="replace")


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
    return link_report(archive_dir, only)[0]


def external_links(archive_dir):
    """Every external URL the archive's pages link to, sorted; listed in reports, never fetched."""
    return sorted({url for urls in link_report(archive_dir)[1].values() for url in urls})


def link_report(archive_dir, only=None):
    """(``check_links``, each page's external http(s) links as {archive path: sorted URLs}) from one
    reading of each page and stylesheet (of those in ``only``, when given)."""
    root = Path(archive_dir)
    files = set(all_files(root))  # One listing rather than a stat per reference.
    names = [
        name
        for name in (sorted(files) if only is None else sorted(set(only) & files))
        if posixpath.splitext(name)[1] in {".html", ".css"}
    ]
    problems, external = [], {}
    for name, (broken, urls) in zip(names, per_file(file_links, root, names, files), strict=True):
        problems += broken
        if name.endswith(".html"):
            external[name] = sorted(urls)
    return problems, external


def file_links(root, name, files):
    """The broken references in one page or stylesheet, and a page's external http(s) links."""
    try:
        text = read_text(root, name)
    except FileSkipped as skipped:
        return [skipped.problem], set()
    is_css = name.endswith(".css")
    problems, external = [], set()
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


# Fewer files are checked sooner in this process than by starting workers.
PARALLEL_FROM = 2000
_job = None  # The function and arguments forked workers apply to each file (see per_file).


def per_file(function, root, names, *args):
    """``[function(root, name, *args) for name in names]``, split over one process per CPU.

    The workers are forked, so they share ``args`` (the archive's file listing, say) as they are.
    """
    workers = min(os.cpu_count() or 1, math.ceil(len(names) / PARALLEL_FROM))
    if workers <= 1:
        return [function(root, name, *args) for name in names]
    global _job
    _job = (function, root, args)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_apply_job, names, chunksize=math.ceil(len(names) / (workers * 8)))
    finally:
        _job = None


def _apply_job(name):
    function, root, args = _job
    return function(root, name, *args)


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
UPLOAD_FOLDERS = ("media/", "documents/")
UPLOAD_FOLDER_RE = re.compile("|".join(re.escape(folder) for folder in UPLOAD_FOLDERS))


@dataclass(frozen=True)
class PrivateContent:
    file: str
    reason: str

    def __str__(self):
        return printable(f"{self.file}: {self.reason}")


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
    names = all_files(root) if only is None else sorted(only)
    uploads = [name for name in names if name.startswith(UPLOAD_FOLDERS)]
    # Whether some text names an upload needs only what follows each "media/" or "documents/" in
    # it, as long as the longest upload name: kept, rather than every text, and sorted to search.
    longest = max((len(quote(name)) for name in uploads), default=0)
    mentions = set()
    for found, mentioned in per_file(file_privacy, root, names, longest):
        problems += found
        mentions |= mentioned
    mentions = sorted(mentions)
    for name in uploads:
        if not (is_prefix(name, mentions) or is_prefix(quote(name), mentions)):
            problems.append(
                PrivateContent(name, "is an upload that no page, stylesheet, feed or API file uses")
            )
    return problems


def file_privacy(root, name, longest):
    """One file's signs of private content, and the ``longest`` characters after each upload folder."""
    problems = []
    if ADMIN_PATH_RE.search(name):
        problems.append(PrivateContent(name, "is an admin file"))
    if Path(name).suffix not in {".html", ".css", ".json", ".xml"}:
        return problems, set()
    try:
        text = read_text(root, name)
    except FileSkipped as skipped:
        return [*problems, skipped.problem], set()
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


def check_private_documents(archive_dir, documents, only=None):
    """Traces of ``documents`` (PrivateDocument) in the archive: a file in one's folder, a link to it
    (``documents/<id>/`` in any text), or its title as text of a page, feed or API file.

    The CMS knows which documents are private; this needs only their ids and titles, so it runs on
    the folder alone. ``only``: these files (archive paths) alone.
    """
    if not documents:
        return []
    root = Path(archive_dir)
    by_id = {document.id: document for document in documents}
    names = all_files(root) if only is None else sorted(only)
    problems = []
    for name in names:
        match = DOCUMENT_FOLDER_RE.match(name)
        if match and int(match[1]) in by_id:
            problems.append(PrivateContent(name, f"is the file of {by_id[int(match[1])].what}"))
    titles = title_pattern([doc for doc in documents if len(doc.title.split()) >= SHORTEST_TRACED_TITLE])
    for found in per_file(file_private_documents, root, names, by_id, titles):
        problems += found
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


def file_private_documents(root, name, by_id, titles):
    suffix = Path(name).suffix
    if suffix not in {".html", ".css", ".json", ".xml", ".js", ".txt"}:
        return []
    try:
        text = read_text(root, name)
    except FileSkipped as skipped:  # check_private reports those of the kinds it reads.
        return [skipped.problem] if suffix in {".js", ".txt"} else []
    problems = []
    for document_id in sorted({int(found) for found in DOCUMENT_FOLDER_RE.findall(text)} & by_id.keys()):
        problems.append(PrivateContent(name, f"links to {by_id[document_id].what}"))
    if titles:
        pattern, by_title = titles
        shown = set()
        for found in pattern.finditer(text):
            document = by_title.get(as_plain_text(found[0]))
            if document and document.id not in shown:
                shown.add(document.id)
                problems.append(PrivateContent(name, f"shows the title of {document.what}"))
    return problems
