"""Incremental export: after an edit, only the affected pages are re-rendered, and the archive is
byte for byte the one a full export gives."""

import datetime
import json

import pytest
from django.core.management import call_command

from case_studies.models import CaseStudyPage
from cms.core.models import Person
from resources.models import LearningProgrammePage, SessionPage
from site_pages.models import NewsIndexPage
from static_export import incremental
from static_export.exporter import ExportError
from static_export.views import exportable_pages
from tests.factories import NewsReleasePageFactory

from .archive_files import files
from .conftest import CAPTURED_AT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_site_updates(monkeypatch):
    """The demo site is small: an edit there touches a large share of it, which on a real site
    would mean a full export. Let it update incrementally anyway, to test that path."""
    monkeypatch.setattr(incremental, "MAX_SHARE", 1.0)


def assert_same_archive(incremental_archive, full_archive):
    assert files(incremental_archive) == files(full_archive)
    different = [
        name
        for name in files(full_archive)
        if (incremental_archive / name).read_bytes() != (full_archive / name).read_bytes()
    ]
    assert different == []


def publish_edit(page, **fields):
    """Publish a new revision, as an editor would."""
    page = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def test_editing_a_case_study_re_renders_it_and_the_pages_showing_it_and_matches_a_full_export(
    demo_site, export
):
    archive, first = export("archive")
    assert first.incremental == {"mode": "full", "reason": "a full export was asked for"}
    assert (archive.parent / "archive-state.json").is_file()
    case_study = CaseStudyPage.objects.get()
    publish_edit(case_study, title="Wellbeing at work, revisited", summary="A fresh look.")

    archive, report = export("archive", incremental=True)
    full, _ = export("full")

    assert_same_archive(archive, full)
    assert report.incremental["mode"] == "incremental"
    assert report.incremental["changed_pages"] == [case_study.pk]
    rendered = set(report.incremental["rendered_pages"])
    index, home = case_study.get_parent(), case_study.get_site().root_page
    assert {case_study.pk, index.pk, home.pk} <= rendered
    # A session neither shows nor links to the case study: it is kept as it was.
    unrelated = SessionPage.objects.live().first()
    assert unrelated.pk not in rendered
    assert len(rendered) < len(exportable_pages(case_study.get_site())) / 2
    assert "Wellbeing at work, revisited" in (archive / case_study.url.strip("/") / "index.html").read_text()


def test_an_unpublished_page_disappears_and_the_pages_linking_to_it_are_updated(demo_site, export):
    archive, _ = export("archive")
    programme = LearningProgrammePage.objects.get(case_studies__isnull=False)
    programme_file = archive / programme.url.strip("/") / "index.html"
    assert programme_file.is_file()
    programme.unpublish()  # Its sessions stay live in the database but leave the archive with it.

    archive, report = export("archive", incremental=True)
    full, _ = export("full")

    assert_same_archive(archive, full)
    assert report.incremental["mode"] == "incremental", report.incremental
    assert programme.pk in report.incremental["removed_pages"]
    assert not programme_file.exists()
    case_study = CaseStudyPage.objects.get(related_programme=programme)
    assert case_study.pk in report.incremental["rendered_pages"]


def test_a_change_to_a_person_reaches_the_pages_that_show_them(demo_site, export):
    archive, _ = export("archive")
    author = CaseStudyPage.objects.get().author
    author.name = "Libby Potter-Smith"  # Shown on the case study and in the listing of case studies.
    author.role = "Director of Everything"
    author.save()

    archive, report = export("archive", incremental=True)
    full, _ = export("full")

    assert_same_archive(archive, full)
    assert report.incremental["mode"] == "incremental"
    case_study_file = archive / CaseStudyPage.objects.get().url.strip("/") / "index.html"
    assert "Director of Everything" in case_study_file.read_text()


def test_nothing_changed_gives_the_same_archive(demo_site, export):
    archive, _ = export("archive")
    before = {name: (archive / name).read_bytes() for name in files(archive)}

    archive, report = export("archive", incremental=True)

    assert report.incremental["mode"] == "incremental" and report.incremental["changed_pages"] == []
    assert {name: (archive / name).read_bytes() for name in files(archive)} == before


