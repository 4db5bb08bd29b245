"""The "Freeze a snapshot" form, and what the freeze will do, said before it starts."""

from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.core.privacy import public_documents

from ..archive.gates import GATES
from ..archive.store import SnapshotStore, StoreError
from ..models import Snapshot
from ..pipeline import count_pages_to_export

GATE_LABELS = {
    "markup": "Leaked markup: no template code or raw content data shows in any page",
    "html": "Valid HTML: every page passes the Nu HTML Checker (vnu)",
    "accessibility": "Accessibility: one page of each type passes axe-core in Chromium (WCAG 2.2 AA)",
}
BASE_URL_ERROR = (
    "Enter an absolute address starting with http:// or https://, such as https://www.example.org."
)


class FreezeForm(forms.ModelForm):
    base_url = forms.CharField(
        label="Base URL",
        max_length=255,
        help_text="The address the site is published at: the archive's canonical links, sitemap and "
        "feed keep it.",
    )
    captured_at = forms.DateTimeField(
        label="Capture time",
        required=False,
        widget=AdminDateTimeInput,
        help_text="The date and time the archive records as its capture. Leave it empty for the moment "
        "the freeze starts.",
    )
    package = forms.BooleanField(
        label="Package it for preservation",
        required=False,
        help_text="Also write a BagIt bag (a checksum of every file, so the snapshot can be verified "
        "later), a WACZ web archive and a provenance record.",
    )
    store = forms.BooleanField(
        label="Add it to the snapshot store as a new version",
        required=False,
        help_text="The store keeps every version of the site; a file unchanged since the last version "
        "is stored once, not again.",
    )
    contact = forms.CharField(
        label="Contact",
        max_length=255,
        required=False,
        help_text="Who to ask about this archive, recorded in its package, such as archives@example.org.",
    )
    gates = forms.MultipleChoiceField(
        label="Quality gates",
        choices=[(name, GATE_LABELS.get(name, name)) for name in GATES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Checks of the finished archive. If one fails, the freeze stops and keeps no archive.",
    )

    class Meta:
        model = Snapshot
        fields = ["base_url", "captured_at", "package", "store", "contact", "gates"]

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = {
            "base_url": default_base_url(),
            "package": True,
            "store": True,
            "gates": list(GATES),
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)

    def clean_base_url(self):
        base_url = self.cleaned_data["base_url"].strip().rstrip("/")
        try:
            URLValidator(schemes=["http", "https"], message=BASE_URL_ERROR)(base_url)
        except ValidationError:
            raise ValidationError(BASE_URL_ERROR, code="invalid") from None
        return base_url

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("store") and cleaned.get("base_url") and "captured_at" not in self.errors:
            self.check_capture_time(cleaned["base_url"], cleaned.get("captured_at"))
        return cleaned

    def check_capture_time(self, base_url, captured_at):
        """A new version must be captured after the store's latest version of the site."""
        try:
            versions = SnapshotStore(settings.STATIC_EXPORT_STORE).versions(base_url)
        except StoreError as exc:
            self.add_error("store", f"The snapshot store cannot be read: {exc}")
            return
        if not versions:
            return
        latest = versions[-1]
        if (captured_at or timezone.now()) <= latest.captured_at:
            when = latest.captured_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            self.add_error(
                "captured_at",
                f"The snapshot store's latest version of this site, {latest.name}, was captured at "
                f"{when}: a new version needs a later capture time.",
            )

    def snapshot_options(self):
        """The Snapshot fields ``tasks.start_freeze`` records from this form."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def default_site():
    return Site.objects.filter(is_default_site=True).select_related("root_page").first()


def default_base_url():
    site = default_site()
    return site.root_url if site else ""


@dataclass(frozen=True)
class FreezePlan:
    """What a freeze started now will do, for the form to say before it starts."""

    site: object
    pages: int
    documents: int
    images: int
    folder: Path
    earlier: int
    store: Path


def freeze_plan():
    site = default_site()
    return FreezePlan(
        site=site,
        pages=count_pages_to_export(site) if site else 0,
        documents=public_documents(get_document_model().objects.all()).count(),
        images=get_image_model().objects.count(),
        folder=Path(settings.STATIC_EXPORT_SNAPSHOTS_DIR),
        earlier=Snapshot.objects.filter(status=Snapshot.Status.COMPLETE).count(),
        store=Path(settings.STATIC_EXPORT_STORE),
    )
