"""The one entry point of an export: ``run_export(options, progress, cancelled)``.

A management command, a background task or a test calls it with typed options; it takes the lock
beside the archive, publishes and unpublishes the pages that are due (as Wagtail's scheduler would),
reads the site (a snapshot), plans a full or an incremental export, runs the
stages in a temporary folder beside the archive, packages it, and swaps it into place. Anything that
fails, or a cancellation, leaves the previous archive, its package and its state as they were.

Layers point one way: ``archive/`` (files only) ← the build (exporter, views, site files, search) ←
``incremental`` ← this module ← commands and tasks.
"""

import contextlib
import datetime
import errno
import gc
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import django
import wagtail
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import Site

from cms.core.shared import render_session

from . import incremental as updates
from . import preserve
from .archive.errors import ExportCancelled, ExportError
from .archive.files import all_files, export_lock, swap_into_place
from .archive.in_place import apply_update
from .archive.layout import is_archive, plural
from .archive.pagefind import PAGEFIND_DIR, reindex_in_place, search_lock
from .exporter import ArchiveBuild, asset_folders, build_stages, count_files
from .inventory import check_url_paths
from .options import ExportOptions
from .views import exportable_pages


@dataclass
class ExportReport:
    output: str
    base_url: str
    captured_at: str
    software: dict
    pages: int = 0
    documents: int = 0
    images: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    stages: dict = field(default_factory=dict)
    # A stage that ran alongside others (the package, built while the checks ran): their names. Its
    # time in ``stages`` overlaps theirs, so the stages' times add up to more than ``seconds``.
    alongside: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    external_links: list = field(default_factory=list)
    checks: list = field(default_factory=list)  # Each check and gate: tool, version, files, problems.
    package: dict = field(default_factory=dict)  # Paths of the bag, WACZ and PREMIS record (--package).
    store: dict = field(default_factory=dict)  # The store, object and version it was added as (--store).
    incremental: dict = field(default_factory=dict)  # Full or incremental, why, and the pages rendered.

    def summary(self):
        return (
            f"Exported {plural(self.pages, 'page')}, {plural(self.documents, 'document')} and "
            f"{plural(self.images, 'image')} ({plural(self.files, 'file')}, {self.bytes:,} bytes) "
            f"to {self.output} in {self.seconds:.1f} s with {plural(len(self.warnings), 'warning')}."
        )


def export_archive(output, **options):
    """``run_export`` with the options as keywords: ``export_archive("archive", package=True)``."""
    return run_export(ExportOptions(output=Path(output), **options))


