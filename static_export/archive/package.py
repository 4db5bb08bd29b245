"""The preservation package of a finished archive: a BagIt bag, a signed WACZ web archive and its
PREMIS 3 provenance.

``export_archive --package`` builds all three in a temporary folder beside the archive and renames
them into place (``DIR.bag/``, ``DIR.wacz``, ``DIR.premis.xml``) only once all are complete, so a
failure leaves the previous package as it was. It needs the finished folder and a Capture, no
database. The WACZ is signed with the organisation's key when the Capture names one (signing.py).
"""

import contextlib
import datetime
import hashlib
import importlib.metadata
import io
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import quote

import bagit
from wacz.main import main as wacz_main
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from . import premis, provenance, signing
from .errors import ExportError
from .files import all_files, start_forked, swap_into_place
from .layout import content_type, live_url, package_paths, page_title

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
BAG_ALGORITHMS = ("sha256", "sha512")  # A manifest-<algorithm>.txt of the payload for each.


@dataclass
class Package:
    """A package built in ``work`` for the archive folder ``output``, waiting to be renamed into place."""

    work: Path
    output: Path
    capture: object = None  # The Capture packed, and what its PREMIS record holds, for the store's.
    premis_objects: list = field(default_factory=list)
    premis_events: list = field(default_factory=list)
    running: list = field(default_factory=list)  # The processes still building it (start_package).

    def built(self):
        return package_paths(self.work / self.output.name)

    def install(self):
        targets = package_paths(self.output)
        for kind, built in self.built().items():
            if built.is_dir():
                swap_into_place(built, targets[kind])
            else:
                os.replace(built, targets[kind])
        self.discard()
        return {kind: str(path) for kind, path in targets.items()}

    def discard(self):
        for process in self.running:  # Abandoned: stopped before their folder goes.
            process.stop()
        self.running = []
        shutil.rmtree(self.work, ignore_errors=True)


@dataclass(frozen=True)
class Capture:
    """What a package says of the capture it holds: where and when, whose, who to ask, and the
    export's report (its output, software, counts and warnings)."""

    base_url: str
    captured_at: datetime.datetime
    organisation: str
    contact: str
    report: object
    signing_key: Path | None = None  # The organisation's private key; None: the WACZ is not signed.


def build_package(archive_dir, output, capture):
    """Bag, WACZ and provenance of the finished archive in ``archive_dir``, to install beside ``output``."""
    return finish_package(start_package(archive_dir, output, capture), capture)


def start_package(archive_dir, output, capture):
    """Start building the bag and the WACZ of the finished archive in ``archive_dir``, each in a
    process of its own (they read and digest every file: side by side, on two cores), while this
    process goes on (checking the archive, say). ``finish_package`` waits for them; ``discard``
    stops them. ``capture``'s report is not read yet: the PREMIS record is written at the finish."""
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.packaging-", dir=output.parent))
    package = Package(work, output, capture)
    try:
        paths = package.built()
        package.running = [
            start_forked(make_wacz, archive_dir, paths["wacz"], capture, package.work),
            start_forked(make_bag, archive_dir, paths["bag"], capture),
        ]
    except BaseException:
        package.discard()
        raise
    return package


def finish_package(package, capture):
    """Wait for the bag and the WACZ, then write the PREMIS record of ``capture`` (with its report
    as it is now: checks, counts and warnings); returns the package, or raises and discards it."""
    try:
        wacz, bag = package.running
        try:
            bag = bag()
        finally:  # A failed WACZ is the failure reported (a full disk, say, meets it too).
            pages, signature = wacz()
        package.running = []
        paths = package.built()
        objects = provenance.capture_objects(capture, package.output.name)
        more_objects, events = provenance.package_records(capture, bag, paths["wacz"], pages, signature)
        package.capture = capture
        package.premis_objects = objects + more_objects
        package.premis_events = provenance.capture_events(capture) + events
        premis.write(paths["provenance"], premis.record(package.premis_objects, package.premis_events))
    except BaseException:
        package.discard()
        raise
    return package


def versions(names):
    return {name: importlib.metadata.version(name) for name in names}


# BagIt


@dataclass(frozen=True)
class BuiltBag:
    """What the provenance says of a bag built and validated: its folder and bag-info.txt's tags."""

    path: str
    info: dict


