"""The incremental export's plan on its own: a pure function from the previous export's State and a
Snapshot of the site to a Plan, tested with hand-made ones and no database (no ``django_db`` mark, so
any query would fail the test)."""

import dataclasses
import datetime
import json

import pytest

from static_export.incremental.plan import PlanOptions, plan_export
from static_export.incremental.snapshot import PAGE_FIELDS, PAGE_LABEL, Snapshot, page_signature
from static_export.incremental.state import (
    STATE_VERSION,
    PageRecord,
    State,
    UnusableState,
    read_state,
    write_state,
)

BASE_URL = "https://example.org"
CAPTURED_AT = datetime.datetime(2024, 4, 30, 17, 0, tzinfo=datetime.UTC)
OPTIONS = PlanOptions(BASE_URL, CAPTURED_AT, max_share=1.0)
PERSON = "core.Person"
IMAGE = "images.CustomImage"

# A small site: home; a news index listing three releases on two pages; a case study index with one
# case study; two sessions. {id: (tree path, URL path, type)}
TREE = {
    1: ("0001", "/", "site_pages.HomePage"),
    2: ("00010001", "/news/", "site_pages.NewsIndexPage"),
    3: ("000100010001", "/news/one/", "site_pages.NewsReleasePage"),
    4: ("000100010002", "/news/two/", "site_pages.NewsReleasePage"),
    5: ("000100010003", "/news/three/", "site_pages.NewsReleasePage"),
    6: ("00010002", "/case-studies/", "case_studies.CaseStudyIndexPage"),
    7: ("000100020001", "/case-studies/wellbeing/", "case_studies.CaseStudyPage"),
    8: ("00010003", "/session-a/", "resources.SessionPage"),
    9: ("00010004", "/session-b/", "resources.SessionPage"),
}
NEWS_ROUTES = {"/news/": (5, 4), "/news/page/2/": (3,)}
# Which page's files link to which pages, as the previous export recorded them.
LINKS = {1: {2, 5, 6}, 2: {1, 3, 4, 5}, 3: {1}, 4: {1}, 5: {1}, 6: {1, 7}, 7: {1, 6, 8}, 8: {1}, 9: {1}}


