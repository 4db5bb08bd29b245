"""The snapshot store: an OCFL 1.1 storage root (ocfl-py) holding one object per site, each freeze a
version.

Layout: the storage root declares OCFL 1.1 and the community extension
``0003-hash-and-id-n-tuple-storage-layout``; each site's object is identified by its base URL
(``https://www.example.org/``). Version ``vN``'s logical state is, file for file, the archive folder
that export wrote, so checking it out gives that folder byte for byte. Versions are forward deltas:
``vN/content/`` holds only the files no earlier version holds, and ``inventory.json`` (with its
``inventory.json.sha512`` sidecar) gives every file's SHA-512. A version's ``created`` is the capture
time, ``user`` the organisation and ``message`` what was captured. ``logs/premis.xml`` in the object
(outside OCFL's versioned content) is its PREMIS 3 provenance: each version's export events, its
ingestion, and every later verification.

For the admin and the commands (all need only files):

    store = SnapshotStore(settings.STATIC_EXPORT_STORE)
    store.versions(base_url)                 # [StoredVersion], oldest first
    store.checkout(base_url, "v2", folder)   # that version's archive folder, byte for byte
    verify_store(store, base_url, "v2")      # static_export.archive.store_check: fixity, named
"""

import contextlib
import datetime
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ocfl

from . import premis
from .files import export_lock
from .memento import TIMEMAP_NAME, timemap

LAYOUT = "0003-hash-and-id-n-tuple-storage-layout"
PREMIS_LOG = Path("logs") / "premis.xml"


class StoreError(Exception):
    """The store cannot do what was asked; the message names the store, object or version at fault."""


@dataclass(frozen=True)
class StoredVersion:
    """One version of a site's object: its name, capture time, who captured it and what, its size,
    and what it added to the store (the files no earlier version held)."""

    name: str  # "v1", "v2", …
    captured_at: datetime.datetime
    organisation: str
    address: str
    message: str
    files: int
    bytes: int
    added_files: int
    added_bytes: int

    @property
    def number(self):
        return int(self.name[1:])


def object_id(base_url):
    """A site's object identifier: its base URL with one trailing slash."""
    return base_url.rstrip("/") + "/"


