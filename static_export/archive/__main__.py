"""The archive tools on the files alone, without Django or a database, as an archivist may run them
years later: ``python -m static_export.archive verify DIR`` and ``python -m static_export.archive diff
OLD NEW`` (the same as ``manage.py verify_archive`` and ``manage.py diff_archives``)."""

import argparse
import sys

from .diff import diff_archives
from .verify import VerifyError, verify_archive


def main(argv=None):
    """Run one tool; returns the exit status: 0 when all is well, 1 when verification failed, 2 for
    a path that is not an archive."""
    parser = argparse.ArgumentParser(prog="python -m static_export.archive", description=__doc__)
    tools = parser.add_subparsers(dest="tool", required=True)
    verify = tools.add_parser("verify", help="Check an archive against its bag: fixity, links, privacy.")
    verify.add_argument("path", help="The archive folder (with DIR.bag beside it) or the bag itself.")
    diff = tools.add_parser("diff", help="The pages added, removed and changed between two archives.")
    diff.add_argument("old")
    diff.add_argument("new")
    args = parser.parse_args(argv)
    try:
        if args.tool == "verify":
            verification = verify_archive(args.path)
            sys.stdout.write(verification.report() + "\n")
            return 0 if verification.ok else 1
        sys.stdout.write(diff_archives(args.old, args.new).report() + "\n")
        return 0
    except (VerifyError, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
