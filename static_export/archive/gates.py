"""Quality gates on a finished archive: no leaked markup, valid HTML, accessible page types.

Each gate returns a list of GateProblem naming the file and the problem; an empty list is a pass.
``check_leaked_markup`` and ``check_html`` need only the archive folder, so ``verify_archive`` can run
them years later. ``check_accessibility`` drives Debian's Chromium through Playwright; the export
asks it to audit one page of each type (``pages_to_audit``), not every page.
"""

import html
import json
import math
import os
import posixpath
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings

from .checks import CheckRun, may_match
from .files import archive_files, only_files
from .layout import page_file, page_title, printable

GATES = ("markup", "html", "accessibility")
INSTALL_HINT = "run `make npm` (npm ci --ignore-scripts) in the project folder"

# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.0–2.2, levels A and AA.
AXE_VIEWPORT = {"width": 1280, "height": 900}
# Most files per JVM run: one start-up and warm-up (~1 s of CPU) for many pages, well under ARG_MAX.
VNU_BATCH = 6000
# vnu needs a deep stack; the client compiler alone (C1) halves its CPU time even over 1,000 pages.
JAVA_OPTIONS = ["-Xss8m", "-XX:TieredStopAtLevel=1"]


@dataclass(frozen=True)
class GateProblem:
    gate: str
    file: str
    message: str

    def __str__(self):
        return printable(f"{self.file}: {self.message}")


class MissingTool(Exception):
    """A gate's tool is not installed; the message names it and how to install it."""


def run_gates(archive_dir, names=GATES, pages=None, only=None, runs=None):
    """Run the named gates over ``archive_dir``; ``pages`` are the HTML files axe audits.

    ``only``: the markup and HTML gates check these files (archive paths) alone. ``runs``: a list to
    which a CheckRun of each gate is added (tool, version, files checked, problems).
    """
    unknown = set(names) - set(GATES)
    if unknown:
        raise ValueError(f"Unknown quality gates {sorted(unknown)}; choose from {GATES}.")
    if "accessibility" in names and pages is None:
        raise ValueError("The accessibility gate needs the pages to audit (one per page type).")
    browser = {}
    # vnu runs in Java processes of its own, so it checks while the other gates run here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        html = pool.submit(check_html, archive_dir, only) if "html" in names else None
        found = {
            "markup": check_leaked_markup(archive_dir, only) if "markup" in names else [],
            "accessibility": check_accessibility(archive_dir, pages, browser)
            if "accessibility" in names
            else [],
        }
        found["html"] = html.result() if html else []
    if runs is not None:
        html_files = len(
            archive_files(archive_dir, {".html"}) if only is None else only_files(only, {".html"})
        )
        counts = {"markup": html_files, "html": html_files, "accessibility": len(pages or ())}
        for name in names:
            tool, version = gate_tool(name, browser.get("version", ""))
            runs.append(
                CheckRun(name, tool, version, counts[name], [str(problem) for problem in found[name]])
            )
    return found["markup"] + found["html"] + found["accessibility"]


def gate_tool(name, browser_version):
    """(tool, version) of a gate, as the report names them."""
    if name == "html":
        return "Nu Html Checker (vnu.jar)", npm_version(Path(settings.VNU_JAR).parents[2])
    if name == "accessibility":
        return (
            "axe-core in Chromium",
            f"axe-core {npm_version(Path(settings.AXE_CORE_JS).parent)}, Chromium {browser_version}",
        )
    return "leaked-markup gate (static_export)", ""


def npm_version(package_dir):
    try:
        return json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


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
            found += [f"{label} “{excerpt(match[0])}”" for match in pattern.finditer(searched)]
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


def page_label(name, text):
    title = page_title(text)
    return f"{name} (“{title}”)" if title else name


def excerpt(text, limit=60):
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# HTML validity: the Nu Html Checker -------------------------------------------------------------


