"""Time the export stages after "pages" (by default those after "api"), and packaging, on a finished archive.

    BENCH_DIR=/tmp/bench10k .venv/bin/python -m benchmarks.time_stages \
        ARCHIVE WORK_DIR [STAGE ...] [--package] [--profile]

"api" (named) rewrites the archive's API files; it also loads what the pages show, which in an
export the page stage has done before it (about 1 s at 10,000 pages).

The archive (from export_archive on the same database) is copied into WORK_DIR first, since the
stages write into it; its search index is removed when the search stage runs. Prints wall-clock
and CPU seconds per stage (CPU includes finished child processes: vnu, Pagefind, workers), so
runs on a machine shared with other work can still be compared. --profile prints cProfile's top.
"""

import cProfile
import datetime
import os
import pstats
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django

django.setup()

from wagtail.models import Site  # noqa: E402

from cms.core.shared import render_session  # noqa: E402
from static_export.exporter import ArchiveBuild, build_stages  # noqa: E402
from static_export.pipeline import ExportReport  # noqa: E402

STAGES = ["site files", "redirects", "assets", "readme", "search", "links", "privacy", "gates"]


def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(name, run, profile, totals):
    started, cpu = time.monotonic(), cpu_seconds()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    result = run()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    wall, used = time.monotonic() - started, cpu_seconds() - cpu
    totals[0] += wall
    totals[1] += used
    load = os.getloadavg()[0]
    print(f"{name}: {wall:.2f} s wall, {used:.2f} s CPU (load {load:.1f})", flush=True)  # noqa: T201
    return result


def main(argv):
    source, work = Path(argv[0]), Path(argv[1])
    names = [arg for arg in argv[2:] if not arg.startswith("--")] or STAGES
    profile = "--profile" in argv
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work / "archive")
    if "search" in names:
        shutil.rmtree(work / "archive" / "pagefind", ignore_errors=True)
    site = Site.objects.get(is_default_site=True)
    captured_at = datetime.datetime(2024, 4, 30, 17, tzinfo=datetime.UTC)
    archive = ArchiveBuild(work / "archive", site, "http://localhost", captured_at)
    archive.report = ExportReport(output=str(work), base_url="http://localhost", captured_at="", software={})
    stages = dict(build_stages(archive))
    totals = [0.0, 0.0]
    with render_session():  # As the export runs its stages (pages' URLs worked out once, say).
        for name in names:
            timed(name, stages[name], profile, totals)
    if "--package" in argv:
        from static_export.preserve import package_archive

        output = work / "out" / "archive"
        output.parent.mkdir()
        timed("package", lambda: package_archive(archive, output), profile, totals).discard()
    print(f"total: {totals[0]:.2f} s wall, {totals[1]:.2f} s CPU")  # noqa: T201
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
