"""The leaked-markup gate: what must never reach an archive's pages though every other check passes.

Unrendered shortcodes, template syntax, raw rich text, ``None``s, Python reprs and error pages (the
defects of the seeds), and script that is not the archive's own. Needs only the archive folder.
"""

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from .checks import GateProblem, may_match
from .files import archive_files, only_files
from .layout import page_title

# Leaked markup ------------------------------------------------------------------------------------

# Script and style bodies (JSON-LD is full of braces) and comments are not page content.
NON_CONTENT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
TAG_RE = re.compile(r"<[^>]*>")
# Checked in the HTML itself (text and attribute values), outside scripts and styles.
RAW_PATTERNS = [
    ("template syntax", re.compile(r"\{\{.{0,40}|\{%.{0,40}")),
    ("raw Wagtail rich text", re.compile(r"<embed\b[^>]*>|\b(?:linktype|embedtype)=[^>]{0,40}", re.I)),
    ("“None” as a value", re.compile(r'\s[\w:.-]+="None"')),
]
# Checked in the visible text, after entities are decoded (so escaped markup shows as markup).
SHORTCODE = r"[a-z][\w-]*"
ATTRIBUTE = r"""[a-z][\w-]*\s*=\s*(?:"[^"\]]*"|'[^'\]]*'|[^\s\]]+)"""
TEXT_PATTERNS = [
    # [name attr=value …] or [/name]; footnotes like [1] and editorial [sic] are not shortcodes.
    ("unrendered shortcode", re.compile(rf"\[{SHORTCODE}(?:\s+{ATTRIBUTE})+\s*/?\]|\[/{SHORTCODE}\]", re.I)),
    ("escaped HTML", re.compile(r"</?(?:p|a|h[1-6]|ul|ol|li|br|strong|em|b|i|embed|div|span)\b[^<>]{0,60}>")),
    (
        "Python repr",
        re.compile(
            r"<[\w.]+ object at 0x[0-9a-f]+>|<[A-Z]\w*: [^<>]{0,60}>|<QuerySet \[|"
            r"\b(?:StructValue|StreamValue|ListValue|RichText|BoundBlock)\(|\{'\w+': "
        ),
    ),
    (
        "error page",
        re.compile(
            r"Traceback \(most recent call last\)|Exception Value:|DEBUG = True|Using the URLconf defined"
            r"|TemplateSyntaxError|VariableDoesNotExist|NoReverseMatch|Server Error \(500\)"
        ),
    ),
]
# Words in every match of each pattern above (see may_match): most pages have none, so skip its search.
PATTERN_WORDS = {
    "raw Wagtail rich text": ["<embed", "linktype=", "embedtype="],
    "“None” as a value": ['="None"'],
    "Python repr": ["<", "Value(", "RichText(", "BoundBlock(", "{'"],
}
# Our own error pages' titles: right in 404.html, a failed fetch anywhere else.
ERROR_TITLE_RE = re.compile(r"^\s*(?:Page not found|Sorry, something went wrong|Server Error)", re.I)
NONE_TEXT_RE = re.compile(r"^[\s:,;()\[\]|–-]*None[\s:,;()\[\]|–-]*$")


def check_leaked_markup(archive_dir, only=None):
    """Unrendered shortcodes, template syntax, raw rich text, ``None``s, reprs and error pages, and
    script that is not the archive's own (``active_markup``)."""
    root = Path(archive_dir)
    problems = []
    for name in archive_files(root, {".html"}) if only is None else only_files(only, {".html"}):
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        problems += [GateProblem("markup", page_label(name, text), found) for found in leaks(name, text)]
    return problems


def leaks(name, text):
    found = []
    content = NON_CONTENT_RE.sub(" ", text)
    text_nodes = [html.unescape(node) for node in TAG_RE.split(content)]
    visible = " ".join(text_nodes)
    for patterns, searched in ((RAW_PATTERNS, content), (TEXT_PATTERNS, visible)):
        for label, pattern in patterns:
            if label in PATTERN_WORDS and not may_match(pattern, PATTERN_WORDS[label], searched):
                continue
            found += [
                f"{label} “{excerpt(match[0])}”"
                for match in pattern.finditer(searched)
                if label != "raw Wagtail rich text" or in_a_tag(searched, match.start())
            ]
    found += ["“None” shown as text" for node in text_nodes if NONE_TEXT_RE.match(node)]
    title = page_title(text)
    if name != "404.html" and ERROR_TITLE_RE.match(title):
        found.append(f"an error page (titled “{title}”) instead of the content")
    found += active_markup(name, text)
    return list(dict.fromkeys(found))  # Once each, in order.


# Script that is not ours: rich text or URLs saved without the admin's cleaning (an import, a script)
# can hold it. The archive's CSP stops it running in a browser; this gate stops it being archived.

