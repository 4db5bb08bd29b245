"""The quality gates' tools kept warm in a long-lived process: ``run_gates(..., tools=warm_tools())``.

A continuously-updated static copy runs the gates after every publish, from a task worker that lives
for hours, on the handful of files the update wrote. Starting vnu's JVM and a Chromium for each call
(gates.py's cold path) costs about 4 s; here both start on first use and stay up:

- vnu as an HTTP service on 127.0.0.1 (vnu_service.py), which checks a page in milliseconds;
- one Chromium in a thread of its own (browser_thread.py), so the worker's thread never runs
  Playwright's event loop and keeps its database access;
- each audit opens the pages over HTTP (page_server.py), from the build folder and, for what the
  build lacks (the stylesheets and images of a sparse update), a fallback folder: the live copy.

The findings are those of the cold path, worded alike. There is one set of tools per process:
``warm_tools()`` makes it on first use and closes it when the interpreter exits. A process forked
from one that has tools gets its own (the parent's JVM and browser are the parent's to use and stop).
The first check waits for the tools to start (5–10 s); a worker that calls ``warm_tools().start()``
as it begins has them ready. A frozen snapshot keeps the cold path: it runs rarely, and over every page.
"""

import atexit
import contextlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from .browser_thread import BrowserThread
from .gates import AXE_NEEDED, audit_pages, axe_tab, html_files, require_file
from .page_server import serve_pages
from .vnu_service import VnuService

# An axe tab serves this many audits, then a new one replaces it, so nothing builds up over hours.
TAB_AUDITS = 50


@dataclass
class AxeTab:
    """The tab the warm browser audits in, what it belongs to, and the origins it has audited."""

    tab: object
    browser: object
    script: Path
    origins: set = field(default_factory=set)  # The page servers' origins it has opened pages from.


class WarmTools:
    """vnu and Chromium, started on first use and kept until ``close()``; safe to share between
    threads. Use ``warm_tools()`` for the process's own; make one directly only to own its life
    (``with WarmTools() as tools:``), as the tests do."""

    def __init__(self):
        self.pid = os.getpid()
        self.vnu = VnuService()
        self.browser = BrowserThread()
        self._tab = None  # An AxeTab, used in the browser's thread only.

    def start(self):
        """Start the JVM and the browser in the background and return at once, so that the first
        check need not wait for them (together about 5 s, longer on a busy machine). Optional: each
        starts on first use anyway. A tool that cannot start says so (MissingTool) when first used."""
        for begin in (self.vnu.running, lambda: self.browser.run(lambda browser: None)):
            threading.Thread(target=_quietly, args=(begin,), name="warm-tools-start", daemon=True).start()

    def check_html(self, archive_dir, only=None):
        """As ``gates.check_html``: vnu's errors in the archive's HTML files, or in those of ``only``."""
        root = Path(archive_dir).resolve()
        return self.vnu.check(root, html_files(root, only))

    def check_accessibility(self, archive_dir, pages, fallback=None, about=None):
        """As ``gates.check_accessibility``, with each page opened over HTTP from ``archive_dir`` and,
        for the files it lacks, ``fallback``. ``about``: a dict given the browser's version."""
        axe_script = require_file(settings.AXE_CORE_JS, AXE_NEEDED)
        with serve_pages(archive_dir, fallback) as root_url:

            def audit(browser):
                if about is not None:
                    about["version"] = browser.version
                tab = self._axe_tab(browser, axe_script, root_url)
                try:
                    problems = audit_pages(tab, pages, lambda name: root_url + quote(name))
                    tab.goto("about:blank")  # Nothing of this archive stays loaded, nor runs.
                except Exception:
                    self._close_tab()  # It may have crashed or hung: the next audit opens a new one.
                    raise
                return problems

            return self.browser.run(audit)

    def _axe_tab(self, browser, axe_script, origin):
        """A tab with axe loaded into each page, reused between audits: a new context, tab and
        renderer cost more than auditing a page. Nothing carries over from one audit to the next:
        each audit's server has an origin (a port) the tab has not opened before, so no storage or
        cache of an earlier audit applies, and the server answers ``Cache-Control: no-store``. (A port
        the system hands out again gets a new tab, with a context of its own.) Cookies ignore ports,
        so they are cleared. Called in the browser's thread only."""
        kept = self._tab
        if (
            kept is not None
            and kept.browser is browser
            and kept.script == axe_script
            and origin not in kept.origins
            and len(kept.origins) < TAB_AUDITS
            and not kept.tab.is_closed()
        ):
            kept.origins.add(origin)
            kept.tab.context.clear_cookies()
            return kept.tab
        self._close_tab()
        self._tab = AxeTab(axe_tab(browser, axe_script), browser, axe_script, {origin})
        return self._tab.tab

    def _close_tab(self):
        if self._tab is not None:
            with contextlib.suppress(Exception):  # Closed, or gone with its browser: nothing to close.
                self._tab.tab.close()
            self._tab = None

    def close(self):
        """Stop the JVM and the browser. Does nothing in a process forked from the one that made them:
        they are the parent's."""
        if os.getpid() != self.pid:
            return
        self.browser.close()
        self.vnu.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _quietly(start):
    with contextlib.suppress(Exception):  # Raised again, to the caller, when the tool is first used.
        start()


_lock = threading.Lock()
_tools = None


def warm_tools():
    """This process's WarmTools, made on first call (its JVM and browser start on first use) and
    closed at exit. Keyed on the process id, so a forked child never uses its parent's."""
    global _tools
    with _lock:
        if _tools is None or _tools.pid != os.getpid():
            _tools = WarmTools()
            atexit.register(_tools.close)
        return _tools


def close_warm_tools():
    """Close this process's WarmTools, if any; the next ``warm_tools()`` makes new ones."""
    global _tools
    with _lock:
        tools, _tools = _tools, None
    if tools is not None and tools.pid == os.getpid():
        tools.close()


def _after_fork_in_child():
    """A lock held by another thread at the fork would never be released in the child."""
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
