"""Verify an archive years later, from the archive alone: fixity against its bag, links and privacy,
the WACZ's signature and the PREMIS record.

The fixity manifest is the bag's: ``verify_archive archive`` checks the site folder against the
manifests of ``archive.bag`` beside it; ``verify_archive archive.bag`` validates the bag itself
(its payload is the copy of the folder). Links and privacy are checked in the folder checked. The
WACZ beside it must be intact and, if signed, signed by the organisation's key when that is given;
the PREMIS record must be valid PREMIS 3, and each verification is added to it as an event.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import bagit

from . import premis, signing
from .checks import check_links, check_private
from .files import FileSkipped, open_regular, walk_archive
from .layout import package_paths, printable
from .package import BAG_ALGORITHMS

# Files are hashed a chunk at a time, so memory stays flat whatever their size.
CHUNK_BYTES = 1024 * 1024


class VerifyError(Exception):
    """The path given is not an archive that can be verified; the message says why."""


@dataclass(frozen=True)
class FixityProblem:
    file: str
    change: str  # "changed", "missing" or "extra"

    def __str__(self):
        file = printable(self.file)
        return {
            "changed": f"{file} has changed since it was captured",
            "missing": f"{file} is missing",
            "extra": f"{file} was not in the archive when it was captured",
        }[self.change]


@dataclass
class Verification:
    site_dir: Path
    bag_dir: Path
    fixity: list = field(default_factory=list)
    links: list = field(default_factory=list)
    private: list = field(default_factory=list)
    signature: list = field(default_factory=list)
    premis: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # What was not checked, or checked with a caveat.

    @property
    def ok(self):
        return not (self.fixity or self.links or self.private or self.signature or self.premis)

    def report(self):
        site_dir, bag_dir = printable(str(self.site_dir)), printable(str(self.bag_dir))
        lines = [f"Verifying {site_dir} against the checksums in {bag_dir}"]
        for title, problems in (
            ("Fixity", self.fixity),
            ("Internal links", self.links),
            ("Nothing private", self.private),
            ("WACZ signature", self.signature),
            ("PREMIS record", self.premis),
        ):
            lines.append(f"{title}: {'OK' if not problems else f'{len(problems)} problems'}")
            lines += [f"  {problem}" for problem in problems]
        lines += [f"Note: {printable(note)}" for note in self.notes]
        lines.append("The archive is intact." if self.ok else "The archive FAILED verification.")
        return "\n".join(lines)


def find_bag(path):
    """(site folder, bag folder) for a bag or for a site folder with its bag beside it."""
    path = Path(path).resolve()
    if not path.is_dir():
        raise VerifyError(f"{path} is not a folder; give an archive folder or its .bag folder.")
    if (path / "bagit.txt").is_file():
        if (path / "data").is_symlink():  # The payload must be the bag's own, not somewhere else.
            raise VerifyError(f"{path / 'data'} is a symbolic link; it was not followed.")
        return path / "data", path
    bag_dir = package_paths(path)["bag"]
    if (bag_dir / "bagit.txt").is_file():
        return path, bag_dir
    raise VerifyError(
        f"{path} has no checksums to verify against: expected a BagIt bag at {bag_dir} "
        "(written by export_archive --package), or give the path of the bag itself."
    )


def check_fixity(site_dir, bag_dir):
    """Files that differ from the bag's manifests, each named as changed, missing or extra.

    bagit-python reads the manifests; its own validate() stops at the first count mismatch without
    naming files, so the comparison is done here.
    """
    try:
        bag = bagit.Bag(str(bag_dir))
    except bagit.BagError as exc:
        raise VerifyError(f"{bag_dir} is not a readable BagIt bag: {exc}") from exc
    if not list(bag.manifest_files()):  # Otherwise every file would be called extra.
        missing = " and ".join(f"manifest-{algorithm}.txt" for algorithm in BAG_ALGORITHMS)
        raise VerifyError(
            f"{bag_dir} has lost its checksums: {missing} are missing, so no file can be checked."
        )
    payload = {
        Path(path).relative_to("data").as_posix(): hashes for path, hashes in bag.payload_entries().items()
    }
    files, skipped = walk_archive(site_dir)
    problems = compare(site_dir, payload, set(files), skipped)
    if site_dir == bag_dir / "data":  # Verifying the bag itself: its bag-info and manifests too.
        tags = {Path(path).as_posix(): hashes for path, hashes in bag.tagfile_entries().items()}
        problems += compare(bag_dir, tags, {name for name in tags if os.path.lexists(bag_dir / name)})
    return sorted(problems, key=lambda problem: problem.file)


def compare(root, expected, found, skipped=()):
    """Problems with the files ``found`` under ``root`` against the ``expected`` digests.

    Symbolic links and other entries that are not files (``skipped``) are failures in themselves,
    not also missing files, and are never read.
    """
    problems = list(skipped)
    not_files = {problem.file for problem in skipped}
    problems += [FixityProblem(name, "missing") for name in expected.keys() - found - not_files]
    problems += [FixityProblem(name, "extra") for name in found - expected.keys()]
    for name in found & expected.keys():
        digests = {algorithm: hashlib.new(algorithm) for algorithm in expected[name]}
        try:
            with open_regular(root, name) as file:
                while chunk := file.read(CHUNK_BYTES):
                    for digest in digests.values():
                        digest.update(chunk)
        except FileSkipped as exc:
            problems.append(exc.problem)
            continue
        if any(digests[algorithm].hexdigest() != value for algorithm, value in expected[name].items()):
            problems.append(FixityProblem(name, "changed"))
    return problems


def verify_archive(path, public_keys=(), record=True):
    """Verify the archive at ``path`` (a site folder with its bag beside it, or the bag). The WACZ's
    signature must be by one of ``public_keys`` when any are given. ``record``: add the verification
    to the PREMIS record beside it as a fixity check event."""
    site_dir, bag_dir = find_bag(path)
    verification = Verification(
        site_dir=site_dir,
        bag_dir=bag_dir,
        fixity=check_fixity(site_dir, bag_dir),
        links=check_links(site_dir),
        private=check_private(site_dir),
    )
    paths = package_paths(bag_dir.with_name(bag_dir.name.removesuffix(".bag")))
    check_signature(verification, paths["wacz"], public_keys)
    if paths["provenance"].is_file():
        verification.premis = [
            f"{paths['provenance'].name}: {problem}" for problem in premis.check_file(paths["provenance"])
        ]
        if record and not verification.premis:
            record_verification(verification, paths["provenance"])
    else:
        verification.notes.append(
            f"There is no PREMIS record ({paths['provenance'].name}) beside the archive."
        )
    return verification


def check_signature(verification, wacz_path, public_keys):
    if not wacz_path.is_file():
        verification.notes.append(
            f"There is no WACZ ({wacz_path.name}) beside the archive; no signature checked."
        )
        return
    check = signing.check_wacz(wacz_path, public_keys)
    if not check.signed:
        verification.notes.append(f"{wacz_path.name} is not signed.")
    elif not check.ok:
        verification.signature.append(f"{wacz_path.name}: {check.problem}")
    elif check.trusted:
        verification.notes.append(
            f"{wacz_path.name} is signed by the organisation's key {check.fingerprint}."
        )
    else:
        verification.notes.append(
            f"{wacz_path.name} is signed by the key {check.fingerprint}; give the organisation's public key "
            "(--public-key) to check it is theirs."
        )


def record_verification(verification, premis_path):
    problems = [str(problem) for problem in verification.fixity + verification.links + verification.private]
    problems += verification.signature
    event = premis.Event(
        type="fixity check",
        when=premis.now(),
        detail=(
            f"Verified {verification.site_dir.name} against the checksums of {verification.bag_dir.name}, "
            "its internal links, that nothing private is in it, and the WACZ's signature."
        ),
        outcome="fail" if problems else "pass",
        notes=tuple(problems[:50]) + tuple(verification.notes),
        agents=((premis.Agent("static_export verify_archive", "software"), "executing program"),),
        objects=(("local", verification.site_dir.name, "source"),),
    )
    try:
        premis.append(premis_path, events=[event])
    except (OSError, premis.PremisError) as exc:
        verification.notes.append(f"The verification could not be recorded in {premis_path.name}: {exc}")
