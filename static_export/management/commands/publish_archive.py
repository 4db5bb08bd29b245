import os

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from static_export.archive.publish import publish_archive


class Command(BaseCommand):
    help = (
        "Upload an archive folder to S3 or an S3-compatible store: content types and cache headers set, "
        "only changed files uploaded, files no longer in the archive deleted. "
        "Credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_PROFILE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, help="Destination, e.g. s3://bucket/prefix.")
        parser.add_argument("--archive", default="archive", help="The archive folder. Default: archive.")
        parser.add_argument(
            "--endpoint-url",
            default=os.environ.get("AWS_ENDPOINT_URL"),
            help="An S3-compatible store, e.g. http://127.0.0.1:9000. Default: $AWS_ENDPOINT_URL, else AWS.",
        )
        parser.add_argument(
            "--keep-deleted",
            action="store_true",
            help="Leave objects that are no longer in the archive in place instead of deleting them.",
        )

    def handle(self, *args, to, archive, endpoint_url, keep_deleted, **options):
        try:
            summary = publish_archive(archive, to, endpoint_url=endpoint_url, delete=not keep_deleted)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"Publishing to {to} failed: {exc}") from exc
        if options["verbosity"] > 1:
            for key in summary.uploaded:
                self.stdout.write(f"Uploaded {key}")
            for key in summary.deleted:
                self.stdout.write(f"Deleted {key}")
        self.stdout.write(self.style.SUCCESS(str(summary)))
