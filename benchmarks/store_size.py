"""What a one-page correction adds to the snapshot store at 10,000 pages, beside a full copy.

Run after ``make bench`` has generated the benchmark site (``make bench-store`` does both), as
``python -m benchmarks.store_size`` with ``DJANGO_SETTINGS_MODULE=benchmarks.settings``: it freezes the
site into a fresh store (v1), publishes a new revision of one case study as an editor would, freezes
again (v2), then verifies the store and checks v1 out. Each step runs in its own process; results go
to stdout and into docs/performance.md between the store-benchmark markers.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks.run import ROOT, SETTINGS, in_subprocess, machine, say, settle

START, END = "<!-- store-benchmark:start -->", "<!-- store-benchmark:end -->"
DOC = ROOT / "docs" / "performance.md"
BENCH = Path(os.environ.get("BENCH_DIR", ROOT / "bench"))
CAPTURES = ("2024-04-30T17:00:00Z", "2024-05-01T17:00:00Z")


def timed(command):
    settle()
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS})
    return time.monotonic() - started


def freeze(output, store, captured_at):
    seconds = timed(
        [sys.executable, "manage.py", "export_archive", "--output", str(output), "--store", str(store)]
        + ["--captured-at", captured_at]
    )
    report = json.loads(output.with_name(f"{output.name}-report.json").read_text())
    return {"seconds": seconds, "report": report}


def kind(path):
    """What an archive file is, for the table of what a version added."""
    if path.startswith("pagefind/"):
        return "search index (pagefind/)"
    if path.startswith("api/"):
        return "frozen API (api/)"
    if path.endswith(".html"):
        return "HTML pages"
    return "other (sitemaps, feed, README, titles.js …)"


def added_by(store, version):
    """(files, bytes) the version added to the store, by kind of file."""
    root = next(path.parent for path in store.rglob("0=ocfl_object_1.1"))
    counts, sizes = Counter(), Counter()
    content = root / version / "content"
    for path in content.rglob("*"):
        if path.is_file():
            name = kind(path.relative_to(content).as_posix())
            counts[name] += 1
            sizes[name] += path.stat().st_size
    return counts, sizes


def main():
    work = BENCH / "store-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    output, store = work / "archive", work / "store"
    load = os.getloadavg()[0]
    first = freeze(output, store, CAPTURES[0])
    say(f"v1: {first['seconds']:.1f} s, store stage {first['report']['stages'].get('store')} s")
    edited = in_subprocess("edit")
    second = freeze(output, store, CAPTURES[1])
    say(f"v2: {second['seconds']:.1f} s, store stage {second['report']['stages'].get('store')} s")
    verify = timed([sys.executable, "-m", "static_export.archive", "verify", str(store), "--no-record"])
    checkout = timed(
        [sys.executable, "-m", "static_export.archive", "checkout", str(store), "v1", str(work / "v1")]
    )
    counts, sizes = added_by(store, "v2")
    section = render(first, second, edited, verify, checkout, counts, sizes, load)
    text = DOC.read_text()
    if START in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text)
    say(section)


def render(first, second, edited, verify, checkout, counts, sizes, load):
    v1, v2 = first["report"], second["report"]
    stored_v1, stored_v2 = v1["store"], v2["store"]
    share = stored_v2["added_bytes"] / stored_v2["bytes"]
    rows = "\n".join(
        f"| {name} | {counts[name]} | {sizes[name]:,} |"
        for name in sorted(counts, key=lambda name: -sizes[name])
    )
    copy = f"{stored_v1['files']:,} files, {stored_v1['bytes']:,} bytes"
    copy_v2 = f"{stored_v2['files']:,} files, {stored_v2['bytes']:,} bytes"
    added_v1 = f"{stored_v1['added_files']:,} files, {stored_v1['added_bytes']:,} bytes"
    added_v2 = (
        f"{stored_v2['added_files']:,} files, {stored_v2['added_bytes']:,} bytes ({share:.2%} of a full copy)"
    )
    store_seconds = f"{v1['stages'].get('store', 0):.1f} s | {v2['stages'].get('store', 0):.1f} s"
    return f"""{START}
## Snapshot store: what a one-page correction adds

Measured by `make bench-store` (`benchmarks/store_size.py`) on {time.strftime("%Y-%m-%d")} ({machine()};
load average {load:.1f} at the start), on the benchmark site of `make bench`. Two freezes with
`export_archive --store`, a day apart in capture time; between them a new revision of one case study
(page {edited["page"]}) is published, changing its title and body.

| | v1 (first freeze) | v2 (after the correction) |
| --- | --- | --- |
| pages exported | {v1["pages"]:,} | {v2["pages"]:,} |
| the archive folder (a full copy) | {copy} | {copy_v2} |
| **added to the store** | {added_v1} | **{added_v2}** |
| `export_archive --store`, whole command | {first["seconds"]:.1f} s | {second["seconds"]:.1f} s |
| of which adding to the store (`store` stage) | {store_seconds} |

What v2 added:

| kind of file | files | bytes |
| --- | --- | --- |
{rows}

Every page whose content did not change is kept byte for byte from v1 (with v1's capture time), so
OCFL's forward delta stores it once. What a correction adds is the corrected page, the pages that show
or link to it (listings, home), the site-wide files that name it (sitemaps, feed, the API's listings,
search index chunks) and `README.txt`, which states the new capture time.

Verifying the whole store (ocfl-py's structure check and the SHA-512 of every stored file, both
versions): {verify:.1f} s. Checking v1 out to a folder, byte for byte: {checkout:.1f} s.

**Where the store stage's time goes.** Hashing and copying 300 MB takes a few seconds; most of the rest
is ocfl-py 2.1.0's `NewVersion.add`, which for every file builds the lists of all content paths and
of all logical paths so far to check the new one is not among them, so adding a version takes time
quadratic in its number of files (with 8,000 small files, 15 of 20 s are spent there; with 32,000,
about four times as many checks per file). A version adds every file of the folder, changed or not,
so each freeze at this size pays it. Keeping those paths in sets in ocfl-py would make it linear; we
have not patched the library.
{END}"""


if __name__ == "__main__":
    main()
