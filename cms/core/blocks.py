"""The one set of StreamField blocks every page type shares."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.api.utils import get_full_url
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents import blocks as document_blocks
from wagtail.images import blocks as image_blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from .privacy import is_public_document
from .shared import known, shared


def absolute_url(url, context):
    """A full URL on the site's root URL, as Wagtail's own image and document API fields give."""
    return get_full_url((context or {}).get("request"), url)


class KnownObjectsMixin:
    """A chooser that finds its objects among those an export loaded in bulk (``shared.known``).

    Otherwise every stream on every page would ask for its people, images and documents again.
    """

    def bulk_to_python(self, values):
        found = known(self.model_class, values)
        if found is None:
            return super().bulk_to_python(values)
        return [found.get(value) for value in values]


class ImageChooserBlock(KnownObjectsMixin, image_blocks.ImageChooserBlock):
    pass


class DocumentChooserBlock(KnownObjectsMixin, document_blocks.DocumentChooserBlock):
    pass


class PageChooserBlock(KnownObjectsMixin, blocks.PageChooserBlock):
    pass


class PersonChooserBlock(SnippetChooserBlock):
    """Chooses a Person; the API shows the person, not just an id."""

    def __init__(self, **kwargs):
        super().__init__("core.Person", **kwargs)

    def get_api_representation(self, value, context=None):
        return value.api_representation() if value else None

    # Templates show “role (organisation)”: fetch the organisation with the person, not once per
    # person; an export has them all already (``known``).
    def to_python(self, value):
        if value is None:
            return None
        return self.model_class.objects.select_related("organisation").filter(pk=value).first()

    def bulk_to_python(self, values):
        people = known(self.model_class, values)
        if people is None:
            people = self.model_class.objects.select_related("organisation").in_bulk(values)
        return [people.get(pk) for pk in values]

    class Meta:
        icon = "user"


class FixedChoiceBlock(blocks.ChoiceBlock):
    """A ChoiceBlock whose choices never change.

    Wagtail's rebuilds and translates its whole choice list (blank option included) for every value
    it reads, which showed up in exports of thousands of pages; fixed choices need only a lookup.
    """

    def normalize_choice(self, value):
        choices = {str(key): key for key, _label in self._constructor_kwargs["choices"]}
        return choices.get(str(value), value) if value is not None else None


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=150)
    level = FixedChoiceBlock(
        choices=[("h2", "Section heading (h2)"), ("h3", "Subsection heading (h3)")],
        default="h2",
        help_text="Use h2 for sections; h3 only inside an h2 section.",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        description = "A heading that starts a new section of the page."
        preview_value = {"text": "New e-learning programme", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "link", "document-link", "ol", "ul"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph_block.html"
        description = "Body text with links and lists."
        preview_value = (
            "<p>Loneliness affects millions of people and is harmful to physical and mental health.</p>"
        )


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text="Describe what the image shows for people who cannot see it. "
        "Leave empty only if it is decorative.",
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        description = "An image with alt text and an optional caption."
        preview_value = {"alt_text": "", "caption": "A caption shown under the image."}

    def get_api_representation(self, value, context=None):
        image = value["image"]
        return {
            "image": self.image_representation(image, context) if image else None,
            "alt_text": value["alt_text"],
            "caption": value["caption"],
        }

    def image_representation(self, image, context):
        """The image's rendition for the API; worked out once per image in an export (``shared``),
        where thousands of pages show the same few images."""

        def represent():
            rendition = image.get_rendition(self.API_RENDITION)
            return {
                "id": image.pk,
                "title": image.title,
                "url": absolute_url(rendition.url, context),
                "width": rendition.width,
                "height": rendition.height,
            }

        return shared(("api image", image.pk, self.API_RENDITION, absolute_url("", context)), represent)

    API_RENDITION = "width-1440"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(help_text="The words quoted, without quotation marks.")
    person = PersonChooserBlock(required=False, help_text="Who said it.")
    attribution = blocks.CharBlock(
        required=False,
        max_length=255,
        help_text="Only when the speaker is not a person in the snippets, e.g. “a student”.",
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        description = "A quotation attributed to a person."
        preview_value = {
            "quote": "As a society, we can all play a part in tackling loneliness.",
            "attribution": "A learner",
        }

    def clean(self, value):
        value = super().clean(value)
        if value["person"] and value["attribution"]:
            raise StructBlockValidationError(
                block_errors={"attribution": ErrorList(["Choose a person or type an attribution, not both."])}
            )
        return value


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150)
    text = blocks.TextBlock(required=False)
    link_text = blocks.CharBlock(max_length=80, help_text="Say where the link goes, e.g. “Give feedback”.")
    page = PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Only when the link goes to another website.")

    class Meta:
        icon = "link-external"
        template = "blocks/call_to_action_block.html"
        description = "A highlighted box with one link asking the reader to do something."
        preview_value = {
            "title": "Tell us what you think",
            "text": "Share your thoughts on the programme and its resources.",
            "link_text": "Give feedback",
            "url": "https://example.org/feedback",
        }

    def clean(self, value):
        value = super().clean(value)
        if bool(value["page"]) == bool(value["url"]):
            raise StructBlockValidationError(
                block_errors={"url": ErrorList(["Choose a page or enter a URL (one of the two)."])}
            )
        return value


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(required=False, max_length=150, help_text="Defaults to the document's title.")
    description = blocks.TextBlock(required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_link_block.html"
        description = "A link to download a document, with its type and size."
        preview_value = {"title": "Programme overview", "description": "What each session covers."}

    def is_public(self, value):
        return is_public_document(value["document"])

    def render(self, value, context=None):
        # A document in a private collection is not named on a public page at all: no link, title or size.
        return super().render(value, context) if self.is_public(value) else ""

    def get_api_representation(self, value, context=None):
        document = value["document"]
        return {
            "document": {
                "id": document.pk,
                "title": document.title,
                "download_url": absolute_url(document.url, context),
                "file_extension": document.file_extension,
            }
            if document
            else None,
            "title": value["title"],
            "description": value["description"],
        }


class EventBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    start = blocks.DateTimeBlock()
    end = blocks.DateTimeBlock()
    chair = PersonChooserBlock(required=False)
    speakers = blocks.ListBlock(PersonChooserBlock(), required=False, collapsed=False)
    joining_url = blocks.URLBlock(required=False, label="Joining link")

    class Meta:
        icon = "date"
        template = "blocks/event_block.html"
        description = "An event such as a webinar: when, who chairs it, who speaks, how to join."
        preview_value = {"title": "Tackling Loneliness webinar"}

    def clean(self, value):
        value = super().clean(value)
        if value["start"] and value["end"] and value["end"] <= value["start"]:
            raise StructBlockValidationError(
                block_errors={"end": ErrorList([ValidationError("The event must end after it starts.")])}
            )
        return value


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document = DocumentLinkBlock()
    event = EventBlock()

    def get_api_representation(self, value, context=None):
        """Wagtail's representation, less the blocks that name something private (``is_public``),
        which the page leaves out too."""
        return [
            {
                "type": child.block.name,
                "value": child.block.get_api_representation(child.value, context=context),
                "id": child.id,
            }
            for child in value or []
            if getattr(child.block, "is_public", lambda value: True)(child.value)
        ]
