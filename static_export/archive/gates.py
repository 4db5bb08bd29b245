"""Quality gates on a finished archive: no leaked markup, valid HTML, accessible page types.

Each gate returns a list of GateProblem naming the file and the problem; an empty list is a pass.
``check_leaked_markup`` and ``check_html`` need only the archive folder, so ``verify_archive`` can run
them years later. ``check_accessibility`` drives Debian's Chromium through Playwright; the export
asks it to audit one page of each type (``pages_to_audit``), not every page.

Each call starts its tools afresh (a JVM for vnu, a Chromium for axe: about 4 s together), which suits
a full export or a frozen snapshot. A long-lived process that checks a handful of files after every
publish passes ``tools`` (warm.WarmTools, from ``warm.warm_tools()``): the same checks, the same
findings, through a vnu service and a Chromium kept running between calls.
"""

import json
import math
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings

from .checks import CheckRun, GateProblem
from .files import archive_files, only_files
from .layout import page_file
from .markup import check_leaked_markup

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
# What each tool is, as MissingTool names it.
JAVA_NEEDED = "Java 17 for the Nu Html Checker (apt-get install openjdk-17-jre-headless)"
VNU_NEEDED = "The Nu Html Checker (vnu.jar, npm package vnu-jar)"
AXE_NEEDED = "axe-core (axe.min.js, npm package axe-core)"


class MissingTool(Exception):
    """A gate's tool is not installed; the message names it and how to install it."""


def run_gates(archive_dir, names=GATES, pages=None, only=None, runs=None, *, tools=None, fallback=None):
    """Run the named gates over ``archive_dir``; ``pages`` are the HTML files axe audits.

    ``only``: the markup and HTML gates check these files (archive paths) alone. ``runs``: a list to
    which a CheckRun of each gate is added (tool, version, files checked, problems).

    ``tools``: a warm.WarmTools whose vnu service and Chromium check instead of a JVM and a browser
    started for this call (the findings are the same). ``fallback``: with ``tools``, a folder from
    which axe's browser is served the files ``archive_dir`` lacks, so a build folder holding only the
    pages an update wrote is audited with the stylesheets and images of the live copy beside it.
    The markup and HTML gates read only the files they check, so ``fallback`` changes nothing for them.
    """
    unknown = set(names) - set(GATES)
    if unknown:
        raise ValueError(f"Unknown quality gates {sorted(unknown)}; choose from {GATES}.")
    if "accessibility" in names and pages is None:
        raise ValueError("The accessibility gate needs the pages to audit (one per page type).")
    if fallback is not None and tools is None:
        raise ValueError("A fallback folder is served to axe by the warm tools only: pass tools too.")
    browser = {}
    html_check = tools.check_html if tools is not None else check_html
    # vnu runs in Java processes of its own, so it checks while the other gates run here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        html = pool.submit(html_check, archive_dir, only) if "html" in names else None
        found = {"markup": check_leaked_markup(archive_dir, only) if "markup" in names else []}
        if "accessibility" not in names:
            found["accessibility"] = []
        elif tools is not None:
            found["accessibility"] = tools.check_accessibility(archive_dir, pages, fallback, browser)
        else:
            found["accessibility"] = check_accessibility(archive_dir, pages, browser)
        found["html"] = html.result() if html else []
    if runs is not None:
        checked = len(html_files(archive_dir, only))
        counts = {"markup": checked, "html": checked, "accessibility": len(pages or ())}
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


# HTML validity: the Nu Html Checker -------------------------------------------------------------


def check_html(archive_dir, only=None):
    """Errors the Nu Html Checker (vnu.jar) finds in the archive's HTML files, all in a few JVM runs.

    Warnings are not failures (the templates are kept free of them by hand). ``only``: these files alone.
    """
    root = Path(archive_dir).resolve()
    names = html_files(root, only)
    if not names:
        return []
    command = [
        require_program("java", JAVA_NEEDED),
        *JAVA_OPTIONS,
        "-jar",
        str(require_file(settings.VNU_JAR, VNU_NEEDED)),
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
            name = message.get("url", "").removeprefix("file:").removeprefix(str(root) + "/")
            problems += vnu_problems(name.removeprefix("./"), [message])
    return problems


def html_files(root, only):
    """The HTML files the HTML gate checks: every one in the archive, or those of ``only``."""
    return archive_files(root, {".html"}) if only is None else only_files(only, {".html"})


def vnu_problems(name, messages):
    """The GateProblems in vnu's JSON ``messages`` about the archive file ``name``, warnings left out.

    One reading for the command line (cold) and the HTTP service (warm.py), so both word them alike.
    """
    return [
        GateProblem("html", name, f"line {message['lastLine']}: {message['message']}")
        if "lastLine" in message
        else GateProblem("html", name, message["message"])
        for message in messages
        if message["type"] != "info"  # Warnings; --errors-only (level=error) should leave none.
    ]


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
    axe_script = require_file(settings.AXE_CORE_JS, AXE_NEEDED)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        if about is not None:
            about["version"] = browser.version
        try:
            tab = axe_tab(browser, axe_script)
            return audit_pages(tab, pages, lambda name: (root / name).as_uri())
        finally:
            browser.close()


def axe_tab(browser, axe_script):
    """A new tab (in a context of its own) that loads axe-core into every page it opens."""
    tab = browser.new_page(viewport=AXE_VIEWPORT)
    tab.add_init_script(path=str(axe_script))  # Into every page loaded, before its own scripts.
    return tab


def audit_pages(tab, pages, address):
    """axe's violations on each of ``pages``, each opened in ``tab`` (from ``axe_tab``) at
    ``address(page)``: a file:// URL (the cold path) or an HTTP one (the warm tools)."""
    problems = []
    for name in pages:
        tab.goto(address(name))
        problems += [
            GateProblem("accessibility", name, describe_violation(violation))
            for violation in tab.evaluate(AXE_RUN, AXE_TAGS)
        ]
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
