"""Faults an export meets in the field: a full disk while it writes the archive or the package, the
process killed at any moment, the database going away, a second export to the same folder. Each
leaves the previous archive, package and state as they were, says what happened, and leaves no build
folder behind for ever: the next export clears it and succeeds."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from hypothesis import example, given, settings
from hypothesis import strategies as st

from static_export.archive.errors import ExportError
from static_export.archive.files import export_lock
from static_export.pipeline import export_archive
from tests.hypothesis_profiles import examples
from tests.worker import ROOT, worker_for_this_test

from .conftest import BASE_URL, CAPTURED_AT

OPTIONS = {"base_url": BASE_URL, "captured_at": CAPTURED_AT, "gates": ("markup",)}


def contents(folder):
    """Every file beside and in ``folder``'s archive (archive, package, state), by path and bytes."""
    found = {}
    for path in sorted(folder.parent.rglob("*")):
        if path.is_file() and not path.name.endswith(("-report.json", ".lock")) and "/." not in str(path):
            found[path.relative_to(folder.parent).as_posix()] = path.read_bytes()
    return found


def leftovers(folder):
    """Temporary folders of exports beside the archive (building, packaging, previous)."""
    return sorted(
        path.name
        for path in folder.parent.iterdir()
        if path.name.startswith(f".{folder.name}.") and path.is_dir()
    )


# A full disk ------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MiB filesystem of its own (tmpfs), so an export can really fill it up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here ({made.stderr.strip()}); run the tests as root")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


def fill(disk, leave):
    """Fill ``disk`` until ``leave`` bytes are free; returns the filler file."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as file:
        file.truncate(0)
        remaining = max(0, free - leave)
        while remaining:
            chunk = min(remaining, 1 << 20)
            file.write(b"\0" * chunk)
            remaining -= chunk
    return filler


@pytest.mark.django_db
def test_a_full_disk_during_the_export_or_its_packaging_keeps_the_previous_archive_and_says_so(
    demo_site, small_disk
):
    archive = small_disk / "site" / "archive"
    export_archive(archive, package=True, **OPTIONS)
    previous = [contents(archive)]
    size = sum(len(content) for name, content in previous[0].items() if name.startswith("archive/"))

    @settings(max_examples=examples(ci=4))
    @given(share=st.floats(min_value=0.0, max_value=2.5))
    @example(share=0.3)  # Full while the pages are written
    @example(share=1.2)  # Room for the build, not for the bag and the WACZ
    def property(share):
        filler = fill(small_disk, int(size * share))
        try:
            export_archive(archive, package=True, **OPTIONS)
        except ExportError as failure:
            message = str(failure)
            assert message.startswith(
                f"The disk holding {archive.parent} is full (No space left on device"
            ), message
            assert "The previous archive is as it was" in message
            assert contents(archive) == previous[0]
        else:  # Room enough: the same archive again, with a new package (dated when it was packed)
            assert same_archive(contents(archive), previous[0])
            previous[0] = contents(archive)
        finally:
            filler.unlink()
        assert leftovers(archive) == []

    property()
    export_archive(archive, package=True, **OPTIONS)
    assert same_archive(contents(archive), previous[0])


def same_archive(now, before):
    """The same site folder and bag payload; the package's dates may differ, and the state is the
    same or, after an export killed around its swap, gone (the next export is then a full one)."""

    def kept(found):
        return {
            name: content
            for name, content in found.items()
            if name.startswith(("archive/", "archive.bag/data/"))
        }

    state = "archive-state.json"
    return (
        kept(now) == kept(before)
        and now.keys() - {state} == before.keys() - {state}
        and now.get(state, before.get(state)) == before.get(state)
    )


# Killed at any moment ----------------------------------------------------------------------------


def export_in_a_process(worker, output, *extra):
    """``manage.py export_archive`` on the test database, in a process group of its own."""
    command = [sys.executable, "manage.py", "export_archive", "--output", str(output), "--base-url", BASE_URL]
    command += ["--captured-at", "2024-04-30T17:00:00Z", "--skip-gates", *extra]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=worker.env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


# Another process sees committed data only; serialized_rollback restores the migrations' root page,
# site and collection for the tests after these.
IN_ANOTHER_PROCESS = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def gone(group, timeout=30):
    """Wait until no process of the process group ``group`` is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes of group {group} still running after {timeout} s")


@pytest.fixture
def exporter(demo_site, tmp_path, settings):
    """Runs exports in other processes, as the command or a task worker would."""
    return worker_for_this_test(tmp_path, settings)


