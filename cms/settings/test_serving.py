"""The production settings, for the tests that run nginx, gunicorn and the worker for real
(tests/production/serving.py): HTTPS enforced and everything else as deployed, but with the folders the
test names in the environment, so nothing is written to the project's own media, snapshots or store.

Static files are served as collected by finders, without fingerprinted names: collecting and hashing
Wagtail's admin files would add 20 s to each run, and nginx's rule for fingerprinted names is tested
with a file of its own."""

import os
from pathlib import Path

from .production import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])
STATIC_ROOT = Path(os.environ["STATIC_ROOT"])
STATIC_EXPORT_SNAPSHOTS_DIR = Path(os.environ["STATIC_EXPORT_SNAPSHOTS_DIR"])
STATIC_EXPORT_STORE = Path(os.environ["STATIC_EXPORT_STORE"])
STATIC_EXPORT_SIGNING_KEY = None
STATIC_EXPORT_VERSIONS_URL = ""
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