def row(page_id, **changes):
    path, url_path, _type = TREE[page_id]
    values = dict.fromkeys(PAGE_FIELDS)
    values.update(id=page_id, path=path, depth=len(path) // 4, url_path=url_path, title=f"Page {page_id}")
    values.update(live_revision_id=100 + page_id, content_type_id=page_id)
    return {**values, **changes}


def snapshot(rows=None, people=None, referrers=None, **changes):
    rows = rows if rows is not None else {page_id: row(page_id) for page_id in TREE}
    values = {
        "software": "software 1",
        "pages": rows,
        "tables": {"core.Organisation": "organisations 1"},
        "objects": {PERSON: people or {1: "libby", 2: "sam"}, IMAGE: {1: "photo"}},
        "site_id": 1,
        "root_page_id": 1,
        "object_names": {PERSON: "person", IMAGE: "image"},
        "page_types": {page_id: TREE[page_id][2] for page_id in rows},
        # Case study 7 names person 1 as its author; person 1's photo is image 1.
        "referrers": referrers or {(PERSON, 1): {(PAGE_LABEL, 7)}, (IMAGE, 1): {(PERSON, 1)}},
        "routes": {2: dict(NEWS_ROUTES)},
    }
    return Snapshot(**{**values, **changes})


def state(site=None):
    """The state a full export of ``site`` (a snapshot) leaves."""
    site = site or snapshot()
    parents = site.parent_ids()
    pages = {
        page_id: PageRecord(
            type=site.page_types[page_id],
            urls=[TREE[page_id][1]],
            files=[TREE[page_id][1].strip("/") + "/index.html"],
            refs=sorted(LINKS[page_id]),
            assets=[],
            warnings=[],
            external=[],
            search=None,
            routes=site.routes.get(page_id),
            sig=page_signature(site.pages[page_id]),
            url_path=site.pages[page_id]["url_path"],
            parent=parents[page_id],
        )
        for page_id in site.pages
    }
    return State(
        site=1,
        base_url=BASE_URL,
        captured_at=CAPTURED_AT,
        software=site.software,
        tables=dict(site.tables),
        objects={label: dict(rows) for label, rows in site.objects.items()},
        stylesheets={},
        pages=pages,
    )


def edited(page_id, **changes):
    rows = {pid: row(pid) for pid in TREE}
    rows[page_id] = row(page_id, **changes)
    return rows


def test_with_no_edits_nothing_but_the_home_page_is_rendered():
    plan = plan_export(state(), snapshot(), OPTIONS)

    assert plan.incremental
    assert plan.changed_ids == set() and plan.removed_ids == set()
    assert plan.render_ids == {1}  # The home page (latest news) is always rendered.
    assert plan.partial == {}


def test_an_edited_page_renders_it_its_listing_and_the_pages_linking_to_it():
    plan = plan_export(state(), snapshot(rows=edited(7, live_revision_id=999)), OPTIONS)

    assert plan.changed_ids == {7}
    # The case study, its index (parent, and links to it), home; not the news or the sessions.
    assert plan.render_ids == {1, 6, 7}
    assert plan.api_models == [
        "case_studies.CaseStudyIndexPage",
        "case_studies.CaseStudyPage",
        "site_pages.HomePage",
    ]


def test_an_edited_listing_item_re_renders_only_the_listing_pages_showing_it():
    plan = plan_export(state(), snapshot(rows=edited(3, live_revision_id=999)), OPTIONS)

    assert plan.render_ids == {1, 2, 3}
    assert plan.partial == {2: {"/news/page/2/"}}


def test_a_page_that_moved_renders_its_listing_whole():
    plan = plan_export(state(), snapshot(rows=edited(3, url_path="/news/one-renamed/")), OPTIONS)

    assert 2 in plan.render_ids and plan.partial == {}


def test_a_changed_person_renders_the_pages_referring_to_them():
    plan = plan_export(state(), snapshot(people={1: "libby, director", 2: "sam"}), OPTIONS)

    assert plan.incremental and plan.changed_ids == set()
    # The case study shows the person; its index and home link to the case study.
    assert plan.render_ids == {1, 6, 7}


def test_a_changed_image_reaches_pages_through_the_person_it_is_the_photo_of():
    changed = snapshot(objects={PERSON: {1: "libby", 2: "sam"}, IMAGE: {1: "new photo"}})

    plan = plan_export(state(), changed, OPTIONS)

    assert plan.render_ids == {1, 6, 7}


def test_a_removed_page_is_removed_and_the_pages_linking_to_it_rendered():
    rows = {pid: row(pid) for pid in TREE if pid != 8}

    plan = plan_export(state(), snapshot(rows=rows), OPTIONS)

    assert plan.removed_ids == {8}
    assert plan.render_ids == {1, 7}  # The case study linked to the session; home is its parent.
    assert 8 not in plan.render_ids and "resources.SessionPage" in plan.api_models


def test_more_than_half_the_pages_to_render_means_a_full_export():
    rows = edited(7, live_revision_id=999)

    plan = plan_export(state(), snapshot(rows=rows), dataclasses.replace(OPTIONS, max_share=0.3))

    assert plan.summary() == {"mode": "full", "reason": "3 of 9 pages show what changed, so all are exported"}


@pytest.mark.parametrize(
    "change, options, reason",
    [
        ({"software": "software 2"}, {}, "the software changed (packages or the project's source files)"),
        ({}, {"base_url": "https://elsewhere.org"}, f"the base URL differs (previous {BASE_URL})"),
        (
            {},
            {"captured_at": CAPTURED_AT + datetime.timedelta(days=1)},
            "captured-at differs (previous 2024-04-30T17:00:00+00:00)",
        ),
        (
            {"tables": {"core.Organisation": "organisations 2"}},
            {},
            "site-wide data changed: core.Organisation",
        ),
        ({"objects": {PERSON: {1: "libby"}, IMAGE: {1: "photo"}}}, {}, "a person was deleted"),
        ({"site_id": 2}, {}, "the default site is another one"),
    ],
)
def test_what_the_previous_archive_cannot_follow_means_a_full_export_with_the_reason(change, options, reason):
    plan = plan_export(state(), snapshot(**change), dataclasses.replace(OPTIONS, **options))

    assert not plan.incremental and plan.reason == reason


def test_the_state_file_keeps_integer_ids_and_typed_values(tmp_path):
    output = tmp_path / "archive"
    previous = state()

    write_state(output, previous)

    assert read_state(output) == previous
    data = json.loads((tmp_path / "archive-state.json").read_text())
    assert data["version"] == STATE_VERSION and data["pages"]["2"]["routes"]["/news/page/2/"] == [3]


def test_a_state_file_of_another_version_is_not_used_and_says_why(tmp_path):
    (tmp_path / "archive-state.json").write_text(json.dumps({"version": 1, "pages": {}}))

    with pytest.raises(UnusableState, match="another version of the exporter"):
        read_state(tmp_path / "archive")
