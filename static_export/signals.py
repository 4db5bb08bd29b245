"""What changes the static copy: each of these asks for an update of it (publishing.request_update).

A page published, unpublished, moved or deleted; a person, organisation, image, document, redirect or
site (its hostname, port or root page) saved or deleted; a site setting saved (turning continuous
publishing on queues the first update); the privacy of pages or of a collection changed. While
continuous publishing is off, each costs one query. Connected by the app's ``ready()``.
"""

from django.db.models.signals import post_delete, post_save
from django.utils.text import capfirst
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.core.models import Organisation, Person

from .publishing import request_update

# Saves that only fill in what Wagtail works out from a file (as an export may ask it to): no change.
BOOKKEEPING_FIELDS = frozenset({"file_size", "file_hash"})


def page_changed(verb):
    def receiver(sender, instance, **kwargs):
        request_update(f"Page {verb}: {instance.title}")

    return receiver


def object_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    request_update(f"{capfirst(sender._meta.verbose_name)} saved: {instance}")


def object_deleted(sender, instance, **kwargs):
    request_update(f"{capfirst(sender._meta.verbose_name)} deleted: {instance}")


def setting_saved(sender, instance, **kwargs):
    request_update(f"Setting saved: {capfirst(sender._meta.verbose_name)}")


def privacy_changed(sender, instance, **kwargs):
    request_update(f"Privacy changed: {capfirst(sender._meta.verbose_name_plural)}")


def content_models():
    """The models, besides pages, whose saves and deletions the static copy shows."""
    return [Person, Organisation, get_image_model(), get_document_model(), Redirect, Site]


PAGE_SIGNALS = {"published": page_published, "unpublished": page_unpublished, "moved": post_page_move}


def connect():
    for verb, signal in PAGE_SIGNALS.items():
        signal.connect(page_changed(verb), weak=False, dispatch_uid=f"static_copy_page_{verb}")
    deleted = page_changed("deleted")
    post_delete.connect(deleted, sender=Page, weak=False, dispatch_uid="static_copy_page_deleted")
    for model in content_models():
        uid = f"static_copy_{model._meta.label_lower}"
        post_save.connect(object_saved, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(object_deleted, sender=model, dispatch_uid=f"{uid}_deleted")
    for model in settings_registry:
        post_save.connect(setting_saved, sender=model, dispatch_uid=f"static_copy_{model._meta.label_lower}")
    for model in (PageViewRestriction, CollectionViewRestriction):
        uid = f"static_copy_{model._meta.label_lower}"
        post_save.connect(privacy_changed, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(privacy_changed, sender=model, dispatch_uid=f"{uid}_deleted")
