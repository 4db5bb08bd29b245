from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index

from cms.core.blocks import BaseStreamBlock
from cms.core.models import BasePage, BasePageForm, once_per_page
from cms.core.privacy import is_public_page, with_public_documents
from cms.core.serializers import OrganisationField, OrganisationListField, PersonField


class ProgrammeIndexPage(BasePage):
    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    api_fields = BasePage.api_fields + [APIField("intro")]

    max_count = 1
    parent_page_types = ["site_pages.HomePage"]
    subpage_types = ["resources.LearningProgrammePage"]

    def get_programmes(self):
        return (
            LearningProgrammePage.objects.child_of(self)
            .live()
            .public()
            .defer_streamfields()
            .select_related("provider")
            .order_by("-launch_date", "title")
        )


class LearningProgrammePage(BasePage):
    provider = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organisation that runs the programme.",
    )
    partner_organisations = ParentalManyToManyField(
        "core.Organisation", blank=True, related_name="+", help_text="Organisations that helped create it."
    )
    audience = models.CharField(
        max_length=255, help_text="Who it is for, e.g. “Health and social care workers”."
    )
    launch_date = models.DateField(null=True, blank=True)
    course_url = models.URLField(
        blank=True, verbose_name="Course link", help_text="Where learners take the course, if elsewhere."
    )
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("provider"),
                FieldPanel("partner_organisations"),
                FieldPanel("audience"),
                FieldRowPanel([FieldPanel("launch_date"), FieldPanel("course_url")]),
            ],
            heading="About the programme",
        ),
        InlinePanel("learning_outcomes", label="Learning outcomes", min_num=1),
        FieldPanel("body"),
        InlinePanel("downloads", label="Downloadable resources"),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("audience"),
        index.SearchField("body"),
        index.RelatedFields("learning_outcomes", [index.SearchField("text")]),
        index.FilterField("launch_date"),
    ]

    api_fields = BasePage.api_fields + [
        APIField("provider", serializer=OrganisationField()),
        APIField("partner_organisations", serializer=OrganisationListField()),
        APIField("audience"),
        APIField("launch_date"),
        APIField("course_url"),
        APIField("learning_outcomes"),
        APIField("body"),
        APIField("downloads"),
    ]

    parent_page_types = ["resources.ProgrammeIndexPage"]
    subpage_types = ["resources.SessionPage"]

    @once_per_page
    def get_sessions(self):
        # Through get_children(), a path range an index answers: child_of() is a path LIKE, for
        # which SQLite reads every page of the site.
        sessions = SessionPage.objects.filter(pk__in=self.get_children().values("pk"))
        return sessions.live().public().defer_streamfields().order_by("number")

    @classmethod
    def display_prefetches(cls):
        return [
            "partner_organisations",
            "learning_outcomes",
            Prefetch("downloads", queryset=ProgrammeDownload.objects.select_related("document")),
        ]

    def get_partner_organisations(self):
        return self.partner_organisations.all()

    def get_learning_outcomes(self):
        return self.learning_outcomes.all()

    def get_downloads(self):
        return ProgrammeDownload.public_only(self.downloads.all())


class LearningOutcome(Orderable):
    text = models.CharField(
        max_length=500, help_text="What a learner can do afterwards, starting with a verb."
    )

    panels = [FieldPanel("text")]
    api_fields = [APIField("text")]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self):
        return self.text


class ProgrammeLearningOutcome(LearningOutcome):
    page = ParentalKey(LearningProgrammePage, on_delete=models.CASCADE, related_name="learning_outcomes")


class ProgrammeDownload(Orderable):
    page = ParentalKey(LearningProgrammePage, on_delete=models.CASCADE, related_name="downloads")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    description = models.CharField(
        max_length=500, blank=True, help_text="What the document is and who it helps."
    )

    panels = [FieldPanel("document"), FieldPanel("description")]
    api_fields = [APIField("document"), APIField("description")]

    @classmethod
    def public_only(cls, downloads):
        """The downloads of documents anyone may see: the page and the API leave the others out."""
        return with_public_documents(downloads, lambda download: download.document)


