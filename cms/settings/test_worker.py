"""The test settings with tasks queued in the database, for the tests that run a real `db_worker` in
another process (tests/worker.py). They give it the test database (DATABASE_URL, read in base.py) and
the folders in the environment, so nothing is written to the project's own database, media or
snapshots."""

import os
from pathlib import Path

from .test import *  # noqa: F403

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "static-copy", "search"]}
}
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])
if "STATIC_EXPORT_SNAPSHOTS_DIR" in os.environ:
    STATIC_EXPORT_SNAPSHOTS_DIR = Path(os.environ["STATIC_EXPORT_SNAPSHOTS_DIR"])
