"""Updates in place, as the live static copy gets them: only what changed is built, each file moves
into the served folder with one rename (uploads before the pages using them, removals last), no
tree is copied or hard-linked, and once the search index catches up the folder is byte for byte
what a full export of the same content gives."""

import json
import os

import pytest
from hypothesis import example, given, settings

from case_studies.models import CaseStudyPage
from resources.models import LearningProgrammePage
from static_export import incremental
from static_export.archive import in_place
from static_export.archive.errors import ExportError
from static_export.archive.gates import GATES
from static_export.archive.warm import close_warm_tools, warm_tools
from static_export.pipeline import export_archive, reindex_search
from static_export.views import ArchivePagesAPIListingView
from tests.hypothesis_profiles import examples

from .archive_files import files
from .conftest import BASE_URL, CAPTURED_AT
from .site_plans import build_site, rolled_back, site_plans
from .test_incremental import publish_edit
from .test_property_incremental import A_LIVE_PAGE_BELOW_AN_EXPIRED_ONE, apply_edit, edits

pytestmark = pytest.mark.django_db

OPTIONS = {"base_url": BASE_URL, "captured_at": CAPTURED_AT, "gates": ("markup",)}


@pytest.fixture(autouse=True)
def small_site_updates(monkeypatch):
    """Let the small test sites update incrementally (test_incremental.py says why)."""
    monkeypatch.setattr(incremental, "MAX_SHARE", 1.0)


def contents(folder, leave_out=()):
    return {
        name: (folder / name).read_bytes() for name in files(folder) if not name.startswith(tuple(leave_out))
    }


def differences(updated, expected):
    return sorted(
        name for name in expected.keys() | updated.keys() if updated.get(name) != expected.get(name)
    )


def inodes(folder):
    return {name: os.stat(folder / name).st_ino for name in files(folder)}


def test_an_edit_is_applied_file_by_file_and_the_copy_then_matches_a_full_export(demo_site, tmp_path):
    copy = tmp_path / "static-site"
    first = export_archive(copy, in_place=True, **OPTIONS)
    assert first.incremental["mode"] == "full"
    before = inodes(copy)
    case_study = CaseStudyPage.objects.get()
    publish_edit(case_study, title="Wellbeing at work, revisited")

    report = export_archive(copy, incremental=True, in_place=True, **OPTIONS)

    assert report.incremental["mode"] == "incremental"
    after = inodes(copy)
    page = case_study.url.strip("/") + "/index.html"
    assert "Wellbeing at work, revisited" in (copy / page).read_text()
    assert after[page] != before[page]  # Replaced by a rename, not written over.
    session = LearningProgrammePage.objects.live().first().get_children().live().first()
    untouched = session.url.strip("/") + "/index.html"
    assert after[untouched] == before[untouched]  # Kept where it was: not copied, not linked.
    assert all(os.stat(copy / name).st_nlink == 1 for name in files(copy))  # No hard-link farm.
    assert not list(tmp_path.glob(".static-site.building-*"))

    full = tmp_path / "full"
    export_archive(full, **OPTIONS)
    # Until the search catches up, only Pagefind's index can differ; then nothing does.
    assert differences(contents(copy, ["pagefind/"]), contents(full, ["pagefind/"])) == []
    reindex_search(copy)
    assert differences(contents(copy), contents(full)) == []


def test_an_unpublished_page_goes_last_and_leaves_no_empty_folder(demo_site, tmp_path, monkeypatch):
    copy = tmp_path / "static-site"
    export_archive(copy, in_place=True, **OPTIONS)
    programme = LearningProgrammePage.objects.get(case_studies__isnull=False)
    folder = copy / programme.url.strip("/")
    assert (folder / "index.html").is_file()
    programme.unpublish()
    steps = []  # What happened in the copy, in order.
    real_replace, real_unlink = os.replace, os.unlink

    def replace(source, target):
        if str(target).startswith(f"{copy}/"):
            steps.append("moved")
        real_replace(source, target)

    def unlink(path, **kwargs):
        if str(path).startswith(f"{copy}/"):
            steps.append("removed")
        real_unlink(path, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)

    report = export_archive(copy, incremental=True, in_place=True, **OPTIONS)

    assert programme.pk in report.incremental["removed_pages"]
    assert not (folder / "index.html").exists()
    assert "moved" in steps and "removed" in steps
    assert steps.index("removed") > max(at for at, step in enumerate(steps) if step == "moved")
    full = tmp_path / "full"
    export_archive(full, **OPTIONS)
    reindex_search(copy)
    assert differences(contents(copy), contents(full)) == []
    empty = [root for root, dirs, names in os.walk(copy) if not dirs and not names]
    assert empty == []


def test_uploads_land_before_the_pages_that_use_them(tmp_path):
    build, output = tmp_path / "build", tmp_path / "copy"
    for name in ["about/index.html", "media/images/new.jpg", "documents/4/report.pdf", "index.html"]:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text(name)
    (output / "old").mkdir(parents=True)
    (output / "old/index.html").write_text("gone")

    moved = in_place.apply_update(build, output, ["old/index.html"], first=("media/", "documents/"))

    assert moved[:2] == ["documents/4/report.pdf", "media/images/new.jpg"]
    assert sorted(files(output)) == sorted(
        ["about/index.html", "media/images/new.jpg", "documents/4/report.pdf", "index.html"]
    )
    assert not (output / "old").exists() and files(build) == []


