"""Rewrite the live site's links as relative links, so the archive works from file:// and any sub-path."""

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

# A start tag, allowing ">" inside quoted attribute values. (Matching every tag and then looking for
# a URL attribute is three times quicker than a lookahead for one.)
TAG_RE = re.compile(
    r"<(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*)>"
)
URL_ATTR_NAME_RE = re.compile(r"\s(?:href|src|srcset|action|poster|style)\s*=", re.IGNORECASE)
QUOTED_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
URL_ATTR_RE = re.compile(
    r"(?P<lead>\s(?P<name>href|src|srcset|action|poster)\s*=\s*)(?P<quote>[\"'])(?P<value>.*?)(?P=quote)",
    re.IGNORECASE | re.DOTALL,
)
STYLE_ATTR_RE = re.compile(r"(?P<lead>\sstyle\s*=\s*)(?P<quote>[\"'])(?P<value>.*?)(?P=quote)", re.I | re.S)
STYLE_BLOCK_RE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.IGNORECASE | re.DOTALL)
CSS_URL_RE = re.compile(r"url\(\s*(?P<quote>[\"']?)(?P<value>[^\"')]*)(?P=quote)\s*\)")
CSS_IMPORT_RE = re.compile(r"@import\s+(?P<quote>[\"'])(?P<value>[^\"']*)(?P=quote)")
REL_CANONICAL_RE = re.compile(r"\srel\s*=\s*[\"']?canonical", re.IGNORECASE)
UNQUOTED_PATH_RE = re.compile(r"[A-Za-z0-9_.~/-]*")  # What quote(path, safe="/") leaves as it is


def relative_path(target, from_dir):
    """``posixpath.relpath`` for two normalised archive paths, without its calls to the file system.

    The export makes tens of links relative on every page; relpath's abspath() dominated that.
    """
    start = from_dir.split("/") if from_dir else []
    parts = target.split("/")
    common = 0
    for here, there in zip(start, parts, strict=False):
        if here != there:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


def normalised(path):
    """A root-absolute URL path with its ``.`` and ``..`` segments undone, as a browser undoes them
    (``/news/../about/`` is ``/about/``; none climbs above the root), after percent-decoding, so an
    encoded ``%2e%2e`` cannot name a file outside the folder it seems to be in."""
    folder = path.endswith("/") or path.endswith(("/.", "/.."))
    path = posixpath.normpath(path)
    if path.startswith("//"):  # POSIX keeps two leading slashes; a URL path has one root.
        path = "/" + path.lstrip("/")
    return path + "/" if folder and path != "/" else path


def has_url_attribute(attrs):
    """Whether a tag's attributes include a URL or style attribute (outside quoted values)."""
    return (
        URL_ATTR_NAME_RE.search(attrs) is not None
        and URL_ATTR_NAME_RE.search(QUOTED_RE.sub("", attrs)) is not None
    )


@dataclass
class Problem:
    """A reference in an archive file that does not resolve to another file in the archive."""

    file: str
    url: str
    fatal: bool

    def __str__(self):
        return f"{self.file}: {self.url} is not in the archive"


@dataclass
class RewriteResult:
    text: str
    problems: list = field(default_factory=list)


