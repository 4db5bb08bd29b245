from django.core.management.base import BaseCommand

from static_export.archiving import start_archiving


class Command(BaseCommand):
    help = (
        "For `make run`: turn continuous publishing of a static copy (static-site/) on unless it was ever "
        "set, queue its first update, and queue a first snapshot if there is none. Safe to run again."
    )

    def handle(self, *args, **options):
        for sentence in start_archiving():
            self.stdout.write(sentence)
