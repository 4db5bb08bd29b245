"""How many bytes the archive's search downloads: once per visit, and for each query.

    .venv/bin/python scripts/search_bytes.py ARCHIVE_DIR [QUERY ...]

Serves ARCHIVE_DIR's parent on 127.0.0.1 (so the archive sits under a sub-path), opens the archive's
search page in Debian's Chromium and types each query into its search box, one after another. The
server counts the bytes of every file it sends (an empty cache), as stored and as the production
front server sends them (nginx gzips scripts, styles and pages; Pagefind's index files are gzipped
already): the first figure is
what the search page itself loads, then the extra bytes each query fetches (index chunks, filters,
and the fragments of the results shown).
"""

import functools
import gzip
import re
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


# What the production front server (deploy/nginx.conf.template: gzip_types, level 5) compresses.
# Pagefind's own index files are gzipped already, and nginx sends them as they are.
COMPRESSED = (".html", ".css", ".js", ".json", ".xml", ".svg", ".wasm")


class CountingHandler(SimpleHTTPRequestHandler):
    sent = []  # (path, bytes, bytes gzipped as nginx would send them) of every file served

    def copyfile(self, source, outputfile):
        start = source.tell()
        super().copyfile(source, outputfile)
        source.seek(start)
        content = source.read()
        gzipped = len(gzip.compress(content, 5)) if self.path.endswith(COMPRESSED) else len(content)
        self.sent.append((self.path, len(content), min(gzipped, len(content))))

    def log_message(self, format, *args):
        pass


def measure(archive, queries):
    archive = Path(archive).resolve()
    handler = functools.partial(CountingHandler, directory=str(archive.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{archive.name}/search/index.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        box = page.locator("#archive-search-words")
        box.wait_for()
        page.wait_for_load_state("networkidle")
        report("search page and its script", CountingHandler.sent)
        message = page.locator("#archive-search-summary")
        for query in queries:
            CountingHandler.sent = []
            box.fill(query)
            message.filter(has_text=re.compile(f"results? for {re.escape(query)}")).wait_for()
            page.wait_for_load_state("networkidle")
            report(f"query “{query}”: {message.inner_text()}", CountingHandler.sent)
        browser.close()
    server.shutdown()


def report(label, sent):
    total, gzipped = sum(size for _path, size, _gz in sent), sum(gz for _path, _size, gz in sent)
    print(f"{total:>9,} bytes ({gzipped:,} gzipped as nginx sends them) in {len(sent):>2} files  {label}")  # noqa: T201
    for path, size, gz in sent:
        print(f"{size:>19,} {gz:>9,}  {path}")  # noqa: T201


if __name__ == "__main__":
    measure(sys.argv[1], sys.argv[2:] or ["students", "loneliness", "webinar"])
