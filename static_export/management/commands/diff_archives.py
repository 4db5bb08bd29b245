from django.core.management.base import BaseCommand, CommandError

from static_export.archive.diff import diff_archives


class Command(BaseCommand):
    help = "List the pages added, removed and changed between two archives (ignoring the capture date)."

    def add_arguments(self, parser):
        parser.add_argument("old", help="The earlier archive folder.")
        parser.add_argument("new", help="The later archive folder.")

    def handle(self, *args, old, new, **options):
        try:
            difference = diff_archives(old, new)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(difference.report())
