"""The export benchmark behind ``make bench``: stock wagtail-bakery against our export, on one database.

Run as ``python -m benchmarks.run`` with ``DJANGO_SETTINGS_MODULE=benchmarks.settings``. Each
measurement runs in its own process, so peak memory is that measurement's alone. Results go to
stdout and into docs/performance.md between the export-benchmark markers.
"""

import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- export-benchmark:start -->", "<!-- export-benchmark:end -->"
SETTINGS = "benchmarks.settings"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def peak_rss_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(own / 1024), round(workers / 1024)


def measure_stock():
    """wagtail-bakery's own ``build`` with AllPublishedPagesView, pages only."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    counter = QueryCounter()
    started = time.monotonic()
    with connection.execute_wrapper(counter):
        call_command("build", "--skip-static", "--skip-media", build_dir=str(settings.BUILD_DIR))
    seconds = time.monotonic() - started
    pages = sum(1 for _ in Path(settings.BUILD_DIR).rglob("index.html"))
    return {"pages": pages, "seconds": seconds, "queries": counter.count, "rss_mb": peak_rss_mb()}


def measure_pages():
    """Our export's page stage alone, into a throwaway folder."""
    setup_django()
    build_dir = tempfile.mkdtemp(prefix="bench-pages-")
    try:
        archive = page_stage_archive(build_dir)
        started = time.monotonic()
        queries = run_page_stage(archive)
        seconds = time.monotonic() - started
        pages = len(archive.page_urls)
        return {"pages": pages, "seconds": seconds, "queries": queries, "rss_mb": peak_rss_mb()}
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)


def page_stage_archive(build_dir, options=None):
    """An export of the default site into ``build_dir``, ready for its page stage."""
    import datetime

    from wagtail.models import Site

    from static_export.exporter import ArchiveBuild

    site = Site.objects.get(is_default_site=True)
    captured_at = datetime.datetime(2024, 4, 30, tzinfo=datetime.UTC)
    archive = ArchiveBuild(build_dir, site, "https://example.org", captured_at, options=options)
    return archive


def run_page_stage(archive):
    """Run the page stage; returns its SQL queries, each counted once: the stage's own (known objects,
    listing routes) and its batches' (``archive.page_queries``, counted by each batch)."""
    from django.db import connection

    from static_export.views import ArchivePageView

    view = ArchivePageView(archive=archive)
    in_this_process = view.worker_count() == 1
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        view.build_queryset()
    if in_this_process:
        return counter.count  # The batches ran here, under this counter: it has counted them already.
    return counter.count + archive.page_queries  # Forked workers' queries never reach this counter.


def measure_full_export():
    """The full export with its quality gates and its package (bag, WACZ, PREMIS), as ``make archive``
    makes it; its CPU time counts every process it ran (page workers, Pagefind, vnu, Chromium)."""
    output = ROOT / "bench" / "archive"
    settle()
    started, cpu = time.monotonic(), children_cpu_seconds()
    run(
        [
            sys.executable,
            "manage.py",
            "export_archive",
            "--output",
            str(output),
            "--captured-at",
            "2024-04-30T17:00:00Z",
            "--package",
        ]
    )
    seconds = time.monotonic() - started
    report = json.loads((ROOT / "bench" / "archive-report.json").read_text())
    return {
        "seconds": seconds,
        "export_seconds": report["seconds"],
        "cpu_seconds": children_cpu_seconds() - cpu,
        "stages": report["stages"],
        "alongside": report.get("alongside", {}),
        "pages": report["pages"],
        "files": report["files"],
    }


def children_cpu_seconds():
    """User and system CPU seconds of the finished child processes (and theirs, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def edit_one_case_study():
    """Publish a new revision of one case study, changing its title and body, as an editor would."""
    setup_django()
    from wagtail.rich_text import RichText

    from case_studies.models import CaseStudyPage

    page = CaseStudyPage.objects.live().order_by("pk").first().get_latest_revision_as_object()
    page.title = f"{page.title} (revised {time.strftime('%H:%M:%S')})"
    correction = RichText("<p>A corrected account, published after the archive was made.</p>")
    page.body = [("paragraph", correction)] + [(block.block_type, block.value) for block in page.body]
    page.save_revision().publish()
    return {"page": page.pk}


def measure_incremental_export():
    """After the full export: edit one case study, then ``export_archive --incremental`` on its output."""
    edited = in_subprocess("edit")
    output = ROOT / "bench" / "archive"
    settle()
    started = time.monotonic()
    run([sys.executable, "manage.py", "export_archive", "--output", str(output), "--incremental"])
    seconds = time.monotonic() - started
    report = json.loads((ROOT / "bench" / "archive-report.json").read_text())
    return {
        "page": edited["page"],
        "seconds": seconds,  # the whole command, Python and Django start-up included
        "export_seconds": report["seconds"],
        "mode": report["incremental"],
        "stages": report["stages"],
        "alongside": report.get("alongside", {}),
    }


def run(command):
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS})


def settle():
    """Start each measurement from the same state: dirty pages written out and, where allowed (root),
    the page cache dropped. On the machines we measure on, creating files gets several times slower
    as the page cache fills with the previous measurement's output. Returns whether it was dropped."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def in_subprocess(name):
    """Run one measurement in a fresh interpreter; its JSON result is the last line it prints."""
    settle()
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--measure", name],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def machine():
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    return f"{os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB, Python {platform.python_version()}"


