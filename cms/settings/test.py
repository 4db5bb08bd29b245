import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process as they are enqueued; tests of the real worker use cms.settings.test_worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "static-copy", "search"],
    }
}

# SQLite's test database on disk rather than in memory, so a real `db_worker` in another process can
# share it (tests/worker.py); one file per test run.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"cms-test-{os.getpid()}.sqlite3")
    }

# Tests never read or write the user's signing key or the project's store: a test that signs or
# stores makes its own in a temporary folder.
STATIC_EXPORT_SIGNING_KEY = None
STATIC_EXPORT_STORE = Path(tempfile.gettempdir()) / f"cms-test-store-{os.getpid()}"
STATIC_EXPORT_VERSIONS_URL = ""
# The cheap gate on the static copy's updates in most tests; test_in_place_updates.py runs all three
# with the warm tools, as the publisher worker does.
STATIC_EXPORT_UPDATE_GATES = ("markup",)