def test_a_new_search_index_replaces_the_old_one_entry_file_after_its_files(tmp_path, monkeypatch):
    new, folder = tmp_path / "new", tmp_path / "copy/pagefind"
    for name in ["pagefind-entry.json", "index/en_new.pf_index", "pagefind.js"]:
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        (new / name).write_text("new " + name)
    for name in ["pagefind-entry.json", "index/en_old.pf_index", "pagefind.js"]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("old " + name)
    steps = []
    real_replace, real_unlink = os.replace, os.unlink
    monkeypatch.setattr(in_place.os, "replace", lambda a, b: steps.append(str(b)) or real_replace(a, b))
    monkeypatch.setattr(in_place.os, "unlink", lambda a: steps.append(f"-{a}") or real_unlink(a))

    in_place.replace_folder(new, folder, last=["pagefind-entry.json"])

    names = [step.removeprefix(str(folder) + "/").replace(f"-{folder}/", "-") for step in steps]
    assert names == ["index/en_new.pf_index", "pagefind.js", "pagefind-entry.json", "-index/en_old.pf_index"]
    assert (folder / "pagefind-entry.json").read_text() == "new pagefind-entry.json"


def test_a_failed_update_leaves_the_copy_and_its_state_as_they_were(demo_site, tmp_path):
    copy = tmp_path / "static-site"
    export_archive(copy, in_place=True, **OPTIONS)
    before, state = contents(copy), (tmp_path / "static-site-state.json").read_bytes()
    publish_edit(CaseStudyPage.objects.get(), summary="[gravityform id=1 title=false]")  # A leaked shortcode.

    with pytest.raises(ExportError, match="gravityform"):
        export_archive(copy, incremental=True, in_place=True, **OPTIONS)

    assert differences(contents(copy), before) == []
    assert (tmp_path / "static-site-state.json").read_bytes() == state
    assert not list(tmp_path.glob(".static-site.building-*"))


def test_a_copy_updated_in_place_is_neither_packaged_nor_stored(demo_site, tmp_path):
    with pytest.raises(ExportError, match="not packaged or stored"):
        export_archive(tmp_path / "copy", in_place=True, package=True, **OPTIONS)


def test_any_edits_applied_in_place_give_a_full_exports_bytes_once_search_catches_up(home_page, tmp_path):
    modes = []

    @settings(max_examples=examples(ci=5))
    @given(plan=site_plans(max_pages=8), edits=edits)
    @example(plan=A_LIVE_PAGE_BELOW_AN_EXPIRED_ONE, edits=[("retitle", 0, 0)])
    def property(plan, edits):
        with rolled_back(tmp_path) as folder:
            pages = build_site(plan, home_page)
            copy, full = folder / "copy", folder / "full"
            export_archive(copy, in_place=True, **OPTIONS)
            for edit in edits:
                apply_edit(edit, pages, home_page)

            report = export_archive(copy, incremental=True, in_place=True, **OPTIONS)
            reindex_search(copy)
            export_archive(full, **OPTIONS)

            modes.append(report.incremental["mode"])
            assert differences(contents(copy), contents(full)) == []
            assert [root for root, dirs, names in os.walk(copy) if not dirs and not names] == []

    property()
    assert "incremental" in modes, modes


@pytest.fixture
def worker_tools():
    """The process's warm tools, as a publisher worker keeps them; closed afterwards, so the tests
    counting their own JVMs and browsers (test_warm_gates.py) find none of these."""
    yield warm_tools()
    close_warm_tools()


def test_an_update_runs_every_gate_on_what_it_wrote_with_the_workers_warm_tools(
    demo_site, tmp_path, worker_tools
):
    copy = tmp_path / "static-site"
    export_archive(copy, in_place=True, **OPTIONS)
    tools = worker_tools
    all_gates = {**OPTIONS, "gates": GATES}
    started = []
    for title in ["Checked while warm", "Checked while still warm"]:
        publish_edit(CaseStudyPage.objects.get(), title=title)
        report = export_archive(copy, incremental=True, in_place=True, **all_gates)
        started.append((tools.vnu.pid, tools.browser.launches))

    checks = {check["name"]: check for check in report.checks}
    assert checks["html"]["files"] >= 3 and checks["html"]["problems"] == []  # The page, its listing, home.
    # axe audits a page of each type that changed (a case study), with the copy's stylesheets.
    assert checks["accessibility"]["files"] == 1 and checks["accessibility"]["problems"] == []
    assert started[0] == started[1] and started[0][0] is not None  # One JVM and one browser for both.


def test_an_edit_rewrites_only_the_api_listing_files_that_list_the_page(demo_site, tmp_path, monkeypatch):
    monkeypatch.setattr(ArchivePagesAPIListingView, "results_per_page", 5)  # Several files per listing.
    copy = tmp_path / "static-site"
    export_archive(copy, in_place=True, **OPTIONS)
    listing = "api/v2/pages/listing/"
    before = {name: inode for name, inode in inodes(copy).items() if name.startswith(listing)}
    case_study = CaseStudyPage.objects.get()
    publish_edit(case_study, title="Listed anew")

    report = export_archive(copy, incremental=True, in_place=True, **OPTIONS)

    after = {name: inode for name, inode in inodes(copy).items() if name.startswith(listing)}
    rewritten = sorted(name for name in after if after[name] != before.get(name))
    rendered = set(report.incremental["rendered_pages"])  # The case study, its index, home.
    listing_them = sorted(
        name
        for name in after
        if rendered & {item["id"] for item in json.loads((copy / name).read_text())["items"]}
    )
    assert rewritten == listing_them and 0 < len(rewritten) < len(after) / 2
    full = tmp_path / "full"
    export_archive(full, **OPTIONS)
    assert differences(contents(copy, ["pagefind/"]), contents(full, ["pagefind/"])) == []
