from django.core.management.base import BaseCommand, CommandError

from static_export.archive.verify import VerifyError, verify_archive


class Command(BaseCommand):
    help = (
        "Check an exported archive years later: every file against its bag's checksums (changed, "
        "missing and extra files), internal links, and signs of private content. Needs no database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive folder (with DIR.bag beside it) or the bag itself.")

    def handle(self, *args, path, **options):
        try:
            verification = verify_archive(path)
        except VerifyError as exc:
            raise CommandError(str(exc)) from exc
        if not verification.ok:
            raise CommandError(verification.report())
        self.stdout.write(self.style.SUCCESS(verification.report()))
