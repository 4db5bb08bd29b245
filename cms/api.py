"""The headless API: one router for pages, images and documents, mounted at /api/v2/.

Nothing private reaches it: documents in private collections are not listed, a page's child
objects that name something private (a download of a private document, a featured page that is not
public) are left out, as they are from the page itself, and a page a field names (a case study's
related programme) is null unless visitors may see it.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import ChildRelationField, RelatedField
from wagtail.api.v2.serializers import PageSerializer as WagtailPageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page

from cms.core.privacy import is_public_page, public_documents


class PublicChildRelationField(ChildRelationField):
    """A page's child objects, through their model's ``public_only(children)`` when it has one."""

    def to_representation(self, value):
        serializer = self.serializer_class(context=self.context)
        children = value.all()
        if public_only := getattr(value.model, "public_only", None):
            children = public_only(children)
        return [serializer.to_representation(child) for child in children]


class PublicPageRelatedField(RelatedField):
    """A page named by a field (a case study's related programme): null unless visitors may see it,
    so a draft's or a restricted page's title never reaches the API."""

    def get_attribute(self, instance):
        page = super().get_attribute(instance)
        return page if is_public_page(page) else None


class PageSerializer(WagtailPageSerializer):
    def build_relational_field(self, field_name, relation_info):
        field_class, field_kwargs = super().build_relational_field(field_name, relation_info)
        if field_class is ChildRelationField:
            field_class = PublicChildRelationField
        elif field_class is RelatedField and issubclass(relation_info.related_model, Page):
            field_class = PublicPageRelatedField
        return field_class, field_kwargs


class PagesEndpoint(PagesAPIViewSet):
    base_serializer_class = PageSerializer


class DocumentsEndpoint(DocumentsAPIViewSet):
    def get_queryset(self):
        return public_documents(super().get_queryset())


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesEndpoint)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsEndpoint)
