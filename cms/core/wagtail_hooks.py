from django.utils.html import escape
from wagtail import hooks
from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.rich_text.pages import PageLinkHandler
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Organisation, Person
from .privacy import is_public_document
from .shared import known


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    menu_label = "People"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "role", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "role"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "website"]
    search_fields = ["name"]


register_snippet(PersonViewSet)
register_snippet(OrganisationViewSet)


class KnownPageLinkHandler(PageLinkHandler):
    """Rich-text page links that find their pages among those an export already holds.

    Wagtail's handler asks the database for the linked pages of every rich-text field it renders.
    """

    @classmethod
    def get_many(cls, attrs_list):
        ids = [attrs.get("id") for attrs in attrs_list]
        found = known(cls.get_model(), ids)
        if found is None:
            return super().get_many(attrs_list)
        return [found.get(page_id) for page_id in ids]


@hooks.register("register_rich_text_features", order=1)  # After Wagtail's own, which it replaces.
def register_known_page_links(features):
    features.register_link_type(KnownPageLinkHandler)


class PublicDocumentLinkHandler(DocumentLinkHandler):
    """Rich-text document links. A link to a private document keeps its words but loses its target
    (``<a>`` with no href, as Wagtail renders a link to a deleted document), so no public page, API
    response or archive points at it."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list):
        return [
            f'<a href="{escape(document.url)}">' if is_public_document(document) else "<a>"
            for document in cls.get_many(attrs_list)
        ]


@hooks.register("register_rich_text_features", order=1)  # After Wagtail's own, which it replaces.
def register_public_document_links(features):
    features.register_link_type(PublicDocumentLinkHandler)
