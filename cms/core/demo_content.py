"""Build the demo site: What Works Wellbeing's loneliness programme, its case study and its launch news.

The content is data, in ``cms/core/demo/data/``: ``people.json`` (organisations and people),
``media.json`` (the image and document the loader makes), ``pages.json`` (the page tree) and
``site.json`` (site name, home page, closure notice). The facts (names, roles, organisations, dates,
titles) come from two published documents; the prose is our own.

Everything is found by a natural key (a slug under its parent, a snippet's name, an image's or document's
title) and updated in place, so loading twice gives the same site. A page gets a new published revision
only when its content changed.
"""

from django.apps import apps
from django.db import transaction

from cms.core.demo.data import Registry, read
from cms.core.demo.media import load_media
from cms.core.demo.pages import load_home_content, load_pages, load_people
from cms.core.demo.site import ensure_home_and_site, set_closure_notice
from cms.core.demo.summary import LoadSummary

__all__ = ["CLOSURE_NOTICE_TEXT", "DOCUMENT_TITLE", "IMAGE_TITLE", "LoadSummary", "load_demo_content"]

SITE_NAME = read("site")["site_name"]
IMAGE_TITLE = read("media")["images"][0]["title"]
DOCUMENT_TITLE = read("media")["documents"][0]["title"]
CLOSURE_NOTICE_TEXT = read("site")["closure_notice"]["notice_text"]


def is_loaded():
    """Whether the demo site's home page exists (the demo content was loaded before)."""
    return apps.get_model(read("site")["home"]["type"]).objects.exists()


def load_demo_content(with_closure_notice=False):
    """Build or refresh the demo site. Safe to run any number of times."""
    summary = LoadSummary()
    with transaction.atomic():
        _load(summary, with_closure_notice)
    return summary


def _load(summary, with_closure_notice):
    site_data = read("site")
    registry = Registry()
    load_media(registry, summary)
    load_people(registry, summary)
    home_model = apps.get_model(site_data["home"]["type"])
    home, site = ensure_home_and_site(home_model, site_data["home"]["slug"], SITE_NAME, summary)
    registry.add("page", site_data["home"]["slug"], home)
    load_pages(registry, summary)
    load_home_content(home, registry, summary)
    if with_closure_notice:
        set_closure_notice(site, site_data["closure_notice"], registry, summary)
