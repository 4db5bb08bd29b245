from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from static_export.archive.__main__ import only_site, versions_report
from static_export.archive.store import SnapshotStore, StoreError


class Command(BaseCommand):
    help = (
        "The snapshot store (STATIC_EXPORT_STORE, or --store): list a site's versions, check one out to "
        "a folder byte for byte, or print the TimeMap of them all (as python -m static_export.archive does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["versions", "checkout", "timemap"])
        parser.add_argument("arguments", nargs="*", help="checkout: VERSION FOLDER")
        parser.add_argument("--store", help="Default: STATIC_EXPORT_STORE.")
        parser.add_argument("--site", help="The site's base URL; default: the store's only site.")

    def handle(self, *args, action, arguments, store, site, **options):
        store = SnapshotStore(store or settings.STATIC_EXPORT_STORE)
        try:
            site = site or only_site(store)
            if action == "versions":
                self.stdout.write(versions_report(store, site), ending="")
            elif action == "timemap":
                self.stdout.write(store.timemap(site, settings.STATIC_EXPORT_VERSIONS_URL), ending="")
            elif len(arguments) != 2:
                raise CommandError("checkout needs a version and a new folder: checkout v2 FOLDER")
            else:
                folder = store.checkout(site, arguments[0], arguments[1])
                self.stdout.write(f"Checked out {arguments[0]} of {site} into {folder}")
        except StoreError as exc:
            raise CommandError(str(exc)) from exc