def run_export(options, progress=None, cancelled=None):
    """Export the default site's live, public content to ``options.output``; return an ExportReport.

    ``progress(stage, done, total)`` hears of each stage as it starts and of the pages as they are
    written; ``cancelled()`` is asked between stages and batches of pages, and stops the export with
    ExportCancelled when it answers True. An incremental export re-renders only the pages an edit
    affects when the previous export's state allows (incremental.py), or says in the report why not.
    """
    started = time.monotonic()
    if options.in_place and (options.package or options.store):
        raise ExportError("A copy updated in place is not packaged or stored: freeze a snapshot for that.")
    output = Path(options.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with export_lock(output), explained_faults(output):
        check_replaceable(output)
        with collector_paused(options.in_place and options.incremental):
            site, report, plan, snapshot = prepare(output, options)
            if not plan.incremental:
                gc.enable()  # A full update makes garbage enough to need the collector.
            archive, state, package = build(
                output, options, site, report, plan, snapshot, progress, cancelled
            )
            updates.write_state(output, state)
        if package:
            report.package = package.install()
    report.seconds = round(time.monotonic() - started, 3)
    report_path = output.parent / f"{output.name}-report.json"
    report_path.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    return report


def count_pages_to_export(site):
    """How many pages an export of ``site`` started now would write (for the admin to say beforehand)."""
    return exportable_pages(site).count()


FULL_DISK = {errno.ENOSPC, errno.EDQUOT}


@contextlib.contextmanager
def collector_paused(paused):
    """Python's cyclic garbage collector off while an update in place reads the previous state and
    the site, builds and writes its state, when ``paused``.

    A worker that updates a live copy holds the site's state and snapshot (hundreds of thousands of
    objects at 10,000 pages), and each full pass of the collector over them, set off by the objects
    an update makes, took a quarter of the update (1.3 s of 5); reading the state alone took 0.5 s
    with the collector on and 0.07 s with it off. An update makes little cyclic garbage; the
    collector runs as usual again afterwards."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.contextmanager
def explained_faults(output):
    """A full disk or a database that stops answering, wherever the export meets it (a page, a
    stage, a worker process), as an ExportError that says so; the build has been removed by then."""
    try:
        yield
    except BaseException as exc:
        causes = [exc]
        while causes[-1].__cause__ is not None and len(causes) < 10:
            causes.append(causes[-1].__cause__)
        full = next((c for c in causes if isinstance(c, OSError) and c.errno in FULL_DISK), None)
        if full is not None:
            raise ExportError(
                f"The disk holding {output.parent} is full ({full.strerror}"
                f"{f': {full.filename}' if full.filename else ''}). The previous archive is as it was; "
                "free some space and export again."
            ) from exc
        database = next((cause for cause in causes if isinstance(cause, DatabaseError)), None)
        if database is not None:
            where = f" ({exc})" if isinstance(exc, ExportError) else ""
            raise ExportError(
                f"The database stopped answering during the export: {type(database).__name__}: "
                f"{database}{where}. The previous archive is as it was; check the database and export again."
            ) from exc
        raise


def prepare(output, options):
    """The site, an empty report, the plan (full or incremental) and the snapshot it was made from."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise ExportError("There is no default Site: set one in Settings → Sites before exporting.")
    base_url = (options.base_url or site.root_url).rstrip("/")
    if not re.match(r"^https?://[^/]+", base_url):
        raise ExportError(f"--base-url must be an absolute http(s) URL, not “{base_url}”.")
    captured_at = options.captured_at
    previous = updates.load_state(output) if options.incremental else None
    # A correction keeps the previous capture time, except in the store, where it is a new capture.
    if captured_at is None and previous and not options.store:
        captured_at = previous.captured_at
    captured_at = (captured_at or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    report = ExportReport(
        output=str(output),
        base_url=base_url,
        captured_at=captured_at.isoformat(),
        software={
            "python": sys.version.split()[0],
            "django": django.__version__,
            "wagtail": wagtail.__version__,
        },
    )
    publish_due_pages()
    for model in settings_registry:  # Made now, as rendering would make them, so the snapshot sees them
        if issubclass(model, BaseSiteSetting):
            model.for_site(site)
    snapshot = updates.take_snapshot(site, exportable_pages(site), planning=options.incremental)
    check_url_paths(list(snapshot.pages.values()))
    if options.incremental:
        plan = updates.plan_export(output, site, base_url, captured_at, snapshot, previous)
    else:
        plan = updates.Plan("a full export was asked for")
    report.incremental = plan.summary()
    return site, report, plan, snapshot


def publish_due_pages():
    """Unpublish expired pages and publish due ones, as Wagtail's scheduled job would, so no listing,
    feed or menu in the archive names a page the archive leaves out. The export's one change to the
    database, and the same change the site's own scheduler would make."""
    call_command("publish_scheduled", stdout=io.StringIO())


def build(output, options, site, report, plan, snapshot, progress, cancelled):
    """Run the stages in a temporary folder beside ``output`` and swap it into place; on any failure
    remove it and keep what was there. Returns (the build, the new state, the package or None)."""
    build_dir = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    packaging = package = None
    alongside = []  # The stages run while the package was built.

    def start_packaging(name):
        """The package is built alongside the checks: from their first, the build's files are final."""
        nonlocal packaging
        if options.package and packaging is None and name in CHECKS:
            packaging = preserve.start_packaging(archive, output)
        if packaging is not None:
            alongside.append(name)

    try:
        archive, stages = start_build(build_dir, output, options, site, report, plan, snapshot)
        archive.on_progress, archive.cancelled = progress, cancelled
        if not archive.page_ids:
            raise ExportError(f"The site “{site}” has no live, public pages to export.")
        with render_session():  # What the stages' pages share is worked out once (cms/core/shared.py).
            run_stages(archive, stages, report, progress, cancelled, before=start_packaging)
        state = updates.build_state(archive, snapshot, plan)
        if plan.incremental:  # Warnings about links on the pages kept as they were still hold.
            kept = sorted(set(state.pages) - plan.render_ids)
            archive.warnings += [warning for page_id in kept for warning in state.pages[page_id].warnings]
        count_files(report, archive)
        if options.in_place:  # Never packaged (run_export refuses it).
            apply_in_place(archive, output, plan)
        else:
            if options.package:  # Before the swap: a failure keeps both.
                packaging = packaging or preserve.start_packaging(archive, output)
                package = preserve.finish_packaging(archive, packaging)
                if alongside:
                    report.alongside["package"] = alongside
            with preserve.stored(archive, output, package):  # Taken out of the store again if the swap fails.
                swap_with_state(build_dir, output)
    except BaseException:
        if packaging:  # Stopped first: it reads the build.
            packaging.discard()
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    shutil.rmtree(build_dir, ignore_errors=True)  # Empty, or gone (swapped in).
    return archive, state, package


def start_build(build_dir, output, options, site, report, plan, snapshot):
    """The build and its stages: every page for a full export; for an incremental one, the previous
    archive's files linked into the build and only the pages the plan names."""
    base_url, captured_at = report.base_url, datetime.datetime.fromisoformat(report.captured_at)
    if not plan.incremental:
        archive = ArchiveBuild(build_dir, site, base_url, captured_at, options=options)
        archive.report = report
        archive.base_dir = output if options.in_place else None
        preserve.prepare_captures(archive)
        return archive, build_stages(archive)
    if options.in_place:  # The files that stay are read where they are: nothing is linked.
        kept, dropped = updates.files_to_keep(output, plan, (*asset_folders(), PAGEFIND_DIR + "/"))
    else:
        kept, dropped = (), updates.link_previous(output, build_dir, plan, asset_folders())
    pages = list(exportable_pages(site).filter(pk__in=plan.render_ids))
    archive = ArchiveBuild(build_dir, site, base_url, captured_at, options=options, pages=pages)
    archive.report = report
    if options.in_place:
        archive.base_dir, archive.kept_files = output, set(kept)
    preserve.prepare_captures(archive)
    updates.prepare_build(archive, plan, snapshot)
    return archive, updates.incremental_stages(archive, plan, dropped)


# The stages that only read the build (the checks): the package is built alongside them.
CHECKS = ("links", "privacy", "gates")


def run_stages(archive, stages, report, progress, cancelled, before=None):
    """Run the stages in order, each timed; ``before(name)`` is called as each starts."""
    for name, run in stages:
        if cancelled and cancelled():
            raise ExportCancelled(f"The export was cancelled before its “{name}” stage.")
        if before:
            before(name)
        if progress:
            progress(name, 0, len(archive.page_urls))
        stage_started = time.monotonic()
        run()
        report.stages[name] = round(time.monotonic() - stage_started, 3)


def apply_in_place(archive, output, plan):
    """Move the build's files into ``output`` one by one (archive/in_place.py): uploads and static
    files first, pages after them, then the files the archive no longer has go. The old state is
    set aside first, so an update stopped half-way leaves none and the next one is a full export.

    An incremental update leaves ``pagefind/`` to ``reindex_search``, which may be replacing it
    meanwhile; a full one writes a new index, so it waits for that to finish (the search lock).
    """
    output.mkdir(exist_ok=True)
    present = archive.present_files()
    indexing = contextlib.nullcontext() if plan.incremental else search_lock(output)
    with indexing:
        removed = [
            name
            for name in all_files(output)
            if name not in present and not (plan.incremental and name.startswith(PAGEFIND_DIR + "/"))
        ]
        state_path = updates.state_path(output)
        if state_path.exists():
            os.replace(state_path, state_path.with_name(state_path.name + ".stale"))
        apply_update(archive.build_dir, output, removed, first=asset_folders())
    state_path.with_name(state_path.name + ".stale").unlink(missing_ok=True)


def reindex_search(output):
    """Index the live static copy at ``output`` with Pagefind as its pages are now, and replace its
    ``pagefind/`` folder file by file (archive/pagefind.py). Returns the index's CheckRun."""
    output = Path(output).resolve()
    with search_lock(output):
        return reindex_in_place(output)


def swap_with_state(build_dir, output):
    """Swap the build into place; the old state describes the old archive, so it is set aside until
    the new archive is in place, and put back if the swap fails. It is removed as soon as the new
    archive is in place, not after the old one is deleted, so an export killed meanwhile (a large old
    archive takes seconds to delete) leaves no state set aside."""
    state_path = updates.state_path(output)
    stale = state_path.with_name(state_path.name + ".stale")
    if state_path.exists():
        os.replace(state_path, stale)
    try:
        swap_into_place(build_dir, output, swapped=lambda: stale.unlink(missing_ok=True))
    except BaseException:
        if stale.exists():
            os.replace(stale, state_path)
        raise


def check_replaceable(output):
    """Refuse to replace a folder that is neither empty nor an earlier archive."""
    if output.is_file():
        raise ExportError(f"{output} is a file; give a folder for the archive.")
    if output.is_dir() and any(output.iterdir()) and not is_archive(output):
        raise ExportError(f"{output} is not empty and is not an earlier archive; refusing to replace it.")