SPACE = "\t\n\f\r "  # HTML's whitespace (Python's \s has more)
# One attribute as a browser's HTML tokenizer reads it: a name may hold quotes, a quoted value ">",
# and an attribute may follow a quoted value with no space. Atomic groups (?>…), because the tokenizer
# never backtracks, and a regex that did could read one attribute two ways or take forever.
ATTRIBUTE = (
    rf"(?>[{SPACE}/]*)(?P<name>[^{SPACE}/>][^{SPACE}/>=]*+)"
    rf"(?>[{SPACE}]*=[{SPACE}]*(?>\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<uq>[^{SPACE}>]*)))?"
)
ATTRIBUTE_RE = re.compile(ATTRIBUTE)
# A start tag; all but its "<" in a lookahead, so every "<" that may start one is read, overlapping
# or not: a tag inside another's quoted value is a tag to the browser when the outer one sits in a
# comment, <title> or <textarea>, which this gate does not try to tell apart.
START_TAG_RE = re.compile(
    rf"<(?=(?P<rest>(?P<tag_name>[a-zA-Z][^{SPACE}/>]*+)(?P<attrs>(?>(?:{ATTRIBUTE})*))[{SPACE}/]*>))"
)
SCRIPT_END_RE = re.compile(rf"</script[{SPACE}/>]", re.IGNORECASE)
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "xlink:href", "data", "background", "cite",
    "codebase", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "usemap", "to", "from", "by",
}  # fmt: skip
# Lists of URLs (srcset: "url 2x, url 3x"; ping and archive: spaces; SVG animation values: ";").
URL_LIST_ATTRIBUTES = {"srcset", "imagesrcset", "ping", "archive", "values"}
SCRIPT_URL_RE = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
SCRIPT_URL_IN_LIST_RE = re.compile(r"(?:^|[\s,;])(?:javascript|vbscript|data):", re.IGNORECASE)
REFRESH_URL_RE = re.compile(r"^[\d.\s]*[;,]?\s*(?:url\s*=\s*)?[\"']?", re.IGNORECASE)


def active_markup(name, text):
    """Scripts that are not the archive's own, event-handler attributes and script URLs in ``text``.

    Ours: JSON-LD data blocks, and ``<script src>`` naming a file inside the archive, with no body.
    """
    found = []
    for match in START_TAG_RE.finditer(text):
        tag, tag_name, tag_end = "<" + match["rest"], match["tag_name"].lower(), match.end("rest")
        attributes = {}
        for attribute in ATTRIBUTE_RE.finditer(match["attrs"]):
            value = html.unescape(attribute["dq"] or attribute["sq"] or attribute["uq"] or "")
            attributes.setdefault(attribute["name"].lower(), value)  # The first of a name counts.
        for attribute, value in attributes.items():
            if attribute.startswith("on") and len(attribute) > 2:
                found.append(f"an event handler ({attribute}) “{excerpt(tag)}”")
            elif attribute == "srcdoc":
                found.append(f"a document in an iframe's srcdoc “{excerpt(tag)}”")
            elif is_script_url(attribute, value, attributes):
                found.append(f"a “{url_scheme(value)}” URL in {attribute} “{excerpt(tag)}”")
        if tag_name == "script":
            end = SCRIPT_END_RE.search(text, tag_end)
            body = text[tag_end : end.start() if end else len(text)]
            if not our_script(name, attributes, body):
                found.append(f"a script that is not the archive's own “{excerpt(tag + body)}”")
    return found


def clean_url(value):
    """A URL as browsers parse it: leading and trailing control characters and spaces go, and so do
    tabs and newlines anywhere (so "java\tscript:" is "javascript:")."""
    return re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33))))


def is_script_url(attribute, value, attributes):
    if attribute in URL_ATTRIBUTES:
        return SCRIPT_URL_RE.match(clean_url(value)) is not None
    if attribute in URL_LIST_ATTRIBUTES:
        return SCRIPT_URL_IN_LIST_RE.search(clean_url(value)) is not None
    if attribute == "content" and attributes.get("http-equiv", "").strip(SPACE).lower() == "refresh":
        return SCRIPT_URL_RE.match(clean_url(REFRESH_URL_RE.sub("", value, count=1))) is not None
    return False


def url_scheme(value):
    return re.search(r"(javascript|vbscript|data):", clean_url(value), re.IGNORECASE)[1].lower() + ":"


def our_script(name, attributes, body):
    if "src" not in attributes:
        return attributes.get("type", "").strip(SPACE).lower() == "application/ld+json"
    url = clean_url(attributes["src"]).replace("\\", "/")
    if body.strip(SPACE) or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/", url):
        return False  # A body besides a src, or a URL with a scheme or from the host's root.
    path = posixpath.normpath(
        posixpath.join(posixpath.dirname(name), unquote(url.split("?")[0].split("#")[0]))
    )
    return path != ".." and not path.startswith("../")


def in_a_tag(text, position):
    """Whether ``position`` of ``text`` is where a tag's attribute could start (``<a linktype="page">``),
    not in the text between tags or inside an attribute's quoted value: a page may mention
    "linktype=" in its words or its alt text, and only markup is raw rich text."""
    start = text.rfind("<", 0, position + 1)
    if start < 0 or text.rfind(">", 0, position) > start:
        return False
    before = text[start:position]
    return before.count('"') % 2 == 0 and before.count("'") % 2 == 0


def page_label(name, text):
    title = page_title(text)
    return f"{name} (“{title}”)" if title else name


def excerpt(text, limit=60):
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
