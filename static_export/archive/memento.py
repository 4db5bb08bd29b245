"""Captures of pages, Memento-style (RFC 7089): what each archived page says about its own capture,
and the TimeMap of every version in the store.

Each HTML page carries, at the end of its body, a notice of when it was captured and by whom, its
other captures (linked into the versions where they are published together, see
STATIC_EXPORT_VERSIONS_URL) and a citation line with its original URL and capture time.

A page's capture time is when the archive first held its current content. An export added to the
store keeps, byte for byte, every page whose content has not changed since the store's latest
version (``Captures.settle``): that page was captured then, and the store keeps it once. So a
one-page correction adds that page and the site-wide files to the store, not the whole site again.
"""

import datetime
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# What differs between two captures of unchanged content: the capture time and the capture notice.
CAPTURE_RE = re.compile(
    r'<meta name="dcterms\.created" content="[^"]*">\n?|<aside class="archive-capture"[^>]*>.*?</aside>\n?',
    re.DOTALL,
)
LINK_FORMAT = "application/link-format"
TIMEMAP_NAME = "timemap.link"


def uncaptured(text):
    """A page's text without what only says when it was captured: equal for unchanged content."""
    return CAPTURE_RE.sub("", text)


def human_time(moment):
    return moment.astimezone(datetime.UTC).strftime("%-d %B %Y, %H:%M UTC")


def http_date(moment):
    return moment.astimezone(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def time_element(moment):
    moment = moment.astimezone(datetime.UTC)
    return f'<time datetime="{moment.isoformat()}">{human_time(moment)}</time>'


def version_url(versions_url, version, url_path):
    """Where a page's capture in ``version`` is published beside the others: ``…/v2/news/``."""
    return f"{versions_url.rstrip('/')}/{version}/{quote(url_path.lstrip('/'), safe='/')}"


@dataclass
class Captures:
    """What an export knows of the captures of its pages: the organisation capturing, this capture's
    time and (when it goes into the store) its version, where versions are published together,
    each page's earlier captures and the store's latest files (archive path → stored file)."""

    organisation: str
    captured_at: datetime.datetime
    version: str = ""
    versions_url: str = ""
    history: dict = field(default_factory=dict)  # archive path -> [(version, captured at), …]
    latest_files: dict = field(default_factory=dict)  # archive path -> Path of the stored file

    def notice(self, archive_path, url_path, original_url, title):
        """The ``<aside>``: when the page was captured, by whom, its other captures, how to cite it."""
        escape = html.escape
        when = time_element(self.captured_at)
        lines = [
            f"<p>This is an archived copy of {escape(original_url)}, captured on {when} "
            f"by {escape(self.organisation)}.</p>"
        ]
        earlier = self.history.get(archive_path, [])
        if earlier:
            items = []
            for version, moment in reversed(earlier):
                label = time_element(moment)
                if self.versions_url:
                    href = escape(version_url(self.versions_url, version, url_path))
                    items.append(f'<li><a href="{href}">{label}</a></li>')
                else:
                    items.append(f"<li>{label} (version {escape(version)} of the archive)</li>")
            lines.append("<p>Other captures of this page:</p>\n<ul>" + "".join(items) + "</ul>")
        cite = f"{escape(self.organisation)}. “{escape(title)}”. {escape(original_url)}. Captured {when}."
        if self.versions_url and self.version:
            cite += f" Archived at {escape(version_url(self.versions_url, self.version, url_path))}."
        lines.append(f"<p>Cite as: {cite}</p>")
        return (
            '<aside class="archive-capture" aria-label="About this archived copy">\n'
            + "\n".join(lines)
            + "\n</aside>\n"
        )

    def settle(self, archive_path, text):
        """The page's text to write: the store's latest copy when only its capture notice differs
        (the content is unchanged, so that capture stands), else ``text``."""
        stored = self.latest_files.get(archive_path)
        if stored is None:
            return text
        try:
            previous = Path(stored).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return text
        return previous if uncaptured(previous) == uncaptured(text) else text


def timemap(original, mementos, self_url=TIMEMAP_NAME):
    """A TimeMap (RFC 7089, ``application/link-format``) of ``original`` from its ``mementos``
    [(URI, datetime)], oldest first. URIs may be relative to the TimeMap's own address."""
    links = [f'<{original}>; rel="original"']
    if mementos:
        first, last = mementos[0][1], mementos[-1][1]
        links.append(
            f'<{self_url}>; rel="self"; type="{LINK_FORMAT}"; '
            f'from="{http_date(first)}"; until="{http_date(last)}"'
        )
    else:
        links.append(f'<{self_url}>; rel="self"; type="{LINK_FORMAT}"')
    for index, (uri, moment) in enumerate(mementos):
        rel = ["memento"]
        if index == 0:
            rel.insert(0, "first")
        if index == len(mementos) - 1:
            rel.insert(0 if index else 1, "last")
        links.append(f'<{uri}>; rel="{" ".join(rel)}"; datetime="{http_date(moment)}"')
    return ",\n".join(links) + "\n"
