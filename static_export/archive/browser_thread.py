"""One Chromium kept open in a thread of its own, for a long-lived process that audits pages often.

``check_accessibility`` (gates.py) starts Playwright and a Chromium per call: about 2 s. A worker that
audits a few pages after every publish keeps one browser instead. It cannot be driven from the
worker's own thread: Playwright's sync API runs an asyncio event loop in the thread that starts it,
and Django refuses database access (SynchronousOnlyOperation) from a thread where an event loop runs.
So one thread, started on first use, owns ``sync_playwright().start()`` and the browser, and runs the
jobs other threads hand it through a queue; each caller waits for its job's result or exception.
If Chromium crashed or was killed, the next job launches a new one (a job the crash interrupted is
run once more in it).
"""

import queue
import threading
from concurrent.futures import Future

from .gates import launch_chromium

CLOSE_SECONDS = 30


class BrowserThread:
    """A Chromium driven by Playwright from a dedicated thread; ``run(job)`` calls ``job(browser)``
    there and returns what it returns (or raises what it raises) in the calling thread."""

    def __init__(self, launch=launch_chromium):
        self._launch = launch
        self._lock = threading.Lock()
        self._jobs = queue.SimpleQueue()
        self._thread = None
        self._closed = False
        self._browser = None  # Used only in the thread.
        self.launches = 0  # How many Chromiums the thread has launched (1 while nothing went wrong).
        self.version = ""  # The running Chromium's version, once launched.

    def run(self, job):
        if threading.current_thread() is self._thread:
            raise RuntimeError("A browser job cannot wait for another job: it would wait for ever.")
        future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("This browser thread was closed.")
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="warm-chromium", daemon=True)
                self._thread.start()
            self._jobs.put((job, future))
        return future.result()

    def close(self):
        """Close the browser and Playwright and end the thread (after the jobs already queued)."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._jobs.put(None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(CLOSE_SECONDS)

    def _serve(self):
        from playwright.sync_api import sync_playwright  # A test/CI dependency; only axe needs it.

        try:
            playwright = sync_playwright().start()
        except BaseException as exc:  # The jobs waiting would otherwise wait for ever.
            self._fail_waiting(exc)
            return
        try:
            while (item := self._jobs.get()) is not None:
                job, future = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(self._in_browser(playwright, job))
                    except BaseException as exc:
                        future.set_exception(exc)
        finally:
            try:
                if self._browser is not None:
                    self._browser.close()
            except Exception:  # Already gone: nothing to close.
                pass
            playwright.stop()

    def _in_browser(self, playwright, job):
        browser = self._connected(playwright)
        try:
            return job(browser)
        except Exception:
            if browser.is_connected():
                raise
        return job(self._connected(playwright))  # Chromium died during the job: once more, in a new one.

    def _connected(self, playwright):
        if self._browser is None or not self._browser.is_connected():
            if self._browser is not None:
                try:
                    self._browser.close()  # Lets Playwright forget the dead one.
                except Exception:
                    pass
            self._browser = None
            self._browser = self._launch(playwright)
            self.launches += 1
            self.version = self._browser.version
        return self._browser

    def _fail_waiting(self, exc):
        """Hand ``exc`` to every job queued; the next ``run`` starts a new thread."""
        with self._lock:
            self._thread = None
            while True:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[1].set_exception(exc)
