"""The frozen API: our API's pages endpoint, serializing the pages an export holds.

The JSON is what the live API gives, from the API's own serializers (tests compare every document
and listing). What a request would work out again for every page is worked out once per export:

- one serializer per page type and view (detail, or a listing's items), with the serializers of
  what it nests (a quote, a download, a related page) made once, not for every value;
- a model's detail URL path (``/api/v2/pages/<id>/``) from one reverse of its URL pattern;
- a parent's representation once for all its children;
- a listing's item takes the fields it shares with the page's detail document from that document,
  when the export writes both (``serialize(..., detail=...)``), instead of serializing them again.
"""

from django.apps import apps
from django.urls import get_script_prefix
from rest_framework.fields import SkipField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import (
    BaseSerializer,
    ChildRelationField,
    PageParentField,
    PageSerializer,
    RelatedField,
    get_serializer_class,
)
from wagtail.models import Page

from cms.api import api_router

from .archive.errors import ExportError


class ExportedPagesAPI:
    """Serializes exported pages (live, public, specific) as ``/api/v2/pages/…`` shows them."""

    def __init__(self, archive):
        self.archive = archive
        self.serializers = {}
        self.reused_fields = {}
        router = ExportedAPIRouter(api_router)
        self.router = router
        parents = {}

        class ExportedParentField(PageParentField):
            """The page's parent (detail documents only), serialized once for all its children."""

            def to_representation(self, value):
                key = (type(value), value.pk)
                if key not in parents:
                    parents[key] = self.serializer_for(type(value)).to_representation(value)
                return parents[key]

            def serializer_for(self, model):
                # Wagtail's PageParentField makes this class for every page it serializes.
                serializer_class = get_serializer_class(
                    model,
                    ["id", "type", "detail_url", "html_url", "title"],
                    meta_fields=["type", "detail_url", "html_url"],
                    base=PageSerializer,
                )
                return serializer_class(context=self.context)

        endpoint = api_router._endpoints["pages"]

        class ExportedSerializer(endpoint.base_serializer_class):
            parent = ExportedParentField(read_only=True)

        class ExportedPagesEndpoint(endpoint):
            base_serializer_class = ExportedSerializer
            listing_model = Page  # The model a listing shows (``?type=``).

            def get_object(self):
                return self.request.exported_page

            def get_base_queryset(self):
                # The API shows a page's parent only if the parent is in its base queryset (live,
                # public pages); the exported pages are exactly those, so no query per page.
                return ExportedPages(archive.page_ids)

            def get_queryset(self):
                # Only its model is asked for: the pages come from the export.
                return self.listing_model.objects.none()

        self.endpoint = ExportedPagesEndpoint

    def serialize(self, page, listing=None, detail=None):
        """The page as ``/api/v2/pages/<id>/`` shows it, or as an item of a listing: ``listing`` is
        "" for the listing of all pages, or the label of the page type (``?type=…&fields=*``).
        ``detail``: the page's detail representation, when already made, to take shared fields from."""
        serializer = self.serializer(page, listing)
        try:
            if detail is None:
                return serializer.to_representation(page)
            return self.reuse(serializer, page, detail, self.serializer(page, None))
        except Exception as exc:
            raise ExportError(
                f"Could not export the API for “{page.title}” (page {page.pk}): {type(exc).__name__}: {exc}"
            ) from exc

    def serializer(self, page, listing):
        key = ("detail", type(page)) if listing is None else ("listing", listing)
        if key not in self.serializers:
            self.serializers[key] = self.make_serializer(page, listing)
        return self.serializers[key]

    def make_serializer(self, page, listing):
        query = f"?type={listing}&fields=*" if listing else ""
        request = self.archive.request_for(
            f"/api/v2/pages/{page.pk}/" if listing is None else f"/api/v2/pages/{query}"
        )
        request.wagtailapi_router, request.exported_page = self.router, page
        view = self.endpoint()
        view.listing_model = apps.get_model(listing) if listing else Page
        action = "detail_view" if listing is None else "listing_view"
        view.action_map, view.action = {"get": action}, action
        view.format_kwarg, view.args, view.kwargs = None, (), {"pk": page.pk} if listing is None else {}
        view.request = view.initialize_request(request)
        serializer = view.get_serializer_class()(context=view.get_serializer_context())
        make_nested_once(serializer)
        return serializer

    def reuse(self, serializer, page, detail, detail_serializer):
        """``serializer.to_representation(page)`` (Wagtail's BaseSerializer's), with each field the
        page's detail serializer has alike taken from its representation ``detail``."""
        key = (id(serializer), id(detail_serializer))
        if key not in self.reused_fields:
            self.reused_fields[key] = reusable_fields(serializer, detail_serializer)
        reused = self.reused_fields[key]
        if reused is None:
            return serializer.to_representation(page)
        data, meta = {}, {}
        detail_meta = detail.get("meta", {})
        fields = [field for field in serializer.fields.values() if not field.write_only]
        if "id" in serializer.fields and "id" not in serializer.meta_fields:
            data["id"] = None  # First, as BaseSerializer puts it.
        for is_meta in (True, False):
            target = meta if is_meta else data
            for field in fields:
                name = field.field_name
                if (name in serializer.meta_fields) != is_meta:
                    continue
                if name in reused:
                    source = detail_meta if name in detail_serializer.meta_fields else detail
                    if name in source:  # Else the detail skipped it (SkipField), as this would.
                        target[name] = source[name]
                    continue
                try:
                    attribute = field.get_attribute(page)
                except SkipField:
                    continue
                target[name] = None if attribute is None else field.to_representation(attribute)
            if is_meta and meta:
                data["meta"] = meta
        return data


