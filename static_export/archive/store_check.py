"""Verify the snapshot store: each object's OCFL structure (ocfl-py's validator) and the fixity of
every stored file against the SHA-512 of its inventory, naming the version and file at fault; and its
PREMIS provenance against the schema. Every verification is recorded in that provenance.

A stored file belongs to every version whose state names its digest (forward deltas store a file
once), so a changed file is named with each version and archive path it stands for.
"""

import hashlib
from dataclasses import dataclass, field

import ocfl
from ocfl.validator import Validator

from . import premis
from .files import FileSkipped, open_regular, per_file
from .layout import plural, printable
from .store import SnapshotStore, StoreError, object_id
from .verify import CHUNK_BYTES, VerifyError, verify_archive


@dataclass(frozen=True)
class StoredFileProblem:
    content_path: str  # "v1/content/about/index.html", from the object's root
    change: str  # "changed", "missing" or what else it is (a symbolic link, …)
    used_in: tuple = ()  # ("v1", "about/index.html") for each version and archive path it stands for

    def __str__(self):
        what = {"changed": "has changed since it was stored", "missing": "is missing"}.get(
            self.change, self.change
        )
        uses = ", ".join(f"{path} in {version}" for version, path in self.used_in)
        return printable(f"{self.content_path} {what}" + (f": it is {uses}" if uses else ""))


@dataclass
class StoreVerification:
    store: str
    object_id: str
    versions: list  # The versions checked
    structure: list = field(default_factory=list)  # ocfl-py's validator's errors
    fixity: list = field(default_factory=list)
    premis: list = field(default_factory=list)
    files: int = 0

    @property
    def ok(self):
        return not (self.structure or self.fixity or self.premis)

    def report(self):
        checked = ", ".join(self.versions) if self.versions else "no versions"
        lines = [
            f"Verifying {printable(self.object_id)} in the snapshot store {printable(self.store)} ({checked})"
        ]
        for title, problems in (
            ("OCFL structure (ocfl-py)", self.structure),
            (f"Fixity (SHA-512 of {plural(self.files, 'stored file')})", self.fixity),
            ("PREMIS provenance", self.premis),
        ):
            lines.append(f"{title}: {'OK' if not problems else f'{len(problems)} problems'}")
            lines += [f"  {printable(str(problem))}" for problem in problems]
        lines.append("The store is intact." if self.ok else "The store FAILED verification.")
        return "\n".join(lines)


def verify_store(store, base_url=None, version=None, record=True):
    """Verify every object of the store (or the site ``base_url``'s), every version or one; returns a
    StoreVerification per object. ``record``: add a fixity check event to each object's PREMIS."""
    store = store if isinstance(store, SnapshotStore) else SnapshotStore(store)
    if not store.exists():
        raise StoreError(f"{store.root} is not a snapshot store (no OCFL storage root declaration).")
    ids = [object_id(base_url)] if base_url else store.object_ids()
    if not ids:
        raise StoreError(f"{store.root} holds no snapshots yet.")
    results = [verify_object(store, identifier, version) for identifier in ids]
    if record:
        for result in results:
            record_verification(store, result)
    return results


def verify_object(store, identifier, version=None):
    inventory, root = store.inventory(identifier), store.object_dir(identifier)
    names = sorted(inventory["versions"], key=lambda name: int(name[1:]))
    if version is not None and version not in names:
        raise StoreError(
            f"{store.root} has no version {version} of {identifier} (it has {', '.join(names)})."
        )
    checked = [version] if version else names
    result = StoreVerification(str(store.root), identifier, checked)
    validator = Validator(check_digests=False, log_warnings=False)
    if not validator.validate_object(str(root)):
        result.structure = [line for line in validator.status_str().splitlines() if line.strip()]
    uses = {}
    for name in checked:
        for digest, paths in inventory["versions"][name]["state"].items():
            uses.setdefault(digest, []).extend((name, path) for path in paths)
    expected = {path: digest for digest in uses for path in inventory["manifest"].get(digest, [])}
    result.files = len(expected)
    found = per_file(content_problem, str(root), sorted(expected), expected)
    result.fixity = [
        StoredFileProblem(path, change, tuple(uses[expected[path]]))
        for path, change in zip(sorted(expected), found, strict=True)
        if change
    ]
    premis_path = store.premis_path(identifier)
    if premis_path.exists():
        result.premis = [f"{PREMIS_NAME}: {problem}" for problem in premis.check_file(premis_path)]
    return result


PREMIS_NAME = "logs/premis.xml"


def content_problem(root, path, expected):
    """What is wrong with the stored file ``path`` (None when its SHA-512 is the inventory's)."""
    digest = hashlib.sha512()
    try:
        with open_regular(root, path) as file:
            while chunk := file.read(CHUNK_BYTES):
                digest.update(chunk)
    except FileNotFoundError:
        return "missing"
    except FileSkipped as exc:
        return exc.problem.reason
    return None if digest.hexdigest() == expected[path] else "changed"


def record_verification(store, result):
    outcome = "pass" if result.ok else "fail"
    notes = [str(problem) for problem in (result.structure + result.fixity + result.premis)[:50]]
    event = premis.Event(
        type="fixity check",
        when=premis.now(),
        detail=(
            f"Verified {', '.join(result.versions)} of the OCFL object {result.object_id}: its structure "
            f"with ocfl-py and the SHA-512 of {plural(result.files, 'stored file')}."
        ),
        outcome=outcome,
        notes=tuple(notes),
        agents=(
            (premis.Agent("ocfl-py", "software", ocfl.__version__), "validator"),
            (premis.Agent("static_export verify_archive", "software"), "executing program"),
        ),
        objects=(("OCFL object", result.object_id, "source"),),
    )
    try:
        store.record(result.object_id, events=[event])
    except (OSError, premis.PremisError) as exc:
        result.premis.append(f"the verification could not be recorded in {PREMIS_NAME}: {exc}")


def verify_path(path, version=None, public_keys=(), record=True):
    """Verify whatever ``path`` is: a snapshot store (every object; every version, or ``version``),
    an archive folder with its package beside it, or its bag. Returns the verifications (each has
    ``ok`` and ``report()``); raises StoreError or VerifyError when ``path`` is none of these."""
    store = SnapshotStore(path)
    if store.exists():
        return verify_store(store, version=version, record=record)
    if version is not None:
        raise VerifyError(f"{path} is not a snapshot store, so it has no versions to choose from.")
    return [verify_archive(path, public_keys, record=record)]
