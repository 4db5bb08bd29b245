"""The Nu Html Checker kept running as an HTTP service, for a process that checks a few pages often.

``check_html`` (gates.py) starts a JVM per call: about 2 s before the first page is read, which is
most of the cost of checking the handful of files an update of the static copy writes. vnu.jar is also
a web service (``nu.validator.servlet.Main PORT``); started once, on 127.0.0.1 only, it checks a page
posted to it in milliseconds, with the same checker, schema and messages as the command line.

Options of the command line, and how the service matches them:

- ``--errors-only``: the ``level=error`` parameter.
- ``--no-langdetect``: the service has no such switch (no system property turns the language
  detector off). It only ever warns, and ``level=error`` drops warnings, so the findings are the same;
  its language profiles are loaded once, at start-up, and cost little per page after that.
- File encoding: the command line reads every file as UTF-8 (a legacy encoding is then reported as
  malformed bytes), as the service does with ``Content-Type: text/html; charset=utf-8``.

If the JVM dies (or stops answering), it is started again once and the page checked again.
"""

import http.client
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import ProxyHandler, Request, build_opener

from django.conf import settings

from .files import MAX_CHECKED_BYTES
from .gates import (
    JAVA_NEEDED,
    JAVA_OPTIONS,
    VNU_NEEDED,
    MissingTool,
    require_file,
    require_program,
    vnu_problems,
)

# The service accepts documents up to 2 MiB unless told otherwise; the command line has no limit.
SERVICE_OPTIONS = [
    "-Dnu.validator.servlet.bind-address=127.0.0.1",
    f"-Dnu.validator.servlet.max-file-size={MAX_CHECKED_BYTES}",
]
START_SECONDS = 120  # About 5 s on an idle machine; much longer when the machine is busy.
CHECK_SECONDS = 120
PORT_ATTEMPTS = 3  # A free port can be taken by another program before the JVM binds it.
THREADS = min(4, os.cpu_count() or 1)
PROBE = b"<!DOCTYPE html><html lang=en><title>probe</title>"
# No proxy, whatever the environment says: the service is on this machine.
OPENER = build_opener(ProxyHandler({}))
# How a request fails when the JVM is not (or no longer) answering: no JSON of messages comes back.
FAILURES = (OSError, http.client.HTTPException, ValueError, KeyError)


@dataclass
class Service:
    process: subprocess.Popen
    port: int
    log: object  # The JVM's output, read only to say why it did not start.

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/?out=json&level=error"


class VnuService:
    """One vnu JVM serving checks on 127.0.0.1, started on first use and kept until ``close()``.

    Thread-safe: ``check`` posts several files at once, and callers in other threads may check too.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._service = None
        self._closed = False
        self.starts = 0  # How many JVMs this service has started (1 while nothing went wrong).

    @property
    def pid(self):
        """The running JVM's process id, or None."""
        service = self._service
        return service.process.pid if service and service.process.poll() is None else None

    def check(self, root, names):
        """GateProblems of vnu's errors in the files ``names`` (archive paths) of the folder ``root``,
        in the order of ``names``, worded as ``gates.check_html`` words them."""
        if not names:
            return []
        root = Path(root)
        self.running()
        with ThreadPoolExecutor(max_workers=min(THREADS, len(names))) as pool:
            found = pool.map(lambda name: self.problems(root, name), names)
            return [problem for problems in found for problem in problems]

    def problems(self, root, name):
        return vnu_problems(name, self.messages((root / name).read_bytes()))

    def messages(self, document):
        """vnu's JSON messages about one HTML ``document`` (bytes); restarts a dead JVM once."""
        service = self.running()
        try:
            return self.post(service, document)
        except HTTPError as exc:  # The service answered, with an error of its own: not a dead JVM.
            raise MissingTool(f"The Nu Html Checker service failed: HTTP {exc.code} {exc.reason}") from exc
        except FAILURES:  # Refused, reset, timed out or cut short: the JVM died or hangs.
            service = self.replace(service)
        try:
            return self.post(service, document)
        except FAILURES as exc:
            raise MissingTool(f"The Nu Html Checker service stopped answering ({exc!r}).") from exc

    @staticmethod
    def post(service, document, timeout=CHECK_SECONDS):
        request = Request(service.url, data=document, headers={"Content-Type": "text/html; charset=utf-8"})
        with OPENER.open(request, timeout=timeout) as answer:
            return json.load(answer)["messages"]

    def running(self):
        """The service, started if it is not running."""
        with self._lock:
            if self._closed:
                raise RuntimeError("This vnu service was closed.")
            if self._service is None or self._service.process.poll() is not None:
                self._stop()
                self._service = self._start()
            return self._service

    def replace(self, failed):
        """A new service in place of ``failed`` (unless another thread has replaced it already)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("This vnu service was closed.")
            if self._service is failed:
                self._stop()
                self._service = self._start()
            return self._service

    def close(self):
        with self._lock:
            self._closed = True
            self._stop()

    def _start(self):
        java = require_program("java", JAVA_NEEDED)
        jar = require_file(settings.VNU_JAR, VNU_NEEDED)
        for _attempt in range(PORT_ATTEMPTS):
            port = free_port()
            log = tempfile.TemporaryFile()
            command = [java, *JAVA_OPTIONS, *SERVICE_OPTIONS, "-cp", str(jar), "nu.validator.servlet.Main"]
            process = subprocess.Popen(
                [*command, str(port)], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
            self.starts += 1
            service = Service(process, port, log)
            if wait_until_answering(service):
                return service
            stop(service)
            log.seek(0)
            said = log.read().decode("utf-8", errors="replace").strip()[-500:]
            log.close()
            if "Address already in use" not in said:
                break
        raise MissingTool(f"The Nu Html Checker service ({jar}) did not start: {said or 'no output'}")

    def _stop(self):
        if self._service is not None:
            stop(self._service)
            self._service.log.close()
            self._service = None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(service, seconds=START_SECONDS):
    """True once the service checks a document (so it is vnu answering, not another program that took
    the port); False if the JVM exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and service.process.poll() is None:
        try:
            VnuService.post(service, PROBE, timeout=10)
            return True
        except FAILURES:
            time.sleep(0.1)
    return False


def stop(service):
    if service.process.poll() is None:
        service.process.terminate()
        try:
            service.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()
