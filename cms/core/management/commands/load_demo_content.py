from django.core.management.base import BaseCommand

from cms.core.demo_content import is_loaded, load_demo_content


class Command(BaseCommand):
    help = (
        "Build the demo site (home page, programme, sessions, case study, news release, people) "
        "or bring it up to date. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-closure-notice",
            action="store_true",
            help="Also set the site's closure notice, linking to the “About this archive” page.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only if no demo content was loaded before, so edits made since are kept (make archive).",
        )

    def handle(self, *args, with_closure_notice=False, if_empty=False, **options):
        if if_empty and is_loaded():
            self.stdout.write("The demo content is already loaded; edits made since are kept.")
            return
        summary = load_demo_content(with_closure_notice=with_closure_notice)
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