def ocfl_datetime(moment):
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class SnapshotStore:
    def __init__(self, root):
        self.root = Path(root)

    def __str__(self):
        return str(self.root)

    # Reading

    def exists(self):
        return (self.root / "0=ocfl_1.1").is_file()

    def storage_root(self):
        """ocfl-py's storage root: an existing one's layout is the one it declares."""
        return ocfl.StorageRoot(root=str(self.root), layout_name=None if self.exists() else LAYOUT)

    def object_dir(self, base_url):
        if not self.exists():
            raise StoreError(f"{self.root} is not a snapshot store (no OCFL storage root declaration).")
        try:
            return self.root / self.storage_root().object_path(object_id(base_url))
        except (ocfl.StorageRootException, AttributeError) as exc:
            raise StoreError(f"{self.root} has no storage layout ocfl-py can follow: {exc}") from exc

    def has_object(self, base_url):
        return self.exists() and (self.object_dir(base_url) / "inventory.json").is_file()

    def object_ids(self):
        """The identifiers of the objects in the store: the base URLs of the sites it keeps."""
        if not self.exists():
            return []
        return sorted(identifier for _path, identifier in self.storage_root().list_objects())

    def inventory(self, base_url):
        path = self.object_dir(base_url) / "inventory.json"
        try:
            return json.loads(path.read_bytes())
        except FileNotFoundError:
            raise StoreError(f"{self.root} keeps no snapshots of {object_id(base_url)}.") from None
        except ValueError as exc:
            raise StoreError(f"{path} cannot be read: {exc}") from exc

    def versions(self, base_url):
        """Every version of the site's object, oldest first (none if the store does not keep it)."""
        if not self.has_object(base_url):
            return []
        inventory, root = self.inventory(base_url), self.object_dir(base_url)
        sizes = {}
        for digest, paths in inventory["manifest"].items():
            sizes[digest] = (root / paths[0]).stat().st_size if (root / paths[0]).is_file() else 0
        added = {}
        for digest, paths in inventory["manifest"].items():
            for path in paths:
                count, size = added.get(path.split("/")[0], (0, 0))
                added[path.split("/")[0]] = (count + 1, size + sizes[digest])
        return [
            stored_version(name, data, sizes, added.get(name, (0, 0)))
            for name, data in sorted(inventory["versions"].items(), key=lambda item: int(item[0][1:]))
        ]

    def version(self, base_url, name):
        for version in self.versions(base_url):
            if version.name == name:
                return version
        raise StoreError(f"{self.root} has no version {name} of {object_id(base_url)}.")

    def latest_files(self, base_url):
        """{archive path: stored file} of the latest version (empty when there is none)."""
        if not self.has_object(base_url):
            return {}
        inventory, root = self.inventory(base_url), self.object_dir(base_url)
        state = inventory["versions"][inventory["head"]]["state"]
        return {
            path: root / inventory["manifest"][digest][0] for digest, paths in state.items() for path in paths
        }

    def capture_history(self, base_url):
        """{archive path: [(version, captured at), …]}: each distinct content every file has had."""
        if not self.has_object(base_url):
            return {}
        inventory, history, previous = self.inventory(base_url), {}, {}
        for name, data in sorted(inventory["versions"].items(), key=lambda item: int(item[0][1:])):
            captured = parse_datetime(data["created"])
            for digest, paths in data["state"].items():
                for path in paths:
                    if previous.get(path) != digest:
                        history.setdefault(path, []).append((name, captured))
                    previous[path] = digest
        return history

    def checkout(self, base_url, name, destination):
        """Write version ``name`` to the folder ``destination`` (which must not exist): the archive
        folder that export wrote, byte for byte. Written beside it and renamed into place."""
        destination = Path(destination)
        if destination.exists():
            raise StoreError(f"{destination} already exists; check out into a new folder.")
        self.version(base_url, name)  # Names the version if there is none.
        destination.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.checkout-", dir=destination.parent))
        try:
            ocfl.Object().extract(str(self.object_dir(base_url)), name, str(work / "version"))
            os.rename(work / "version", destination)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return destination

    def timemap(self, base_url, versions_url=""):
        """The site's TimeMap: each version's root at ``versions_url`` + ``vN/`` (relative without it)."""
        base = versions_url.rstrip("/") + "/" if versions_url else ""
        mementos = [(f"{base}{version.name}/", version.captured_at) for version in self.versions(base_url)]
        return timemap(object_id(base_url), mementos, f"{base}{TIMEMAP_NAME}")

    def premis_path(self, base_url):
        return self.object_dir(base_url) / PREMIS_LOG

    # Adding a version

    @contextlib.contextmanager
    def adding(self, base_url, folder, captured_at, organisation, address, expected=None):
        """Add the archive folder ``folder`` as the site's next version; yields its StoredVersion.

        Holds the store's lock (beside it) throughout, so exports add one at a time. If anything in
        the ``with`` block fails, the version is removed again and the object is as it was.
        ``expected``: the version name the export was made for; another name stops it.
        """
        self.root.parent.mkdir(parents=True, exist_ok=True)
        with export_lock(self.root):
            if not self.exists():
                self.storage_root().initialize()
            self.remove_unfinished(base_url)
            previous = [version.name for version in self.versions(base_url)]
            name = f"v{len(previous) + 1}"
            if expected and expected != name:
                raise StoreError(
                    f"The export was made for {expected} of {object_id(base_url)}, but {self.root} now "
                    f"needs {name} (another export added a version meanwhile); export again."
                )
            latest = [version.captured_at for version in self.versions(base_url)[-1:]]
            if latest and captured_at <= latest[0]:
                raise StoreError(
                    f"The capture time {captured_at.isoformat()} is not after that of {previous[-1]} "
                    f"({latest[0].isoformat()}) in {self.root}; give a later --captured-at."
                )
            metadata = ocfl.VersionMetadata(
                created=ocfl_datetime(captured_at),
                message=f"Capture of {object_id(base_url)} on {captured_at.isoformat()}",
                name=organisation,
                address=address,
            )
            undo = self.write_version(base_url, folder, metadata, first=not previous)
            try:
                yield self.version(base_url, name)
            except BaseException:
                undo()
                raise

    def remove_unfinished(self, base_url):
        """Remove what an add that was killed left in the object: version folders after its head."""
        if not self.has_object(base_url):
            return
        head = int(self.inventory(base_url)["head"][1:])
        for path in self.object_dir(base_url).glob("v*"):
            if path.is_dir() and path.name[1:].isdigit() and int(path.name[1:]) > head:
                shutil.rmtree(path)

    def write_version(self, base_url, folder, metadata, first):
        """Write the version with ocfl-py; returns a function that removes it again."""
        object_dir = self.object_dir(base_url)
        if first:
            work = Path(tempfile.mkdtemp(prefix=f".{self.root.name}.building-", dir=self.root.parent))
            try:
                ocfl.Object(identifier=object_id(base_url)).create(
                    srcdir=str(folder), metadata=metadata, objdir=str(work / "object")
                )
                object_dir.parent.mkdir(parents=True, exist_ok=True)
                os.rename(work / "object", object_dir)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            return lambda: shutil.rmtree(object_dir, ignore_errors=True)
        saved = {
            name: (object_dir / name).read_bytes() for name in ("inventory.json", "inventory.json.sha512")
        }
        head = self.inventory(base_url)["head"]
        new_dir = object_dir / f"v{int(head[1:]) + 1}"

        def undo():
            shutil.rmtree(new_dir, ignore_errors=True)
            for name, content in saved.items():
                (object_dir / name).write_bytes(content)

        try:
            ocfl.Object().add_version_with_content(
                objdir=str(object_dir), srcdir=str(folder), metadata=metadata
            )
        except BaseException:
            undo()
            raise
        return undo

    def record(self, base_url, objects=(), events=()):
        """Add PREMIS objects and events to the object's provenance (``logs/premis.xml``)."""
        path = self.premis_path(base_url)
        path.parent.mkdir(exist_ok=True)
        premis.append(path, objects, events)


def parse_datetime(value):
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def stored_version(name, data, sizes, added):
    state = data.get("state", {})
    user = data.get("user", {})
    return StoredVersion(
        name=name,
        captured_at=parse_datetime(data["created"]),
        organisation=user.get("name", ""),
        address=user.get("address", ""),
        message=data.get("message", ""),
        files=sum(len(paths) for paths in state.values()),
        bytes=sum(sizes.get(digest, 0) * len(paths) for digest, paths in state.items()),
        added_files=added[0],
        added_bytes=added[1],
    )