@IN_ANOTHER_PROCESS
def test_an_export_or_its_packaging_killed_at_any_moment_leaves_an_archive_and_nothing_for_ever(
    exporter, tmp_path
):
    archive = tmp_path / "archive"
    first = export_in_a_process(exporter, archive, "--package")
    assert first.wait(timeout=300) == 0, first.stdout.read().decode()
    before = contents(archive)
    killed_during = set()

    @settings(max_examples=examples(ci=4))
    @given(stage=st.sampled_from(["building", "packaging"]), after=st.floats(min_value=0.0, max_value=2.0))
    @example(stage="building", after=0.5)
    @example(stage="packaging", after=0.0)
    def property(stage, after):
        process = export_in_a_process(exporter, archive, "--package")
        deadline = time.monotonic() + 120
        # Killed ``after`` seconds into its stage: while it writes the build, or while it packages.
        while process.poll() is None and not any(f".{stage}-" in name for name in leftovers(archive)):
            assert time.monotonic() < deadline, f"the export never reached {stage}"
            time.sleep(0.02)
        time.sleep(after)
        if process.poll() is None:
            killed_during.add(
                next(
                    (
                        kind
                        for kind in ("packaging", "building")
                        if any(kind in name for name in leftovers(archive))
                    ),
                    "other",
                )
            )
            os.killpg(process.pid, signal.SIGKILL)  # The export and the page workers it forked, at once
        else:
            assert process.returncode == 0, process.stdout.read().decode()
        process.wait()
        gone(process.pid)  # Its forked workers too: they hold the lock while they could still write

        with export_lock(archive):  # What the next export does first: clear and restore
            assert leftovers(archive) == []
            now = contents(archive)
            assert same_archive(now, before), sorted(
                name for name in now.keys() | before.keys() if now.get(name) != before.get(name)
            )  # The old one, or the same one anew

    property()
    finished = export_in_a_process(exporter, archive, "--package")
    assert finished.wait(timeout=300) == 0
    assert same_archive(contents(archive), before) and leftovers(archive) == []
    assert not list(tmp_path.glob("*.stale")), "a state set aside was left behind"
    # Killed while building, and while packaging or installing the package (a second, for the demo).
    assert "building" in killed_during and killed_during & {"packaging", "other"}, killed_during


# The database going away -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_going_away_mid_export_keeps_the_previous_archive_and_says_so(demo_site, tmp_path):
    archive = tmp_path / "archive"
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    export_archive(archive, package=True, **OPTIONS)  # Publishes what was due: later exports do not
    clear_caches()  # Each export below starts as cold, so each asks the same queries.
    with connection.execute_wrapper(count):
        export_archive(archive, package=True, **OPTIONS)
    total, before = len(queries), contents(archive)

    @settings(max_examples=examples(ci=4))
    @given(answered=st.integers(min_value=0, max_value=total - 1))
    @example(answered=total // 2)
    def property(answered):
        asked = [0]
        clear_caches()

        def go_away(execute, sql, params, many, context):
            asked[0] += 1
            if asked[0] > answered:
                raise OperationalError("server closed the connection unexpectedly")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(go_away), pytest.raises(ExportError) as failure:
            export_archive(archive, package=True, **OPTIONS)

        message = str(failure.value)
        assert message.startswith("The database stopped answering during the export: OperationalError: "), (
            message
        )
        assert "server closed the connection unexpectedly" in message
        assert "The previous archive is as it was" in message
        assert contents(archive) == before and leftovers(archive) == []

    property()
    export_archive(archive, package=True, **OPTIONS)
    assert same_archive(contents(archive), before)


def clear_caches():
    for cache in caches.all():
        cache.clear()


# Two at once -------------------------------------------------------------------------------------


@IN_ANOTHER_PROCESS
def test_a_second_export_to_a_folder_while_another_process_exports_to_it_is_refused_naming_it(
    exporter, tmp_path
):
    archive = tmp_path / "archive"
    running = export_in_a_process(exporter, archive)
    lock = tmp_path / ".archive.lock"
    deadline = time.monotonic() + 120
    while not (lock.is_file() and f"process {running.pid}" in lock.read_text()):
        assert running.poll() is None and time.monotonic() < deadline, running.stdout.read().decode()
        time.sleep(0.05)

    with pytest.raises(ExportError) as refused:
        export_archive(archive, **OPTIONS)

    assert str(refused.value).startswith(
        f"Another export to {archive} is running (process {running.pid}, started "
    )
    assert running.wait(timeout=300) == 0, running.stdout.read().decode()
    assert (archive / "index.html").is_file() and leftovers(archive) == []
    export_archive(archive, **OPTIONS)  # Free again once the first has finished


@pytest.mark.django_db
def test_a_state_set_aside_by_an_export_killed_around_its_swap_is_not_left_for_ever(demo_site, tmp_path):
    """Killed between setting the old state aside and the swap, an export leaves archive-state.json.stale;
    which archive it describes cannot be told, so the next export never uses it, runs in full and
    removes it (``swap_with_state``)."""
    archive = tmp_path / "archive"
    export_archive(archive, **OPTIONS)
    state = tmp_path / "archive-state.json"
    state.rename(tmp_path / "archive-state.json.stale")

    report = export_archive(archive, incremental=True, **OPTIONS)

    assert report.incremental["mode"] == "full" and "no previous export state" in report.incremental["reason"]
    assert state.is_file() and not (tmp_path / "archive-state.json.stale").exists()
