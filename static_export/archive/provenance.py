"""What an export did, as PREMIS 3 objects and events (premis.py): the site (an intellectual
entity), this capture of it (a representation), the WACZ and the bag's manifests (files); the
capture, each check and gate, message digest calculation, packing, signing and ingestion into the
store. The package's ``DIR.premis.xml`` and the store's ``logs/premis.xml`` are made of these."""

import hashlib
import importlib.metadata
from pathlib import Path

from .layout import plural
from .premis import Agent, Event, Object, now

EXPORT_AGENT = "wellbeing-archive export_archive"


def versions(names):
    return {name: importlib.metadata.version(name) for name in names}


def file_digests(path, algorithms=("sha256", "sha512")):
    digests = {algorithm: hashlib.new(algorithm) for algorithm in algorithms}
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            for digest in digests.values():
                digest.update(block)
    return {algorithm: digest.hexdigest() for algorithm, digest in digests.items()}


def entity_id(capture):
    return ("URL", capture.base_url + "/")


def capture_id(capture):
    return ("local", f"{capture.base_url}/ captured {capture.captured_at.isoformat()}")


def organisation(capture):
    return Agent(capture.organisation, "organization")


def export_agent(capture):
    software = ", ".join(f"{name} {version}" for name, version in sorted(capture.report.software.items()))
    return Agent(EXPORT_AGENT, "software", software)


def capture_objects(capture, folder_name):
    """The site and this capture of it."""
    return [
        Object("intellectualEntity", (entity_id(capture),), name=f"Website of {capture.organisation}"),
        Object("representation", (capture_id(capture),), name=folder_name, part_of=entity_id(capture)),
    ]


def capture_events(capture):
    """The capture, then each check and gate the export ran (tool, version, outcome)."""
    report = capture.report
    capture_ref = (*capture_id(capture), "outcome")
    events = [
        Event(
            "capture",
            capture.captured_at.isoformat(),
            f"Rendered every live, public page of {capture.base_url}/ through the CMS into a static archive: "
            f"{plural(report.pages, 'page')}, {plural(report.documents, 'document')}, "
            f"{plural(report.images, 'image')}; {plural(report.files, 'file')}, {report.bytes} bytes.",
            "success",
            notes=tuple(f"Warning: {warning}" for warning in report.warnings),
            agents=((export_agent(capture), "executing program"), (organisation(capture), "implementer")),
            objects=(capture_ref,),
        )
    ]
    checked_at = now()
    for check in report.checks:
        problems = check.get("problems", [])
        events.append(
            Event(
                "validation",
                checked_at,
                f"{check['name']}: {check['tool']} {check['version']}".rstrip()
                + f" checked {plural(check['files'], 'file')} of the archive before it was kept.",
                "fail" if problems else "pass",
                notes=tuple(problems[:50]),
                agents=((Agent(check["tool"], "software", check["version"]), "validator"),),
                objects=((*capture_id(capture), "source"),),
            )
        )
    return events


def package_objects(capture, bag_dir, wacz_path):
    """The WACZ and the bag's payload manifests, as PREMIS file objects with their digests."""
    wacz = file_digests(wacz_path)
    manifests = {
        name: file_digests(bag_dir / name) for name in ("manifest-sha256.txt", "manifest-sha512.txt")
    }
    return [
        Object(
            "file",
            (("local", wacz_path.name),),
            name=wacz_path.name,
            size=wacz_path.stat().st_size,
            digests=(("SHA-256", wacz["sha256"]), ("SHA-512", wacz["sha512"])),
            format=("WACZ", "1.1.1"),
            part_of=capture_id(capture),
        ),
        *(
            Object(
                "file",
                (("local", f"{bag_dir.name}/{name}"),),
                name=name,
                size=(bag_dir / name).stat().st_size,
                digests=(("SHA-256", digests["sha256"]),),
                format=("BagIt payload manifest", "1.0"),
                part_of=capture_id(capture),
            )
            for name, digests in manifests.items()
        ),
    ]


def package_records(capture, bag, wacz_path, pages, signature):
    """(objects, events) of packing the capture: the WACZ and the bag's manifests, the digests, the
    packing and, if the WACZ is signed, the signing."""
    packed_at, bag_dir, wacz_path = now(), Path(bag.path), Path(wacz_path)
    objects = package_objects(capture, bag_dir, wacz_path)
    wacz_id = ("local", wacz_path.name)
    tools = versions(["bagit", "warcio", "wacz"])
    bagit_agent = (Agent("bagit-python", "software", tools["bagit"]), "executing program")
    events = [
        Event(
            "message digest calculation",
            packed_at,
            "SHA-256 and SHA-512 of every file of the archive, in the bag's manifests "
            f"(Payload-Oxum {bag.info['Payload-Oxum']}), and of the WACZ.",
            "success",
            agents=(bagit_agent,),
            objects=(
                (*capture_id(capture), "source"),
                *((*obj.identifiers[0], "outcome") for obj in objects),
            ),
        ),
        Event(
            "packing",
            packed_at,
            f"A BagIt 1.0 bag ({bag_dir.name}) of the archive folder, and a WACZ ({wacz_path.name}) of "
            f"WARC/1.1 records of every file at its original URL with {plural(pages, 'page')} listed.",
            "success",
            agents=(
                bagit_agent,
                (Agent("warcio", "software", tools["warcio"]), "executing program"),
                (Agent("py-wacz", "software", tools["wacz"]), "executing program"),
            ),
            objects=((*capture_id(capture), "source"), (*wacz_id, "outcome")),
        ),
    ]
    if signature is not None:
        events.append(signing_event(capture, wacz_id, signature, packed_at))
    return objects, events


def signing_event(capture, wacz_id, signature, when):
    return Event(
        "digital signature generation",
        when,
        "Anonymous signature of the WACZ's datapackage.json (WACZ Signing and Verification 0.1.0): "
        f"ECDSA P-384 with SHA-256, by the key {signature.fingerprint}.",
        "success" if signature.ok else "fail",
        notes=(signature.problem,) if signature.problem else (),
        agents=(
            (organisation(capture), "implementer"),
            (
                Agent(
                    "static_export signing (cryptography)",
                    "software",
                    versions(["cryptography"])["cryptography"],
                ),
                "executing program",
            ),
        ),
        objects=((*wacz_id, "outcome"),),
    )


def ingestion_records(capture, store_root, version):
    """(objects, events) of adding the capture to the store as ``version`` (a StoredVersion)."""
    object_id = capture.base_url + "/"
    version_id = ("OCFL object version", f"{object_id} {version.name}")
    objects = [
        Object(
            "representation",
            (version_id, capture_id(capture)),
            name=version.name,
            part_of=entity_id(capture),
            location=str(store_root),
        )
    ]
    event = Event(
        "ingestion end",
        now(),
        f"Added as version {version.name} of the OCFL object {object_id} in the snapshot store "
        f"{store_root}: {plural(version.files, 'file')}, of which {plural(version.added_files, 'file')} "
        f"({version.added_bytes} bytes) were not already stored; each file's SHA-512 is in inventory.json.",
        "success",
        agents=(
            (Agent("ocfl-py", "software", versions(["ocfl-py"])["ocfl-py"]), "executing program"),
            (organisation(capture), "implementer"),
        ),
        objects=((*capture_id(capture), "source"), (*version_id, "outcome")),
    )
    return objects, [event]
