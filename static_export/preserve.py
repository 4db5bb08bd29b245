"""Preserving an export: its package (BagIt bag, signed WACZ, PREMIS record; archive/package.py) and
its version in the snapshot store (archive/store.py), with what each page says of its captures.

The pipeline calls, in order: ``prepare_captures`` before the pages render (each page's earlier
captures and the store's latest files, so unchanged pages keep their capture), ``package_archive``
once the build is checked, and ``stored`` around the swap (the version is added before the new
archive takes the old one's place, and removed again if the swap fails).
"""

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .archive import premis, provenance
from .archive.errors import ExportError
from .archive.package import Capture, Package, finish_package, start_package
from .archive.signing import SigningError, load_private_key
from .archive.store import SnapshotStore, StoreError, object_id
from .site_files import organisation_name


def signing_key(warnings):
    """The organisation's signing key (STATIC_EXPORT_SIGNING_KEY) if there is one; else None, with a
    warning saying how to make one."""
    path = getattr(settings, "STATIC_EXPORT_SIGNING_KEY", None)
    if not path:
        return None
    path = Path(path)
    if not path.is_file():
        warnings.append(
            f"The WACZ is not signed: there is no signing key at {path} (STATIC_EXPORT_SIGNING_KEY); "
            "make one with manage.py make_signing_key."
        )
        return None
    try:
        load_private_key(path)
    except SigningError as exc:
        raise ExportError(str(exc)) from exc
    return path


def capture_of(archive, signing=False, warnings=None):
    return Capture(
        base_url=archive.base_url,
        captured_at=archive.captured_at,
        organisation=organisation_name(archive.site),
        contact=archive.options.contact,
        report=archive.report,
        signing_key=signing_key(archive.warnings if warnings is None else warnings) if signing else None,
    )


def package_archive(archive, output):
    """The bag, WACZ and PREMIS record of the finished build (archive/package.py), timed as a stage."""
    return finish_packaging(archive, start_packaging(archive, output))


@dataclass
class Packaging:
    """A package being built in the background (``start_packaging``) and what its finish needs."""

    package: Package
    capture: Capture
    warnings: list  # Its own (an unsigned WACZ), added to the export's when it finishes.
    started: float

    def discard(self):
        self.package.discard()


def start_packaging(archive, output):
    """Start building the bag and the WACZ of the build, whose files are final: the stages left only
    read them (the checks), so the package is built alongside them. ``finish_packaging`` waits."""
    started = time.monotonic()
    warnings = []
    capture = capture_of(archive, signing=True, warnings=warnings)
    return Packaging(start_package(archive.build_dir, output, capture), capture, warnings, started)


def finish_packaging(archive, packaging):
    """The finished package, its PREMIS record written from the export's report as it now is; the
    ``package`` stage is timed from the start of packaging, so it overlaps the stages run meanwhile."""
    archive.warnings += packaging.warnings
    archive.report.warnings = list(archive.warnings)
    package = finish_package(packaging.package, packaging.capture)
    archive.report.stages["package"] = round(time.monotonic() - packaging.started, 3)
    return package


def prepare_captures(archive):
    """Give the build what its pages say of their captures: with a store, each page's earlier
    captures, the version this export will be, and the latest version's files to keep unchanged pages."""
    options = archive.options
    captures = archive.captures
    captures.versions_url = options.versions_url
    if options.store is None:
        return
    store = SnapshotStore(options.store)
    try:
        versions = store.versions(archive.base_url)
        if versions and archive.captured_at <= versions[-1].captured_at:
            raise ExportError(
                f"The capture time {archive.captured_at.isoformat()} is not after that of "
                f"{versions[-1].name} ({versions[-1].captured_at.isoformat()}) in the snapshot store "
                f"{store}; give a later --captured-at."
            )
        captures.history = store.capture_history(archive.base_url)
        captures.latest_files = store.latest_files(archive.base_url)
    except StoreError as exc:
        raise ExportError(str(exc)) from exc
    captures.version = f"v{len(versions) + 1}"


@contextlib.contextmanager
def stored(archive, output, package):
    """Add the finished build to the store as the site's next version (when the export has a store)
    around what the block does (the swap); the version is removed again if the block fails."""
    options = archive.options
    if options.store is None:
        yield None
        return
    store = SnapshotStore(options.store)
    capture = capture_of(archive) if package is None else None
    started = time.monotonic()
    try:
        with store.adding(
            archive.base_url,
            archive.build_dir,
            archive.captured_at,
            organisation_name(archive.site),
            address=archive.base_url + "/",
            expected=archive.captures.version,
        ) as version:
            record_ingestion(store, archive, package, capture, version)
            archive.report.store = {
                "store": str(store.root),
                "object": object_id(archive.base_url),
                "version": version.name,
                "files": version.files,
                "bytes": version.bytes,
                "added_files": version.added_files,
                "added_bytes": version.added_bytes,
            }
            archive.report.stages["store"] = round(time.monotonic() - started, 3)
            yield version
    except StoreError as exc:
        raise ExportError(str(exc)) from exc


def record_ingestion(store, archive, package, capture, version):
    """PREMIS: the export's events and the ingestion, in the store's record and the package's."""
    if package is not None:
        objects, events = package.premis_objects, package.premis_events
        capture = package.capture
    else:
        objects = provenance.capture_objects(capture, Path(archive.report.output).name)
        events = provenance.capture_events(capture)
    more_objects, ingestion = provenance.ingestion_records(capture, store.root, version)
    store.record(archive.base_url, objects + more_objects, events + ingestion)
    if package is not None:
        premis.append(package.built()["provenance"], more_objects, ingestion)
