"""Verify an archive years later, from the archive alone: fixity against its bag, links and privacy.

The fixity manifest is the bag's: ``verify_archive archive`` checks the site folder against the
manifests of ``archive.bag`` beside it; ``verify_archive archive.bag`` validates the bag itself
(its payload is the copy of the folder). Links and privacy are checked in the folder checked.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import bagit

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

    @property
    def ok(self):
        return not (self.fixity or self.links or self.private)

    def report(self):
        site_dir, bag_dir = printable(str(self.site_dir)), printable(str(self.bag_dir))
        lines = [f"Verifying {site_dir} against the checksums in {bag_dir}"]
        for title, problems in (
            ("Fixity", self.fixity),
            ("Internal links", self.links),
            ("Nothing private", self.private),
        ):
            lines.append(f"{title}: {'OK' if not problems else f'{len(problems)} problems'}")
            lines += [f"  {problem}" for problem in problems]
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


def verify_archive(path):
    site_dir, bag_dir = find_bag(path)
    return Verification(
        site_dir=site_dir,
        bag_dir=bag_dir,
        fixity=check_fixity(site_dir, bag_dir),
        links=check_links(site_dir),
        private=check_private(site_dir),
    )
