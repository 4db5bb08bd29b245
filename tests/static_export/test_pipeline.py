"""The pipeline's entry point as a command or a background task drives it: progress, cancellation,
one export at a time, and what killed exports leave behind; and the archive tools without Django."""

import json
import subprocess
import sys

import pytest

from static_export.archive.errors import ExportCancelled, ExportError
from static_export.archive.files import export_lock
from static_export.options import ExportOptions
from static_export.pipeline import run_export

from .archive_files import files
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db


def options(output, **kwargs):
    return ExportOptions(
        output=output, base_url=BASE_URL, captured_at=CAPTURED_AT, gates=("markup",), **kwargs
    )


def contents(folder):
    return {name: (folder / name).read_bytes() for name in files(folder)}


def test_progress_hears_each_stage_in_order_and_every_page(demo_site, tmp_path):
    heard = []

    report = run_export(options(tmp_path / "archive"), progress=lambda *event: heard.append(event))

    stages = [stage for stage, done, _total in heard if done == 0]  # Each stage is heard as it starts.
    assert list(dict.fromkeys(stages)) == list(report.stages)
    pages = [(done, total) for stage, done, total in heard if stage == "pages" and done]
    assert pages[-1] == (report.pages, report.pages)


def test_a_cancelled_export_stops_and_keeps_the_previous_archive(demo_site, tmp_path):
    output = tmp_path / "archive"
    run_export(options(output))
    before = contents(output)
    heard = []

    with pytest.raises(ExportCancelled, match="cancelled"):
        run_export(
            options(output),
            progress=lambda *event: heard.append(event),
            cancelled=lambda: any(stage == "api" for stage, *_ in heard),
        )

    assert contents(output) == before
    assert [path.name for path in tmp_path.iterdir() if ".building-" in path.name] == []


def test_a_second_export_to_the_same_archive_is_refused_while_one_runs(demo_site, tmp_path):
    output = tmp_path / "archive"
    with export_lock(output):  # As an export in another process would hold it.
        with pytest.raises(
            ExportError, match=r"Another export to .*archive is running \(process \d+, started "
        ):
            run_export(options(output))
    run_export(options(output))  # Free again once the first has finished.


def test_an_export_clears_what_killed_exports_left_and_puts_an_archive_left_aside_back(demo_site, tmp_path):
    output = tmp_path / "archive"
    run_export(options(output))
    before = contents(output)
    # Killed while building, while packaging, and between the two renames of its swap.
    (tmp_path / ".archive.building-x1y2").mkdir()
    (tmp_path / ".archive.building-x1y2" / "index.html").write_text("half")
    (tmp_path / ".archive.packaging-a1b2").mkdir()
    aside = tmp_path / ".archive.previous-c3d4"
    aside.mkdir()
    output.rename(aside / "archive")

    with export_lock(output):
        assert contents(output) == before, "the archive left aside is back in place"

    left = sorted(path.name for path in tmp_path.iterdir() if "archive" in path.name)
    assert left == [".archive.lock", "archive", "archive-report.json", "archive-state.json"]


def run_tool(*args):
    """Run ``python -m static_export.archive`` in a fresh process; (exit status, output, modules)."""
    script = (
        "import json, sys; from static_export.archive.__main__ import main\n"
        "status = main(sys.argv[1:])\n"
        "apps = ('django', 'wagtail', 'wagtailbakery', 'cms')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in apps]\n"
        "sys.stderr.write('MODULES ' + json.dumps(loaded) + '\\n'); sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    modules = json.loads(result.stderr.rsplit("MODULES ", 1)[1])
    return result.returncode, result.stdout, modules


def test_verify_and_diff_run_on_the_files_alone_without_django(demo_site, tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    run_export(options(old, package=True))
    run_export(options(new))

    status, output, modules = run_tool("verify", str(old))
    assert (status, modules) == (0, [])
    assert output.rstrip().endswith("The archive is intact.")

    status, output, modules = run_tool("diff", str(old), str(new))
    assert (status, modules) == (0, [])
    assert "Changed: 0 pages" in output

    (old / "index.html").write_text("tampered")
    status, output, _modules = run_tool("verify", str(old))
    assert status == 1 and "index.html has changed since it was captured" in output
