"""Property: after any sequence of edits to any page tree, an incremental export gives, byte for byte,
the archive a full export of the same content gives.

Edits as editors make them: a new revision published (title, summary), a page unpublished or
published, a draft saved without publishing, a page moved, added, deleted or restricted.
"""

import difflib
import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from wagtail.models import Page, PageViewRestriction

from site_pages.models import StandardPage
from static_export import incremental
from static_export.pipeline import export_archive
from tests.hypothesis_profiles import examples

from .archive_files import files
from .conftest import BASE_URL, CAPTURED_AT
from .site_plans import PagePlan, SitePlan, build_site, rolled_back, site_plans

pytestmark = pytest.mark.django_db

EDITS = ["retitle", "unpublish", "publish", "draft", "move", "add", "delete", "restrict"]
edits = st.lists(
    st.tuples(st.sampled_from(EDITS), st.integers(min_value=0, max_value=99), st.integers(0, 99)),
    min_size=1,
    max_size=4,
)


# Found by the property: publishing a page again did not re-render the live pages below it, whose
# breadcrumbs now show it (none linked to it before, so the plan did not know they would).
A_LIVE_PAGE_BELOW_AN_EXPIRED_ONE = SitePlan(
    pages=[PagePlan(0, "standard", None, "expired"), PagePlan(1, "standard", 0, "live")],
    documents=[],
    featured=[],
)


def apply_edit(edit, pages, home):
    """Make one edit to the page numbered ``n`` (modulo the pages left); returns what it did."""
    kind, n, m = edit
    alive = list(Page.objects.filter(pk__in=[page.pk for page in pages.values()]).specific())
    if not alive:
        return None
    page = alive[n % len(alive)]
    if kind == "retitle":
        revision = page.get_latest_revision_as_object()
        revision.title, revision.summary = f"{page.title} (revised {n})", f"Revised summary {n}"
        revision.save_revision().publish()
    elif kind == "unpublish" and page.live:
        page.unpublish()
    elif kind == "publish":
        page.save_revision().publish()
    elif kind == "draft":
        revision = page.get_latest_revision_as_object()
        revision.title = f"{page.title} (a draft {n})"
        revision.save_revision()
    elif kind == "move":
        targets = [other for other in [home, *alive] if can_hold(other, page)]
        if targets:
            page.move(Page.objects.get(pk=targets[m % len(targets)].pk), pos="last-child")
    elif kind == "add":
        parents = [other for other in [home, *alive] if isinstance(other.specific, type(home) | StandardPage)]
        parent = Page.objects.get(pk=parents[m % len(parents)].pk)
        parent.add_child(
            instance=StandardPage(title=f"Added page {n}-{m}", slug=f"added-{uuid.uuid4().hex[:8]}")
        )
    elif kind == "delete":
        page.delete()
    elif kind == "restrict" and not PageViewRestriction.objects.filter(page=page).exists():
        PageViewRestriction.objects.create(page=page, restriction_type="login")
    return kind


def can_hold(parent, page):
    """Whether ``page`` may move below ``parent``: a type it allows, not itself or below itself."""
    allowed = type(page) in parent.specific_class.creatable_subpage_models() or (
        isinstance(page, StandardPage) and parent.depth == 2
    )
    fresh = Page.objects.get(pk=page.pk)
    return (
        allowed
        and parent.pk != page.pk
        and not parent.is_descendant_of(fresh)
        and parent.pk != fresh.get_parent().pk
    )


def archive_bytes(folder):
    return {name: (folder / name).read_bytes() for name in files(folder)}


def test_an_incremental_export_after_any_edits_is_byte_identical_to_a_full_export(
    home_page, tmp_path, monkeypatch
):
    # Small sites: an edit touches a large share, which on a real site means a full export. Let it
    # update incrementally anyway, to test that path (as test_incremental.py does).
    monkeypatch.setattr(incremental, "MAX_SHARE", 1.0)
    modes = []

    @settings(max_examples=examples(ci=6))
    @given(plan=site_plans(max_pages=8), edits=edits)
    @example(plan=A_LIVE_PAGE_BELOW_AN_EXPIRED_ONE, edits=[("retitle", 0, 0)])
    def property(plan, edits):
        with rolled_back(tmp_path) as folder:
            pages = build_site(plan, home_page)
            archive, full = folder / "archive", folder / "full"
            options = {"base_url": BASE_URL, "captured_at": CAPTURED_AT, "gates": ("markup",)}
            export_archive(archive, **options)
            for edit in edits:
                apply_edit(edit, pages, home_page)

            report = export_archive(archive, incremental=True, **options)
            export_archive(full, **options)

            modes.append(report.incremental["mode"])
            updated, expected = archive_bytes(archive), archive_bytes(full)
            assert sorted(updated) == sorted(expected)
            different = [name for name in expected if updated[name] != expected[name]]
            assert different == [], "\n".join(
                difflib.unified_diff(
                    expected[different[0]].decode(errors="replace").splitlines(),
                    updated[different[0]].decode(errors="replace").splitlines(),
                    "full",
                    "incremental",
                    lineterm="",
                )
            )

    property()
    assert "incremental" in modes, modes  # Not every example fell back to a full export


def test_a_site_whose_settings_were_never_saved_updates_incrementally_after_its_first_export(
    home_page, tmp_path, monkeypatch
):
    """Found by the property: the first export made the closure notice's row as it rendered, after
    its snapshot, so the next export saw site-wide data change and ran in full, every time."""
    monkeypatch.setattr(incremental, "MAX_SHARE", 1.0)
    options = {"base_url": BASE_URL, "captured_at": CAPTURED_AT, "gates": ("markup",)}
    export_archive(tmp_path / "archive", **options)

    report = export_archive(tmp_path / "archive", incremental=True, **options)

    assert report.incremental["mode"] == "incremental", report.incremental


def test_a_feed_with_no_items_is_dated_the_same_whenever_it_is_written(home_page, client):
    """Found by the property: with no news releases, the feed's lastBuildDate was the time it was
    written, so two exports of the same content differed (and an incremental export from a full one)."""
    feed = client.get("/feeds/news.xml").content.decode()

    assert "<lastBuildDate>Sat, 01 Jan 2000 00:00:00 +0000</lastBuildDate>" in feed