def rate(result):
    return result["pages"] / result["seconds"]


def render_update(update):
    mode = update["mode"]
    if mode["mode"] != "incremental":
        outcome = f"It exported in full instead: {mode['reason']}."
    else:
        partly = mode.get("partly_rendered_pages", {})
        urls = f", {sum(partly.values())} URLs of {len(partly)} listing(s) among them" if partly else ""
        outcome = (
            f"It re-rendered {len(mode['rendered_pages'])} pages (the case study and the pages that show "
            f"or link to it{urls}) and kept the rest."
        )
    stages = "\n".join(
        f"| {name} | {seconds:.2f}{alongside_note(update, name)} |"
        for name, seconds in update["stages"].items()
    )
    return f"""Incremental `export_archive --incremental` after publishing a new revision of one case study
(page {update["page"]}): **{update["export_seconds"]:.1f} s** in the export ({update["seconds"]:.1f} s for the
whole command, start-up included). {outcome}

| stage | seconds |
| --- | --- |
{stages}"""


def render(stock, ours, full, load, update, dropped):
    ratio = rate(ours) / rate(stock)
    rows = [
        ("pages", stock["pages"], ours["pages"]),
        ("wall time (s)", f"{stock['seconds']:.1f}", f"{ours['seconds']:.1f}"),
        ("pages/s", f"{rate(stock):.1f}", f"{rate(ours):.1f}"),
        (
            "SQL queries per page",
            f"{stock['queries'] / stock['pages']:.1f}",
            f"{ours['queries'] / ours['pages']:.1f}",
        ),
        ("peak RSS, main process (MB)", stock["rss_mb"][0], ours["rss_mb"][0]),
        ("peak RSS, largest worker (MB)", "–", ours["rss_mb"][1]),
    ]
    table = "\n".join(f"| {name} | {a} | {b} |" for name, a, b in rows)
    stages = "\n".join(
        f"| {name} | {seconds:.1f}{alongside_note(full, name)} |" for name, seconds in full["stages"].items()
    )
    return f"""{START}
## Export benchmark

Measured by `make bench` on {time.strftime("%Y-%m-%d")} ({machine()}; load average {load:.1f} at the start).
`make bench` generates the benchmark site into `bench/bench.sqlite3` (`generate_bench_site`, seed 1:
case studies, news releases and programmes with sessions, bodies of about 400 words with headings,
a quote from a person, an image rendition and a page link, tags, authors, speakers, downloads), then
measures, each in a fresh process on the same database: stock wagtail-bakery
(`manage.py build --skip-static --skip-media` with `AllPublishedPagesView`), our export's page stage
alone, and our full `export_archive`. Before each measurement it writes dirty pages to disk{
        " and drops the page cache" if dropped else " (it could not drop the page cache: not root)"
    }, so each starts from the same state.

| page stage | stock wagtail-bakery | our export |
| --- | --- | --- |
{table}

Our page stage renders **{ratio:.1f}×** as many pages per second as stock wagtail-bakery. It writes
more pages than stock (listing pages and topic routes are pages too) and rewrites every link.

Full `export_archive --package` (quality gates, bag, WACZ and PREMIS record), {full["pages"]} pages,
{full["files"]} files: **{full["export_seconds"]:.1f} s** in the export ({full["seconds"]:.1f} s for the whole
command, start-up included), using {full["cpu_seconds"]:.0f} s of CPU in all its processes (page workers,
Pagefind, vnu, Chromium, packaging), so at least {full["cpu_seconds"] / (os.cpu_count() or 1):.0f} s on
{os.cpu_count()} cores however the work is arranged.

| stage | seconds |
| --- | --- |
{stages}

{render_update(update)}
{END}"""


def alongside_note(full, name):
    """“ (alongside links, privacy, gates)” for a stage that ran while others did (times overlap)."""
    others = full.get("alongside", {}).get(name)
    return f" (alongside {', '.join(others)})" if others else ""


def write_doc(section):
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if START in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text)


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        measures = {"stock": measure_stock, "pages": measure_pages, "edit": edit_one_case_study}
        say(json.dumps(measures[sys.argv[2]]()))
        return
    load = os.getloadavg()[0]
    dropped = settle()
    stock = in_subprocess("stock")
    say(f"stock wagtail-bakery: {stock['pages']} pages in {stock['seconds']:.1f} s")
    ours = in_subprocess("pages")
    say(f"our page stage: {ours['pages']} pages in {ours['seconds']:.1f} s")
    full = measure_full_export()
    update = measure_incremental_export()
    say(f"incremental export: {update['export_seconds']:.1f} s ({update['mode']['mode']})")
    section = render(stock, ours, full, load, update, dropped)
    write_doc(section)
    say(section)


if __name__ == "__main__":
    main()