def make_bag(archive_dir, bag_dir, capture):
    """A BagIt 1.0 bag whose payload is a copy of the archive, with SHA-256 and SHA-512 manifests,
    validated by bagit-python; returns a BuiltBag.

    What ``bagit.make_bag`` writes, written as it writes it (its own manifest and tag-file writers),
    but with the payload copied straight into ``data/`` and without what costs it most at 30,000
    files and checks nothing this bag needs: the walks checking that every file of a folder it
    would move in place may be moved, a log line per file, and reading every manifest back, checking
    each path it names, to return a Bag; ``bagit.Bag(...).validate()`` then reads them once, checks
    those paths and every file's digests. Runs in a process of its own (it changes directory).
    """
    bagit.LOGGER.setLevel(logging.WARNING)
    bag_dir = Path(bag_dir)
    bag_dir.mkdir()
    shutil.copytree(archive_dir, bag_dir / "data")
    # bagit.make_bag moves the payload into data/ and gives it the bag folder's permissions; the bag
    # folder was the copy of the archive's.
    shutil.copymode(archive_dir, bag_dir)
    shutil.copymode(archive_dir, bag_dir / "data")
    organisation = capture.organisation
    name, email = parseaddr(capture.contact or "")
    bag_info = {
        "Source-Organization": organisation,
        "Contact-Name": name or organisation,
        "External-Description": (
            f"Static archive of {capture.base_url}/ as published on {capture.captured_at.isoformat()}: "
            "every live, public page with the images, documents and files they use."
        ),
        "External-Identifier": capture.base_url + "/",
        "Bagging-Date": datetime.datetime.now(datetime.UTC).date().isoformat(),
    }
    if email:
        bag_info["Contact-Email"] = email
    checksums = list(BAG_ALGORITHMS)
    os.chdir(bag_dir)  # bagit's writers name files from the bag's folder, as bagit.make_bag does.
    total_bytes, total_files = bagit.make_manifests("data", 1, algorithms=checksums, encoding="utf-8")
    # This bag meets RFC 8493 (BagIt 1.0); bagit-python would declare 0.97.
    (bag_dir / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    bag_info["Bag-Software-Agent"] = f"bagit.py v{bagit.VERSION} <{bagit.PROJECT_URL}>"
    bag_info["Payload-Oxum"] = f"{total_bytes}.{total_files}"
    bagit._make_tag_file("bag-info.txt", bag_info)
    write_tag_manifests(bag_dir, checksums)
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    return BuiltBag(bag.path, dict(bag.info))


def write_tag_manifests(bag_dir, algorithms):
    """tagmanifest-<algorithm>.txt: a digest of each tag file (bagit.txt, bag-info.txt, manifests)."""
    names = sorted(path.name for path in bag_dir.iterdir() if path.is_file())
    names = [name for name in names if not name.startswith("tagmanifest-")]
    for algorithm in algorithms:
        lines = [
            f"{hashlib.new(algorithm, (bag_dir / name).read_bytes()).hexdigest()} {name}\n" for name in names
        ]
        (bag_dir / f"tagmanifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")


# WACZ


def make_wacz(archive_dir, wacz_path, capture, work):
    """A WACZ of the archive: its WARC (``write_warc``) and a pages list, packed by the wacz tool and
    signed with the organisation's key if the capture names one. Returns (pages, SignatureCheck or None)."""
    warc_path = work / f"{wacz_path.stem}.warc.gz"
    pages = write_warc(archive_dir, warc_path, capture)
    pages_path = work / "pages.jsonl"
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All pages"}
    pages_path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in [header, *pages]), encoding="utf-8"
    )
    args = ["create", "-o", str(wacz_path), "-p", str(pages_path), str(warc_path)]
    args += ["--title", f"Archive of {capture.base_url}/", "--url", f"{capture.base_url}/"]
    args += ["--ts", capture.captured_at.strftime("%Y%m%d%H%M%S")]
    messages = io.StringIO()
    with contextlib.redirect_stdout(messages), signer(capture.signing_key) as signing_args:
        status = wacz_main(args + signing_args)
    if status or "Invalid passed page" in messages.getvalue():
        raise ExportError(f"Could not build the WACZ file: {messages.getvalue().strip()}")
    warc_path.unlink()
    pages_path.unlink()
    if capture.signing_key is None:
        return pages, None
    signature = signing.check_wacz(wacz_path, [signing.load_public_key(capture.signing_key)])
    if not signature.ok:  # py-wacz prints a failed signing request and carries on unsigned.
        raise ExportError(f"Could not sign the WACZ with {capture.signing_key}: {signature.problem}.")
    return pages, signature


@contextlib.contextmanager
def signer(key_path):
    """py-wacz's signing arguments: a loopback signer holding the organisation's key, or none."""
    if key_path is None:
        yield []
        return
    try:
        key = signing.load_private_key(key_path)
    except signing.SigningError as exc:
        raise ExportError(str(exc)) from exc
    with signing.signing_service(key) as (url, token):
        yield ["--signing-url", url, "--signing-token", token]


def write_warc(archive_dir, warc_path, capture):
    """WARC/1.1 records of every file at its live URL; returns the pages (URL, title, date).

    Pages are responses at their live URL (``/news/``); the ``news/index.html`` URL the archive's own
    relative links use is a revisit of the same record, so replay follows them.
    """
    root = Path(archive_dir)
    warc_date = capture.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    pages = []
    with open(warc_path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        info = {
            "software": f"wellbeing-archive export_archive; warcio {versions(['warcio'])['warcio']}",
            "format": "WARC File Format 1.1",
            "isPartOf": capture.base_url + "/",
            "description": f"Static archive captured {capture.captured_at.isoformat()}",
        }
        record = writer.create_warcinfo_record(warc_path.name, info)
        record.rec_headers.replace_header("WARC-Date", warc_date)
        writer.write_record(record)
        for name in all_files(root):
            content = (root / name).read_bytes()
            url = live_url(capture.base_url, name)
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", content_type(name)), ("Content-Length", str(len(content)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(content),
                length=len(content),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": warc_date},
            )
            writer.write_record(record)
            if name.endswith(".html"):
                title = page_title(content.decode("utf-8", errors="replace"))
                pages.append({"url": url, "title": title, "ts": warc_date})
            if name.endswith("/index.html") or name == "index.html":
                revisit = writer.create_revisit_record(
                    f"{capture.base_url}/{quote(name, safe='/')}",
                    record.rec_headers.get_header("WARC-Payload-Digest"),
                    url,
                    warc_date,
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": warc_date},
                )
                writer.write_record(revisit)
    return pages