def test_a_failed_incremental_export_keeps_the_previous_archive_and_state(demo_site, export, monkeypatch):
    archive, _ = export("archive")
    before = {name: (archive / name).read_bytes() for name in files(archive)}
    state = (archive.parent / "archive-state.json").read_bytes()
    case_study = publish_edit(CaseStudyPage.objects.get(), title="Never exported")

    def broken_context(self, request, *args, **kwargs):
        raise RuntimeError("the template tag exploded")

    monkeypatch.setattr(CaseStudyPage, "get_context", broken_context)
    with pytest.raises(ExportError, match="exploded"):
        export("archive", incremental=True)

    assert {name: (archive / name).read_bytes() for name in files(archive)} == before
    assert (archive.parent / "archive-state.json").read_bytes() == state
    leftovers = [path.name for path in archive.parent.iterdir() if path.name.startswith(".archive")]
    leftovers.remove(".archive.lock")  # The lock file stays; the kernel released its lock.
    assert leftovers == []
    # The failed export recorded nothing: the next one still finds the edit and exports it.
    monkeypatch.undo()
    archive, report = export("archive", incremental=True)
    assert report.incremental["changed_pages"] == [case_study.pk]
    assert "Never exported" in (archive / case_study.url.strip("/") / "index.html").read_text()


def test_a_different_capture_time_or_software_means_a_full_export(demo_site, export, monkeypatch):
    export("archive")
    _, report = export("archive", incremental=True, captured_at=CAPTURED_AT + datetime.timedelta(days=1))
    assert report.incremental["mode"] == "full" and "captured-at differs" in report.incremental["reason"]

    monkeypatch.setattr(incremental, "software_fingerprint", lambda: "another version")
    _, report = export("archive", incremental=True, captured_at=CAPTURED_AT + datetime.timedelta(days=1))
    assert report.incremental == {
        "mode": "full",
        "reason": "the software changed (packages or the project's source files)",
    }


def test_without_a_previous_state_the_export_is_full_and_says_why(demo_site, export):
    _, report = export("archive", incremental=True)
    assert report.incremental["mode"] == "full"
    assert report.incremental["reason"].startswith("no previous export state")


def test_a_state_file_from_an_older_exporter_means_a_full_export_that_says_so(demo_site, export):
    archive, _ = export("archive")
    state_file = archive.parent / "archive-state.json"
    state_file.write_text(json.dumps({**json.loads(state_file.read_text()), "version": 1}))

    _, report = export("archive", incremental=True)

    assert report.incremental["mode"] == "full"
    assert "another version of the exporter (state version 1" in report.incremental["reason"]


def test_the_command_says_whether_it_exported_incrementally(demo_site, tmp_path, capsys):
    output = tmp_path / "archive"
    arguments = ["export_archive", "--output", str(output), "--captured-at", "2024-04-30T17:00:00Z"]
    call_command(*arguments, "--incremental", "--skip-gates")
    assert "Full export: no previous export state" in capsys.readouterr().out
    person = Person.objects.first()
    person.name += " Jr"
    person.save()

    call_command(*arguments[:3], "--incremental", "--skip-gates")  # Keeps the previous capture time.

    assert "Incremental export: 0 changed and 0 removed pages; re-rendered" in capsys.readouterr().out
    report = json.loads((tmp_path / "archive-report.json").read_text())
    assert report["captured_at"] == "2024-04-30T17:00:00+00:00"


@pytest.fixture
def many_news_releases(demo_site):
    """Enough releases for three pages of the news listing, newest first."""
    news_index = NewsIndexPage.objects.get()
    return [
        NewsReleasePageFactory(
            parent=news_index, title=f"Release {day}", release_date=datetime.date(2023, 1, 1 + day)
        )
        for day in range(25)
    ]


def test_a_listing_re_renders_only_its_pages_that_show_the_edited_item(many_news_releases, export):
    archive, _ = export("archive")
    news_index = NewsIndexPage.objects.get()
    on_page_two = next(page for page in many_news_releases if page.title == "Release 12")
    publish_edit(on_page_two, summary="Corrected after the event.")

    archive, report = export("archive", incremental=True)
    full, _ = export("full")

    assert_same_archive(archive, full)
    assert report.incremental["partly_rendered_pages"] == {str(news_index.pk): 1}
    assert (
        "Corrected after the event."
        in (archive / news_index.url.strip("/") / "page/2/index.html").read_text()
    )


def test_moving_an_item_re_renders_every_listing_page_it_shifts(many_news_releases, export):
    archive, _ = export("archive")
    oldest = next(page for page in many_news_releases if page.title == "Release 0")
    publish_edit(oldest, release_date=datetime.date(2024, 1, 1))  # From the last page to the first.

    archive, report = export("archive", incremental=True)
    full, _ = export("full")

    assert_same_archive(archive, full)
    first = (archive / NewsIndexPage.objects.get().url.strip("/") / "index.html").read_text()
    assert "Release 0" in first
