from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from static_export.archive.signing import SigningError, load_public_key, public_path
from static_export.archive.store import StoreError
from static_export.archive.store_check import verify_path
from static_export.archive.verify import VerifyError


class Command(BaseCommand):
    help = (
        "Check an exported archive years later: every file against its bag's checksums (changed, "
        "missing and extra files), internal links, signs of private content, the WACZ's signature and "
        "the PREMIS record; or a snapshot store: every version's files against their SHA-512. Each "
        "verification is added to the PREMIS record. Needs no database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="The archive folder (with DIR.bag beside it), the bag itself, or a snapshot store."
        )
        parser.add_argument(
            "--only", dest="store_version", help="In a store: check only this version, e.g. v2."
        )
        parser.add_argument(
            "--public-key",
            help="The organisation's public key (PEM) the WACZ must be signed with. "
            "Default: STATIC_EXPORT_SIGNING_KEY's, when there is one.",
        )
        parser.add_argument(
            "--no-record", action="store_true", help="Do not add this verification to the PREMIS record."
        )

    def handle(self, *args, path, store_version, public_key, no_record, **options):
        try:
            keys = trusted_keys(public_key)
            verifications = verify_path(path, store_version, keys, record=not no_record)
        except (VerifyError, StoreError, SigningError) as exc:
            raise CommandError(str(exc)) from exc
        report = "\n\n".join(verification.report() for verification in verifications)
        if not all(verification.ok for verification in verifications):
            raise CommandError(report)
        self.stdout.write(self.style.SUCCESS(report))


def trusted_keys(public_key):
    """The public keys a WACZ's signature must be made with: the one given, else the organisation's."""
    if public_key:
        return [load_public_key(public_key)]
    key = getattr(settings, "STATIC_EXPORT_SIGNING_KEY", None)
    if key and public_path(key).is_file():
        return [load_public_key(public_path(key))]
    return []
