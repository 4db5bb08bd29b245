"""The quality gates on a few changed pages: started for each call (cold) or kept warm (warm.py).

Run as ``python -m benchmarks.warm_gates ARCHIVE [PAGE ...]`` on an exported archive (``manage.py
export_archive --output ARCHIVE --skip-gates``). The pages (five of different types by default) are
copied into a sparse build folder, as an update of the static copy writes them; the cold gates run on
the whole archive (file:// has no fallback), the warm ones on the build folder with the archive as
their fallback. Every run must find nothing. Times go to stdout, with the load average: other work on
the machine moves them a lot.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import machine, say, setup_django

PAGES = [
    "index.html",
    "news/new-nhs-training-aims-to-address-loneliness-and-social-isolation/index.html",
    "case-studies/using-e-learning-to-tackle-loneliness-in-students/index.html",
    "learning-programmes/tackling-loneliness-and-social-isolation/spotting-who-is-at-risk/index.html",
    "about/index.html",
]


def timed(function, times):
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        assert function() == [], "the benchmark archive must pass the gates"
        seconds.append(time.perf_counter() - started)
    return seconds


def measure(archive, pages, build):
    from static_export.archive.gates import GATES, check_accessibility, check_html, run_gates
    from static_export.archive.warm import WarmTools

    found = {"cold": timed(lambda: run_gates(archive, GATES, pages, only=pages), 3)}
    with WarmTools() as tools:

        def warm():
            return run_gates(build, GATES, pages, only=pages, tools=tools, fallback=archive)

        found["warm, first call"] = timed(warm, 1)
        found["warm, later calls"] = timed(warm, 8)
        found["vnu alone, warm"] = timed(lambda: tools.check_html(build, pages), 5)
        found["axe alone, warm"] = timed(lambda: tools.check_accessibility(build, pages, fallback=archive), 5)
    found["vnu alone, cold"] = timed(lambda: check_html(archive, pages), 3)
    found["axe alone, cold"] = timed(lambda: check_accessibility(archive, pages), 3)
    return found


def main():
    archive = Path(sys.argv[1]).resolve()
    pages = sys.argv[2:] or PAGES
    setup_django()
    build = Path(tempfile.mkdtemp(prefix="warm-gates-"))
    try:
        for name in pages:
            (build / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(archive / name, build / name)
        say(f"{len(pages)} pages of {archive}; {machine()}; load average {os.getloadavg()[0]:.1f}")
        for name, seconds in measure(archive, pages, build).items():
            listed = ", ".join(f"{second:.2f}" for second in seconds)
            say(f"{name}: median {statistics.median(seconds):.2f} s ({listed})")
        say(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(build)


if __name__ == "__main__":
    main()