class SessionPageForm(BasePageForm):
    def clean(self):
        cleaned_data = super().clean()
        number = cleaned_data.get("number")
        programme = self.parent_page if self.instance._state.adding else self.instance.get_parent()
        if number and programme:
            siblings = (
                SessionPage.objects.child_of(programme).filter(number=number).exclude(pk=self.instance.pk)
            )
            if siblings.exists():
                self.add_error("number", f"Session {number} already exists in this programme.")
        return cleaned_data


class SessionPage(BasePage):
    class Format(models.TextChoices):
        E_LEARNING = "e-learning", "E-learning module"
        WEBINAR = "webinar", "Webinar"
        WORKSHOP = "workshop", "Workshop"

    LIVE_FORMATS = {Format.WEBINAR, Format.WORKSHOP}

    number = models.PositiveSmallIntegerField(
        help_text="Its place in the programme: 1 for the first session."
    )
    session_format = models.CharField(
        max_length=20, choices=Format.choices, default=Format.E_LEARNING, verbose_name="format"
    )
    duration_minutes = models.PositiveSmallIntegerField(help_text="How long it takes, in minutes.")
    scheduled_start = models.DateTimeField(null=True, blank=True, help_text="Only for live sessions.")
    scheduled_end = models.DateTimeField(null=True, blank=True)
    audience = models.CharField(
        max_length=255, blank=True, help_text="Leave empty to use the programme's audience."
    )
    body = StreamField(BaseStreamBlock(), blank=True)

    base_form_class = SessionPageForm

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("number"), FieldPanel("session_format"), FieldPanel("duration_minutes")]
                ),
                FieldRowPanel([FieldPanel("scheduled_start"), FieldPanel("scheduled_end")]),
                FieldPanel("audience"),
            ],
            heading="About the session",
        ),
        InlinePanel("learning_outcomes", label="Learning outcomes", min_num=1),
        InlinePanel("speakers", label="Speakers"),
        FieldPanel("body"),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("body"),
        index.RelatedFields("learning_outcomes", [index.SearchField("text")]),
        index.FilterField("session_format"),
    ]

    api_fields = BasePage.api_fields + [
        APIField("number"),
        APIField("session_format"),
        APIField("duration_minutes"),
        APIField("scheduled_start"),
        APIField("scheduled_end"),
        APIField("audience"),
        APIField("learning_outcomes"),
        APIField("speakers"),
        APIField("body"),
    ]

    parent_page_types = ["resources.LearningProgrammePage"]
    subpage_types = []

    def clean(self):
        super().clean()
        errors = {}
        if self.scheduled_start and self.session_format not in self.LIVE_FORMATS:
            errors["scheduled_start"] = (
                "Only webinars and workshops have a scheduled time; e-learning is self-paced."
            )
        if self.scheduled_end and not self.scheduled_start:
            errors["scheduled_start"] = "Give the start time as well as the end time."
        elif self.scheduled_start and self.scheduled_end and self.scheduled_end <= self.scheduled_start:
            errors["scheduled_end"] = "The session must end after it starts."
        if errors:
            raise ValidationError(errors)

    @property
    def duration_display(self):
        hours, minutes = divmod(self.duration_minutes or 0, 60)
        parts = []
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if minutes:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
        return " ".join(parts)

    @property
    def duration_iso(self):
        """The duration as an ISO 8601 duration, e.g. “PT1H30M”, for ``<time datetime>`` and JSON-LD."""
        hours, minutes = divmod(self.duration_minutes or 0, 60)
        return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")

    @classmethod
    def display_prefetches(cls):
        return [
            "learning_outcomes",
            Prefetch("speakers", queryset=SessionSpeaker.objects.select_related("person__organisation")),
        ]

    def get_speakers(self):
        return self.speakers.all()

    def get_programme(self):
        """The session's programme, if visitors may see it: a live session may sit below a draft
        programme, whose title and audience are not public."""
        programme = self.get_parent().specific
        return programme if is_public_page(programme) else None

    @property
    def effective_audience(self):
        if self.audience:
            return self.audience
        programme = self.get_programme()
        return programme.audience if programme else ""


class SessionLearningOutcome(LearningOutcome):
    page = ParentalKey(SessionPage, on_delete=models.CASCADE, related_name="learning_outcomes")


class SessionSpeaker(Orderable):
    page = ParentalKey(SessionPage, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("person")]
    api_fields = [APIField("person", serializer=PersonField())]
