"""What changed between two archives of the same site, page by page, ignoring the capture date."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from .checks import printable
from .package import page_title

# The only thing that differs between two captures of unchanged content.
CAPTURE_DATE_RE = re.compile(r'<meta name="dcterms\.created" content="[^"]*">\n?')
SOURCE_RE = re.compile(r'<meta name="dcterms\.source" content="([^"]*)">')


@dataclass(frozen=True)
class PageChange:
    file: str
    url: str
    title: str

    def __str__(self):
        return f"{printable(self.url)} “{printable(self.title)}”"


@dataclass
class ArchiveDiff:
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)

    def report(self):
        lines = []
        for heading, pages in (("Added", self.added), ("Removed", self.removed), ("Changed", self.changed)):
            lines.append(f"{heading}: {len(pages)} page{'' if len(pages) == 1 else 's'}")
            lines += [f"  {page}" for page in pages]
        return "\n".join(lines)


def read_pages(archive_dir):
    """Each HTML page of an archive: its file -> (content without the capture date, URL, title)."""
    root = Path(archive_dir)
    if not (root / "index.html").is_file():
        raise ValueError(f"{root} is not an archive folder: it has no index.html.")
    pages = {}
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        html = path.read_text(encoding="utf-8", errors="replace")
        source = SOURCE_RE.search(html)
        url = source[1] if source else "/" + name.removesuffix("index.html")
        pages[name] = (CAPTURE_DATE_RE.sub("", html), url, page_title(html))
    return pages


def diff_archives(old_dir, new_dir):
    old, new = read_pages(old_dir), read_pages(new_dir)

    def change(name, pages):
        return PageChange(name, pages[name][1], pages[name][2])

    return ArchiveDiff(
        added=[change(name, new) for name in sorted(new.keys() - old.keys())],
        removed=[change(name, old) for name in sorted(old.keys() - new.keys())],
        changed=[
            change(name, new) for name in sorted(old.keys() & new.keys()) if old[name][0] != new[name][0]
        ],
    )
