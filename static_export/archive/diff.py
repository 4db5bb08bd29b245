"""What changed between two archives of the same site, page by page, ignoring when each was captured."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import FileSkipped, read_text, walk_archive
from .layout import is_archive, page_title, printable
from .memento import uncaptured

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
    skipped: list = field(default_factory=list)  # ("old" or "new", SkippedFile): entries not read.

    def report(self):
        lines = []
        for heading, pages in (("Added", self.added), ("Removed", self.removed), ("Changed", self.changed)):
            lines.append(f"{heading}: {len(pages)} page{'' if len(pages) == 1 else 's'}")
            lines += [f"  {page}" for page in pages]
        if self.skipped:
            count = len(self.skipped)
            lines.append(f"Not compared: {count} {'entry' if count == 1 else 'entries'}")
            lines += [f"  in the {archive} archive: {problem}" for archive, problem in self.skipped]
        return "\n".join(lines)


def read_pages(archive_dir):
    """Each HTML page of an archive as its file -> (content without the capture date, URL, title),
    and a SkippedFile for each entry not read: symbolic links are never followed, FIFOs never opened."""
    root = Path(archive_dir)
    if not is_archive(root):
        raise ValueError(
            f"{printable(str(root))} is not an archive folder: it has no index.html and sitemap.xml."
        )
    files, skipped = walk_archive(root)
    pages = {}
    for name in files:
        if not name.endswith(".html"):
            continue
        try:
            html = read_text(root, name)
        except FileSkipped as exc:
            skipped.append(exc.problem)
            continue
        source = SOURCE_RE.search(html)
        url = source[1] if source else "/" + name.removesuffix("index.html")
        pages[name] = (uncaptured(html), url, page_title(html))
    return pages, skipped


def diff_archives(old_dir, new_dir):
    (old, old_skipped), (new, new_skipped) = read_pages(old_dir), read_pages(new_dir)

    def change(name, pages):
        return PageChange(name, pages[name][1], pages[name][2])

    return ArchiveDiff(
        added=[change(name, new) for name in sorted(new.keys() - old.keys())],
        removed=[change(name, old) for name in sorted(old.keys() - new.keys())],
        changed=[
            change(name, new) for name in sorted(old.keys() & new.keys()) if old[name][0] != new[name][0]
        ],
        skipped=[("old", problem) for problem in old_skipped] + [("new", problem) for problem in new_skipped],
    )
