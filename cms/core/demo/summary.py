"""What a run of the demo content loader did, as the command prints it."""

from collections import Counter
from dataclasses import dataclass, field

from wagtail.models import Page, Site

_RANK = {"unchanged": 0, "updated": 1, "created": 2}


@dataclass
class LoadSummary:
    page_status: dict = field(default_factory=dict)  # page id -> "created" / "updated" / "unchanged"
    snippets: Counter = field(default_factory=Counter)
    media: Counter = field(default_factory=Counter)
    deleted_pages: list = field(default_factory=list)
    closure_notice: bool = False
    site: Site | None = None
    home: Page | None = None

    def record_page(self, page, status):
        """A page touched twice in one run (created, then filled in) counts once, by its biggest change."""
        previous = self.page_status.get(page.pk, "unchanged")
        self.page_status[page.pk] = max(previous, status, key=_RANK.__getitem__)

    @property
    def pages(self):
        return Counter(self.page_status.values())

    def lines(self):
        def fmt(counter):
            return ", ".join(f"{counter[key]} {key}" for key in ("created", "updated", "unchanged"))

        lines = [
            f"Pages: {fmt(self.pages)}.",
            f"People and organisations: {fmt(self.snippets)}.",
            f"Images and documents: {fmt(self.media)}.",
        ]
        if self.deleted_pages:
            lines.append("Removed Wagtail's default page: " + ", ".join(self.deleted_pages) + ".")
        if self.site:
            lines.append(
                f"Site “{self.site.site_name}” ({self.site.hostname}:{self.site.port}) → {self.home}."
            )
        if self.closure_notice:
            lines.append("Closure notice set.")
        return lines
