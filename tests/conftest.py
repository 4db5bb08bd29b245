"""Fixtures shared by every test: a private media folder, a site whose root is our HomePage, an editor."""

import pytest
from django.core.cache import caches
from wagtail.models import Site

from tests.factories import make_home_page_the_site_root
from tests.hypothesis_profiles import load_default_profile
from tests.worker import DATABASE_BACKEND, worker_for_this_test

load_default_profile()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded images and documents go to a folder that disappears with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_caches():
    """Wagtail caches renditions by image id, and ids repeat between tests: start each test cold."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def home_page(db):
    """Our HomePage in place of Wagtail's welcome page, as the root of the default site."""
    return make_home_page_the_site_root(title="What Works Wellbeing")


@pytest.fixture
def site(home_page):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def task_worker(transactional_db, settings, tmp_path):
    """A real db_worker on the test database (committed data only: hence transactional_db). Tasks
    enqueued by the test go to the database; ``task_worker.start()`` runs a long-lived worker,
    ``task_worker.run_batch()`` one that runs what is queued and exits. Snapshots go to tmp_path."""
    settings.TASKS = DATABASE_BACKEND
    settings.STATIC_EXPORT_SNAPSHOTS_DIR = tmp_path / "snapshots"
    worker = worker_for_this_test(
        tmp_path, settings, STATIC_EXPORT_SNAPSHOTS_DIR=settings.STATIC_EXPORT_SNAPSHOTS_DIR
    )
    yield worker
    worker.stop()
