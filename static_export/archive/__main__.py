"""The archive tools on the files alone, without Django or a database, as an archivist may run them
years later:

    python -m static_export.archive verify PATH [--only v2] [--public-key KEY.pub]
    python -m static_export.archive diff OLD NEW
    python -m static_export.archive versions STORE [--site URL]
    python -m static_export.archive checkout STORE VERSION FOLDER [--site URL]
    python -m static_export.archive timemap STORE [--site URL] [--versions-url URL]
    python -m static_export.archive wacz-verifier --public-key KEY.pub [--port N]

``verify`` and ``diff`` are ``manage.py verify_archive`` and ``manage.py diff_archives``. PATH is an
archive folder (with its package beside it), its bag, or a snapshot store. ``wacz-verifier`` answers
``wacz validate --verify-auth --verifier-url http://127.0.0.1:N/verify`` on loopback, accepting only
signatures by the given public key, until interrupted.
"""

import argparse
import sys
import time

from .diff import diff_archives
from .layout import printable
from .signing import SigningError, load_public_key, verifier_service
from .store import SnapshotStore, StoreError
from .store_check import verify_path
from .verify import VerifyError


def parser():
    main = argparse.ArgumentParser(
        prog="python -m static_export.archive",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    tools = main.add_subparsers(dest="tool", required=True)
    verify = tools.add_parser(
        "verify", help="Check an archive (fixity, links, privacy, signature) or a store."
    )
    verify.add_argument(
        "path", help="An archive folder (with DIR.bag beside it), its bag, or a snapshot store."
    )
    verify.add_argument("--only", help="In a store: check only this version, e.g. v2.")
    verify.add_argument(
        "--public-key", help="The organisation's public key (PEM) the WACZ must be signed with."
    )
    verify.add_argument(
        "--no-record", action="store_true", help="Do not add the verification to the PREMIS record."
    )
    diff = tools.add_parser("diff", help="The pages added, removed and changed between two archives.")
    diff.add_argument("old")
    diff.add_argument("new")
    for name, text in (
        ("versions", "List the versions of each site in a snapshot store."),
        ("checkout", "Write a version of a site to a new folder, byte for byte as it was exported."),
        ("timemap", "Print the TimeMap (application/link-format) of a site's versions."),
    ):
        tool = tools.add_parser(name, help=text)
        tool.add_argument("store")
        if name == "checkout":
            tool.add_argument("version")
            tool.add_argument("folder")
        tool.add_argument("--site", help="The site's base URL; default: the store's only site.")
        if name == "timemap":
            tool.add_argument("--versions-url", default="", help="Where the versions are published together.")
    verifier = tools.add_parser("wacz-verifier", help="Serve wacz validate --verifier-url on loopback.")
    verifier.add_argument("--public-key", required=True)
    verifier.add_argument("--port", type=int, default=0)
    return main


def main(argv=None):
    """Run one tool; returns the exit status: 0 when all is well, 1 when verification failed, 2 for
    a path that is not what the tool needs."""
    args = parser().parse_args(argv)
    try:
        if args.tool == "verify":
            keys = [load_public_key(args.public_key)] if args.public_key else []
            verifications = verify_path(args.path, args.only, keys, record=not args.no_record)
            sys.stdout.write("\n\n".join(verification.report() for verification in verifications) + "\n")
            return 0 if all(verification.ok for verification in verifications) else 1
        if args.tool == "diff":
            sys.stdout.write(diff_archives(args.old, args.new).report() + "\n")
            return 0
        if args.tool == "wacz-verifier":
            return serve_verifier(args.public_key, args.port)
        store = SnapshotStore(args.store)
        site = args.site or only_site(store)
        if args.tool == "versions":
            sys.stdout.write(versions_report(store, site))
        elif args.tool == "checkout":
            folder = store.checkout(site, args.version, args.folder)
            sys.stdout.write(f"Checked out {args.version} of {site} into {folder}\n")
        else:
            sys.stdout.write(store.timemap(site, args.versions_url))
        return 0
    except (VerifyError, StoreError, SigningError, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2


def only_site(store):
    sites = store.object_ids()
    if len(sites) != 1:
        found = ", ".join(sites) or "none"
        raise StoreError(f"{store.root} keeps {len(sites)} sites ({found}); name one with --site.")
    return sites[0]


def versions_report(store, site):
    lines = [f"{site} in {store.root}:"]
    for version in store.versions(site):
        who = printable(version.organisation)
        size = f"{version.files} files, {version.bytes:,} bytes"
        added = f"{version.added_files} files, {version.added_bytes:,} bytes"
        lines.append(
            f"  {version.name}  captured {version.captured_at.isoformat()} by {who}: {size}; added {added}"
        )
    return "\n".join(lines) + "\n"


def serve_verifier(public_key, port):
    with verifier_service([load_public_key(public_key)], port) as url:
        sys.stdout.write(f"Verifying WACZ signatures by {public_key} at {url} (Ctrl-C to stop)\n")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
