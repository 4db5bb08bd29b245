import time

from django.core.management.base import BaseCommand

from benchmarks.site import generate_bench_site


class Command(BaseCommand):
    help = "Add a large generated site on top of the demo content, for the export benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, pages, seed, **options):
        started = time.monotonic()
        added = generate_bench_site(pages=pages, seed=seed, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Added {added} pages in {time.monotonic() - started:.0f} s."))