class LinkRewriter:
    """Makes every internal reference relative to the file that contains it.

    ``origins`` are the absolute origins the site was rendered under (e.g. ``http://localhost``);
    links to them count as internal. ``resolve(path)`` maps a root-absolute URL path such as
    ``/news/`` to the archive file that answers it (``news/index.html``), or None when the
    archive has no such file. ``base_url`` replaces the rendering origin wherever an absolute URL
    must stay absolute (canonical links, Open Graph, JSON-LD), so they name the original live URL.

    ``aliases`` maps other absolute URL prefixes to the root-absolute path each stands for: the media
    storage's own URL (an S3 bucket's, say: ``{"https://b.s3.amazonaws.com/media/": "/media/"}``),
    so its files resolve, are copied and are linked to as ``/media/…`` would be, never hotlinked.
    """

    def __init__(self, origins, resolve, base_url, aliases=None):
        self.origins = tuple(origin.rstrip("/") for origin in origins)
        self.resolve = resolve
        self.base_url = base_url.rstrip("/")
        self.aliases = {prefix: path for prefix, path in (aliases or {}).items() if prefix}
        self.alias_re = (
            re.compile(
                "(?:"
                + "|".join(re.escape(prefix) for prefix in sorted(self.aliases, key=len, reverse=True))
                + r")[^\s\"'<>()\\]*"
            )
            if self.aliases
            else None
        )
        # Where each root-absolute or external URL points: the same from every file, and an export
        # meets the same few thousand URLs on page after page.
        self.locations = {}

    def internal_path(self, url, from_file):
        """The root-absolute path an internal URL points at, or None for external and non-path URLs.

        Relative URLs (``page/2/``, or ``../fonts/x.woff2`` in a stylesheet) are resolved against the
        file's own location, which mirrors its URL.
        """
        url = url.strip()
        for prefix, path in self.aliases.items():
            if url.startswith(prefix):
                return path + url[len(prefix) :]
        for origin in self.origins:
            if url == origin or url.startswith(origin + "/"):
                return url[len(origin) :] or "/"
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        if url.startswith("/"):
            return url
        path = posixpath.normpath(posixpath.join("/", posixpath.dirname(from_file), parts.path))
        folder = parts.path.endswith("/") or posixpath.basename(parts.path) in (".", "..")  # "." is "./"
        if folder and path != "/":
            path += "/"
        return path + (f"#{parts.fragment}" if parts.fragment else "")

    def locate(self, url, from_file):
        """(path, "#fragment" or "") of the archive URL path an internal URL points at, or None."""
        location = self.locations.get(url, False)
        if location is not False:
            return location
        path = self.internal_path(url, from_file)
        if path is not None:
            parts = urlsplit(path)
            location = (normalised(unquote(parts.path)), f"#{parts.fragment}" if parts.fragment else "")
        else:
            location = None
        if path is None or url.strip().startswith(("/", *self.origins, *self.aliases)):
            self.locations[url] = location  # Not relative to the file it is in.
        return location

    def relative_url(self, url, from_file, problems, fatal):
        location = self.locate(url, from_file)
        if location is None:
            return url
        path, fragment = location
        target = self.resolve(path)
        if target is None:
            problems.append(Problem(from_file, url, fatal))
            return None
        relative = relative_path(target, posixpath.dirname(from_file))
        if not UNQUOTED_PATH_RE.fullmatch(relative):
            relative = quote(relative, safe="/")
        return relative + fragment

    def rewrite_css(self, css, from_file, problems):
        def replace(match, template):
            new = self.relative_url(match["value"], from_file, problems, fatal=True)
            return match[0] if new is None else template.format(quote=match["quote"], value=new)

        css = CSS_URL_RE.sub(lambda m: replace(m, "url({quote}{value}{quote})"), css)
        return CSS_IMPORT_RE.sub(lambda m: replace(m, "@import {quote}{value}{quote}"), css)

    def rewrite_srcset(self, srcset, from_file, problems):
        candidates = []
        for candidate in srcset.split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            new = self.relative_url(url, from_file, problems, fatal=True) or url
            candidates.append(f"{new} {descriptor}".strip())
        return ", ".join(candidates)

    def rewrite_tag(self, match, from_file, problems):
        name, attrs = match["name"].lower(), match["attrs"]
        if not has_url_attribute(attrs):
            return match[0]
        if name == "meta" or (name == "link" and REL_CANONICAL_RE.search(attrs)):
            return match[0]  # Absolute by design; the origin is swapped for the base URL later.

        def replace_attr(attr):
            attr_name, value = attr["name"].lower(), attr["value"]
            if attr_name == "srcset":
                new = self.rewrite_srcset(value, from_file, problems)
            else:
                # A missing link target is unlinked (with a warning); a missing asset is fatal.
                new = self.relative_url(
                    value, from_file, problems, fatal=not (name == "a" and attr_name == "href")
                )
                if new is None:
                    return "" if name == "a" else attr[0]
            return f"{attr['lead']}{attr['quote']}{new}{attr['quote']}"

        attrs = URL_ATTR_RE.sub(replace_attr, attrs)
        attrs = STYLE_ATTR_RE.sub(
            lambda a: (
                f"{a['lead']}{a['quote']}{self.rewrite_css(a['value'], from_file, problems)}{a['quote']}"
            ),
            attrs,
        )
        return f"<{match['name']}{attrs}>"

    def rewrite_html(self, html, from_file):
        problems = []
        html = TAG_RE.sub(lambda m: self.rewrite_tag(m, from_file, problems), html)
        html = STYLE_BLOCK_RE.sub(
            lambda m: m[1] + self.rewrite_css(m[2], from_file, problems) + m[3],
            html,
        )
        return RewriteResult(self.to_base_url(html), problems)

    def to_base_url(self, text):
        """Absolute URLs that must stay absolute (canonical, Open Graph, feeds) name the original site.

        A media storage URL among them (an Open Graph image on S3, say) becomes the original site's
        URL of the archive's copy, which resolving it asks for. One the archive cannot have (a
        missing or private file) is left as it is, for the link check to name.
        """
        for origin in self.origins:
            text = text.replace(origin + "/", self.base_url + "/").replace(
                f'"{origin}"', f'"{self.base_url}"'
            )
        if self.alias_re is not None:
            text = self.alias_re.sub(self.storage_url_to_base_url, text)
        return text

    def storage_url_to_base_url(self, match):
        location = self.locate(match[0], "")
        target = self.resolve(location[0]) if location else None
        if target is None:
            return match[0]
        return f"{self.base_url}/{quote(target, safe='/')}{location[1]}"

    def rewrite_stylesheet(self, css, from_file):
        problems = []
        return RewriteResult(self.rewrite_css(css, from_file, problems), problems)


def references(text, is_css=False):
    """Every URL an HTML or CSS text refers to: links, sources, srcsets, CSS url()s and @imports.

    The one reading of references the rewriter writes and the checks check. Canonical links and
    <meta> values are left out: they name the original live site on purpose.
    """
    if is_css:
        return [match["value"] for pattern in (CSS_URL_RE, CSS_IMPORT_RE) for match in pattern.finditer(text)]
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
