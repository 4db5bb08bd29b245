from pathlib import Path

from django.core.management.base import BaseCommand

from cms.nginx import NginxOptions, local_media_root, write
from static_export.models import StaticPublishing


class Command(BaseCommand):
    help = (
        "Write the nginx configuration (deploy/nginx.conf.template) that serves the public pages from the "
        "static copy and sends everything else to Django; prints the file's path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="127.0.0.1:8001", help="host:port nginx listens on")
        parser.add_argument("--upstream", default="127.0.0.1:8002", help="host:port of gunicorn")
        parser.add_argument(
            "--run-dir", default=".run/nginx", help="where nginx.conf, the pid and temporary files go"
        )
        parser.add_argument(
            "--copy",
            help="the static copy's folder (default: the Static publishing setting's, when it is on)",
        )
        parser.add_argument(
            "--access-log", default="off", help="a file for the access log (/dev/stdout), or off"
        )
        parser.add_argument(
            "--no-media-root",
            action="store_true",
            help="send image renditions the copy lacks to Django rather than the media folder",
        )

    def handle(self, *args, **options):
        run_dir = Path(options["run_dir"]).resolve()
        copy_folder = Path(options["copy"]).resolve() if options["copy"] else self.setting_folder(run_dir)
        path = write(
            NginxOptions(
                listen=options["listen"],
                upstream=options["upstream"],
                copy_folder=copy_folder,
                run_dir=run_dir,
                access_log=options["access_log"],
                media_root=None if options["no_media_root"] else local_media_root(),
            )
        )
        self.stderr.write(
            f"nginx serves the static copy in {copy_folder} and sends the rest to {options['upstream']}."
        )
        self.stdout.write(str(path))

    def setting_folder(self, run_dir):
        """The folder continuous publishing keeps up to date; when it is off, an empty one, so that no
        copy it no longer updates is served and Django answers everything."""
        publishing = StaticPublishing.objects.first()
        if publishing is not None and publishing.enabled:
            return publishing.folder_path()
        self.stderr.write(
            "Continuous publishing is off (Settings → Static publishing): "
            "nginx sends every request to Django."
        )
        empty = run_dir / "no-static-copy"
        empty.mkdir(parents=True, exist_ok=True)
        return empty