def reusable_fields(serializer, detail_serializer):
    """The names of ``serializer``'s fields that ``detail_serializer`` has alike (same class, source
    and nested fields), so give the same representation of a page; None if the serializer does
    something BaseSerializer's ``to_representation`` does not (then nothing is reused)."""
    if not all(
        type(each).to_representation is BaseSerializer.to_representation
        for each in (serializer, detail_serializer)
    ):
        return None
    if "admin_display_title" in serializer.fields:
        return None  # BaseSerializer serializes it, and the fields after it, from another object.
    theirs = {field.field_name: field for field in detail_serializer.fields.values() if not field.write_only}
    return {
        field.field_name
        for field in serializer.fields.values()
        if not field.write_only
        and field.field_name in theirs
        and field_signature(field) == field_signature(theirs[field.field_name])
        and (field.field_name in serializer.meta_fields)
        == (field.field_name in detail_serializer.meta_fields)
    }


def field_signature(field):
    """What a field's representation depends on, besides the object: its class, source and arguments,
    and the fields of what it nests."""
    nested = getattr(field, "nested_serializer", None)
    nested_fields = (
        tuple((name, field_signature(inner)) for name, inner in nested.fields.items()) if nested else ()
    )
    arguments = {
        name: value for name, value in getattr(field, "_kwargs", {}).items() if name not in INPUT_ONLY
    }
    return (
        type(field),
        field.source,
        repr(getattr(field, "_args", ())),
        repr(sorted(arguments.items())),
        nested_fields,
    )


# Field arguments that only check or describe input, so never change a representation (validators
# are objects, different in each serializer).
INPUT_ONLY = {"validators", "help_text", "label", "style", "error_messages"}


def make_nested_once(serializer):
    """Give each related and child-relation field of ``serializer`` (and of those it nests) one
    serializer for all its values: Wagtail's fields make one, and build its fields, for every value."""
    for field in serializer.fields.values():
        if isinstance(field, (RelatedField, ChildRelationField)) and "serializer_class" in vars(field):
            nested = field.serializer_class(context=field.context)
            make_nested_once(nested)
            field.nested_serializer = nested
            field.serializer_class = lambda context=None, nested=nested: nested


class ExportedAPIRouter(WagtailAPIRouter):
    """The API's router, naming an object's detail URL path (``/api/v2/pages/<id>/``) from its model's
    path worked out once, rather than reversing the URL pattern for every object."""

    def __init__(self, router):
        super().__init__(router.url_namespace)
        self._endpoints = router._endpoints
        self.detail_paths = {}

    def get_object_detail_urlpath(self, model, pk):
        if type(pk) is not int:
            return super().get_object_detail_urlpath(model, pk)
        key = (model, get_script_prefix())
        if key not in self.detail_paths:
            self.detail_paths[key] = self.detail_path_parts(model)
        parts = self.detail_paths[key]
        if parts is None:
            return super().get_object_detail_urlpath(model, pk)
        if parts is False:
            return None
        return f"{parts[0]}{pk}{parts[1]}"

    def detail_path_parts(self, model):
        """(before, after) the id in the model's detail URL path; False if the model has none; None if
        the path is not the id between two fixed parts (then each is reversed)."""
        probe, check = 918273645, 4
        path = super().get_object_detail_urlpath(model, probe)
        if path is None:
            return False
        if path.count(str(probe)) != 1:
            return None
        before, after = path.split(str(probe))
        if super().get_object_detail_urlpath(model, check) != f"{before}{check}{after}":
            return None
        return before, after


class ExportedPages:
    """Answers ``filter(id=…).exists()``, the one question the API's serializers ask their base queryset."""

    def __init__(self, ids):
        self.ids = ids

    def filter(self, id):
        return ExportedPages(self.ids & {id})

    def exists(self):
        return bool(self.ids)
