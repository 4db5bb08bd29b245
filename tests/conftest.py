"""Fixtures shared by every test: a private media folder, a site whose root is our HomePage, an editor."""

import pytest
from django.core.cache import caches
from wagtail.models import Site

from tests.factories import make_home_page_the_site_root


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
