from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from static_export.archive.signing import SigningError, fingerprint, load_public_key, make_key, public_path


class Command(BaseCommand):
    help = (
        "Make the organisation's key for signing WACZ files (ECDSA P-384), at STATIC_EXPORT_SIGNING_KEY "
        "or --path, readable by its owner only, with its public key beside it (.pub). Never replaces a key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", help="Where to write the private key. Default: STATIC_EXPORT_SIGNING_KEY."
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing (and succeed) when the key already exists."
        )

    def handle(self, *args, path, if_missing, **options):
        path = Path(path or settings.STATIC_EXPORT_SIGNING_KEY or "")
        if not str(path) or str(path) == ".":
            raise CommandError("No key path: set STATIC_EXPORT_SIGNING_KEY or give --path.")
        if if_missing and path.exists():
            key = load_public_key(path)
            self.stdout.write(
                f"The signing key {path} exists; its public key's fingerprint is {fingerprint(key)}."
            )
            return
        try:
            key_fingerprint = make_key(path)
        except (SigningError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Made the signing key {path} (keep it secret and backed up) and its public key "
                f"{public_path(path)} (publish it). Fingerprint: {key_fingerprint}"
            )
        )
