"""Reading an exported archive the way a browser opening it from disk would."""

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

CSS_URL_RE = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")


def files(archive):
    return sorted(path.relative_to(archive).as_posix() for path in Path(archive).rglob("*") if path.is_file())


def html_files(archive):
    return [name for name in files(archive) if name.endswith(".html")]


def soup(archive, name):
    return BeautifulSoup((Path(archive) / name).read_text(encoding="utf-8"), "html.parser")


def references(archive, name):
    """Every URL an HTML or CSS file points at (links, sources, srcsets, CSS url())."""
    text = (Path(archive) / name).read_text(encoding="utf-8")
    if name.endswith(".css"):
        return CSS_URL_RE.findall(text)
    document = BeautifulSoup(text, "html.parser")
    urls = []
    for tag in document.find_all(True):
        if tag.name == "link" and "canonical" in (tag.get("rel") or []):
            continue
        for attribute in ("href", "src", "action", "poster"):
            if tag.get(attribute):
                urls.append(tag[attribute])
        if tag.get("srcset"):
            urls += [candidate.split()[0] for candidate in tag["srcset"].split(",")]
        if tag.get("style"):
            urls += CSS_URL_RE.findall(tag["style"])
    for style in document.find_all("style"):
        urls += CSS_URL_RE.findall(style.get_text())
    return urls


def is_external(url):
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith("#")


def target_file(name, url):
    """The archive file a relative URL in ``name`` opens from file:// (directories open index.html)."""
    path = unquote(urlsplit(url).path)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
    return posixpath.join(joined, "index.html") if path.endswith("/") or path == "" else joined
