"""The export benchmark: its own database and media under ./bench/, and production-like speed (no DEBUG)."""

import os
from pathlib import Path

from cms.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "benchmark-only-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
# BENCH_DIR lets a second benchmark site (another size) live beside the first.
BENCH_DIR = Path(os.environ.get("BENCH_DIR", BASE_DIR / "bench"))  # noqa: F405
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BENCH_DIR / "bench.sqlite3",
        # As base.py sets it: the publish benchmark's workers write beside the benchmark itself.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
MEDIA_ROOT = BENCH_DIR / "media"
BUILD_DIR = BENCH_DIR / "stock-bakery"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# The benchmark never searches the live site; indexing 10,000 pages would only slow set-up.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}}
# Only here is the benchmark an app: it brings the `generate_bench_site` command, no models.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
