import datetime
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from static_export.archive.errors import ExportError
from static_export.options import ExportOptions
from static_export.pipeline import run_export


def parse_datetime(value):
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--captured-at must be an ISO 8601 date and time, e.g. 2024-04-30T17:00:00Z, not “{value}”."
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


class Command(BaseCommand):
    help = "Freeze the site's live, public content into a self-contained static archive folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="Folder to write the archive to; replaced only on success."
        )
        parser.add_argument(
            "--base-url",
            help="The site's original public URL, e.g. https://example.org. Default: the Site's.",
        )
        parser.add_argument(
            "--captured-at", type=parse_datetime, help="Capture time (ISO 8601). Default: now."
        )
        parser.add_argument(
            "--package",
            action="store_true",
            help="Also write a BagIt bag (DIR.bag), a signed WACZ (DIR.wacz) and its PREMIS record "
            "(DIR.premis.xml) beside DIR.",
        )
        parser.add_argument(
            "--store",
            nargs="?",
            const=settings.STATIC_EXPORT_STORE,
            help="Also add the export to the snapshot store (OCFL) as the site's next version. "
            f"Default store: STATIC_EXPORT_STORE ({settings.STATIC_EXPORT_STORE}).",
        )
        parser.add_argument(
            "--versions-url",
            default=settings.STATIC_EXPORT_VERSIONS_URL,
            help="Where the store's versions are published together (…/v1/, …/v2/): pages link their "
            "other captures there. Default: STATIC_EXPORT_VERSIONS_URL.",
        )
        parser.add_argument(
            "--skip-gates",
            action="store_true",
            help="Emergencies only: skip the quality gates (vnu, axe, leaked markup) and export unchecked.",
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Update the previous archive at --output, re-rendering only the pages an edit affects; "
            "exports in full (and says why) when that is not safe. "
            "Keeps the previous --captured-at unless given.",
        )
        parser.add_argument(
            "--contact", help="The archive's contact for the bag, e.g. 'Ann Smith <ann@example.org>'."
        )

    def handle(self, *args, output, base_url, captured_at, **options):
        export = ExportOptions(
            output=Path(output),
            base_url=base_url or "",
            captured_at=captured_at,
            package=options["package"],
            contact=options["contact"] or "",
            skip_gates=options["skip_gates"],
            incremental=options["incremental"],
            store=Path(options["store"]) if options["store"] else None,
            versions_url=options["versions_url"] or "",
        )
        try:
            with ProgressBar(enabled=sys.stderr.isatty()) as progress:
                report = run_export(export, progress=progress)
        except ExportError as exc:
            raise CommandError(f"Export failed; the previous archive is unchanged. {exc}") from exc
        if options["incremental"]:
            update = report.incremental
            if update["mode"] == "full":
                self.stdout.write(f"Full export: {update['reason']}.")
            else:
                changed, removed = len(update["changed_pages"]), len(update["removed_pages"])
                rendered = len(update["rendered_pages"])
                self.stdout.write(
                    f"Incremental export: {changed} changed and {removed} removed pages; "
                    f"re-rendered {rendered}."
                )
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if report.package:
            self.stdout.write("Packaged: " + ", ".join(report.package.values()))
        if report.store:
            stored = report.store
            self.stdout.write(
                f"Stored as {stored['version']} of {stored['object']} in {stored['store']}: "
                f"{stored['added_files']} new files, {stored['added_bytes']:,} bytes added."
            )


class ProgressBar:
    """The export's progress on a terminal: a bar of the pages written, the stage's name beside it."""

    def __init__(self, enabled):
        self.bar = tqdm(unit="page", disable=not enabled, file=sys.stderr, leave=False)

    def __call__(self, stage, done, total):
        self.bar.set_description(stage)
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.bar.close()