def check_html(archive_dir, only=None):
    """Errors the Nu Html Checker (vnu.jar) finds in the archive's HTML files, all in a few JVM runs.

    Warnings are not failures (the templates are kept free of them by hand). ``only``: these files alone.
    """
    root = Path(archive_dir).resolve()
    names = archive_files(root, {".html"}) if only is None else only_files(only, {".html"})
    if not names:
        return []
    command = [
        require_program("java", "Java 17 for the Nu Html Checker (apt-get install openjdk-17-jre-headless)"),
        *JAVA_OPTIONS,
        "-jar",
        str(require_file(settings.VNU_JAR, "The Nu Html Checker (vnu.jar, npm package vnu-jar)")),
        "--format",
        "json",
        "--stdout",
        "--exit-zero-always",
        "--errors-only",
        # Language detection only ever warns (html[lang] missing or mislabelled), and --errors-only
        # drops warnings, so it would cost a third of vnu's time for nothing. axe checks html[lang].
        "--no-langdetect",
    ]
    # One JVM per CPU, so a 10,000-page archive uses the whole machine; more would only compete.
    workers = os.cpu_count() or 1
    size = min(VNU_BATCH, max(200, math.ceil(len(names) / workers)))
    batches = [names[start : start + size] for start in range(0, len(names), size)]
    with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
        results = list(pool.map(lambda batch: run_vnu(command + batch, root), batches))
    problems = []
    for messages in results:
        for message in messages:
            if message["type"] == "info":
                continue  # Warnings; --errors-only should leave none.
            name = message.get("url", "").removeprefix("file:").removeprefix(str(root) + "/")
            where = f"line {message['lastLine']}: " if "lastLine" in message else ""
            problems.append(GateProblem("html", name.removeprefix("./"), f"{where}{message['message']}"))
    return problems


def run_vnu(command, root):
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    try:
        return json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        problem = (result.stderr or result.stdout).strip()[:500]
        raise MissingTool(f"The Nu Html Checker did not run: {problem}") from exc


# Accessibility: axe-core in Chromium ------------------------------------------------------------

AXE_RUN = """async (tags) => {
    const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
    const results = await axe.run(document, options);
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((node) => node.target.join(" ")),
    }));
}"""


def check_accessibility(archive_dir, pages, about=None):
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on each of ``pages``, opened from file://.
    ``about``: a dict given the browser's version.

    Needs no database; Playwright's sync API runs an event loop, so call it outside database work.
    """
    from playwright.sync_api import sync_playwright  # A test/CI dependency; only this gate needs it.

    root = Path(archive_dir).resolve()
    axe_script = require_file(settings.AXE_CORE_JS, "axe-core (axe.min.js, npm package axe-core)")
    problems = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        if about is not None:
            about["version"] = browser.version
        try:
            tab = browser.new_page(viewport=AXE_VIEWPORT)
            tab.add_init_script(path=str(axe_script))  # Into every page loaded, before its own scripts.
            for name in pages:
                tab.goto((root / name).as_uri())
                problems += [
                    GateProblem("accessibility", name, describe_violation(violation))
                    for violation in tab.evaluate(AXE_RUN, AXE_TAGS)
                ]
        finally:
            browser.close()
    return problems


def describe_violation(violation):
    targets = violation["targets"]
    more = f" and {len(targets) - 3} more" if len(targets) > 3 else ""
    where = ", ".join(targets[:3]) + more
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — at {where}"


def pages_to_audit(page_urls, extra_files, archive_dir):
    """One archive file per page type and sub-route kind (the largest, so the most blocks), plus the
    404 and HTML sitemap pages. ``page_urls`` maps each exported URL to its page.

    Redirect stubs forward at once (meta refresh), so axe cannot hold them still; vnu checks them.
    """
    root = Path(archive_dir)
    own_url = {}
    for url, page in page_urls.items():
        if page.pk not in own_url or len(url) < len(own_url[page.pk]):
            own_url[page.pk] = url
    chosen = {}
    for url, page in sorted(page_urls.items()):
        route = url[len(own_url[page.pk]) :].split("/")[0]  # "" for the page itself, "page", "topic"…
        name = page_file(url)
        size = (root / name).stat().st_size
        kind = (type(page).__name__, route)
        if kind not in chosen or size > chosen[kind][0]:
            chosen[kind] = (size, name)
    specials = [name for name in ("404.html", extra_files.get("/sitemap/")) if name]
    return sorted(name for _size, name in chosen.values()) + specials


# Tools ------------------------------------------------------------------------------------------


def launch_chromium(playwright):
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser here)."""
    executable = require_program("chromium", "Chromium (run scripts/install-chromium.sh)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


def require_file(path, what):
    path = Path(path)
    if not path.is_file():
        raise MissingTool(f"{what} is missing at {path}: {INSTALL_HINT}.")
    return path


def require_program(name, what):
    found = shutil.which(name)
    if not found:
        raise MissingTool(f"{what} is missing: `{name}` is not on the PATH.")
    return found
