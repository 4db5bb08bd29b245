"""Serve a build folder to the warm browser over HTTP, with the files it lacks from a fallback folder.

An update of the static copy builds into a sparse folder that holds only the files it wrote; the
pages' stylesheets, scripts and images are in the live copy beside it. axe must audit each page as a
visitor sees it, so the warm browser (warm.py) opens pages from this server, which answers a path from
the build folder first and else from the fallback. A path means what it means on disk when the
archive is opened from file:// (``/x/`` is ``/x/index.html``, query strings are ignored), so relative
links, stylesheets and Pagefind's assets resolve as they do there, and axe finds the same. (One page
differs by design: search/index.html searches with Pagefind over HTTP and runs a title search of its own
from disk. It is not among the pages the gates audit.)

Nothing outside the two folders is served: ``..`` is refused and no symbolic link is followed
anywhere in a path, nor a FIFO or device opened (files.open_beneath). The server listens on
127.0.0.1 at a free port, for one audit, and logs nothing.
"""

import contextlib
import os
import shutil
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .files import FileSkipped, open_beneath
from .layout import content_type


@contextlib.contextmanager
def serve_pages(build_dir, fallback=None):
    """Serve ``build_dir`` (and what it lacks from ``fallback``) on 127.0.0.1; yields the root URL,
    ``http://127.0.0.1:PORT/``. The server stops when the block ends."""
    folders = [Path(build_dir).resolve()]
    if fallback is not None:
        folders.append(Path(fallback).resolve())
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    server.folders = folders
    # serve_forever checks for shutdown every poll_interval: its default half second would be spent
    # waiting at the end of every audit.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="page-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def find_file(folders, name):
    """(the file at the URL path ``name`` opened from the first of ``folders`` that has it, the path
    served); raises IsADirectoryError for a folder named without its ``/``, FileNotFoundError else.

    A path one folder refuses (a symbolic link, a FIFO) is refused outright, not looked up in the next:
    the fallback fills gaps in the build, it does not stand in for what the build holds.
    """
    for folder in folders:
        try:
            file = open_beneath(folder, name)
        except FileNotFoundError:
            continue
        except FileSkipped:
            break
        return file, name + "index.html" if name == "" or name.endswith("/") else name
    raise FileNotFoundError(name)


class PageHandler(BaseHTTPRequestHandler):
    """GET and HEAD of files only; anything the folders do not hold, or refuse, is a 404."""

    def do_GET(self):  # http.server's name for it
        self.answer(send_body=True)

    def do_HEAD(self):  # http.server's name for it
        self.answer(send_body=False)

    def answer(self, send_body):
        path = urlsplit(self.path).path
        try:
            file, served = find_file(self.server.folders, unquote(path).removeprefix("/"))
        except IsADirectoryError:  # "news" → "news/", so the page's relative links resolve under it.
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        except OSError:  # Not there, not allowed (.., a link, a FIFO) or not readable.
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with file:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type(served))
            self.send_header("Content-Length", str(os.fstat(file.fileno()).st_size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                shutil.copyfileobj(file, self.wfile)

    def log_message(self, format, *args):  # Quiet: the gates report what they find themselves.
        pass
