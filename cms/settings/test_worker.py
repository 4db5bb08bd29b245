"""The test settings with tasks queued in the database, for the test that runs a real `db_worker` in
another process (tests/static_export/test_snapshot_tasks.py). That test gives the database
(DATABASE_URL, read in base.py) and the folders in the environment, so nothing is written to the
project's own database, media or snapshots."""

import os
from pathlib import Path

from .test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])
STATIC_EXPORT_SNAPSHOTS_DIR = Path(os.environ["STATIC_EXPORT_SNAPSHOTS_DIR"])
