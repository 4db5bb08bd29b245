"""The snapshot store: each freeze a version of one OCFL object per site (ocfl-py), forward deltas,
checkouts byte for byte as exported, pages that know their other captures, and verification that
names the version and file at fault."""

import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import ocfl
import pytest
from django.core.management import CommandError, call_command

from case_studies.models import CaseStudyPage
from static_export import pipeline
from static_export.archive import store as store_module
from static_export.archive.store import SnapshotStore
from static_export.exporter import ExportError

from .archive_files import files
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db

BIN = Path(sys.executable).parent
DAY = datetime.timedelta(days=1)


def publish_edit(page, **fields):
    page = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


def freeze(export, store, when, **kwargs):
    """Export into the same folder, adding to the store; returns a copy of the archive as exported."""
    archive, report = export("site", store=store, captured_at=when, **kwargs)
    copy = archive.with_name(f"as-exported-{report.store['version']}")
    shutil.copytree(archive, copy)
    return copy, report


def same_bytes(one, other):
    assert files(one) == files(other)
    return [
        name for name in files(one) if (Path(one) / name).read_bytes() != (Path(other) / name).read_bytes()
    ]


def verify(path, *args):
    try:
        call_command("verify_archive", str(path), *args, stdout=(out := io.StringIO()))
    except CommandError as exc:
        return 1, str(exc)
    return 0, out.getvalue()


@pytest.fixture
def three_versions(demo_site, export, tmp_path):
    """Three freezes a day apart with an edit to the case study before each of the last two."""
    store = tmp_path / "store"
    case_study = CaseStudyPage.objects.get()
    v1, _ = freeze(export, store, CAPTURED_AT)
    publish_edit(case_study, title="Wellbeing at work, revisited")
    v2, _ = freeze(export, store, CAPTURED_AT + DAY)
    publish_edit(case_study, title="Wellbeing at work, third look")
    v3, report = freeze(export, store, CAPTURED_AT + 2 * DAY)
    return store, (v1, v2, v3), report


def test_three_freezes_make_three_versions_that_ocfl_py_validates_and_check_out_as_exported(
    three_versions, tmp_path
):
    store_path, (v1, _v2, v3), report = three_versions
    store = SnapshotStore(store_path)

    root = ocfl.StorageRoot(root=str(store_path))
    assert root.validate(check_digests=True), root.errors
    assert (root.num_objects, root.good_objects) == (1, 1)
    object_dir = store.object_dir(BASE_URL)
    result = subprocess.run(
        [str(BIN / "ocfl-validate.py"), str(object_dir)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "is VALID" in result.stdout + result.stderr, (
        result.stdout + result.stderr
    )
    assert (object_dir / "inventory.json.sha512").is_file()

    versions = store.versions(BASE_URL)
    assert [version.name for version in versions] == ["v1", "v2", "v3"]
    assert [version.captured_at for version in versions] == [
        CAPTURED_AT,
        CAPTURED_AT + DAY,
        CAPTURED_AT + 2 * DAY,
    ]
    assert {version.organisation for version in versions} == {"What Works Wellbeing"}
    assert report.store == {
        "store": str(store_path),
        "object": f"{BASE_URL}/",
        "version": "v3",
        "files": versions[2].files,
        "bytes": versions[2].bytes,
        "added_files": versions[2].added_files,
        "added_bytes": versions[2].added_bytes,
    }
    # Forward deltas: an edit adds only the files that changed, a small share of the whole.
    assert versions[0].added_files == versions[0].files
    assert 0 < versions[2].added_files < versions[2].files / 4
    assert versions[2].added_bytes < versions[2].bytes / 4

    assert same_bytes(store.checkout(BASE_URL, "v1", tmp_path / "out-v1"), v1) == []
    assert same_bytes(store.checkout(BASE_URL, "v3", tmp_path / "out-v3"), v3) == []


def test_an_unchanged_page_keeps_its_capture_and_a_changed_one_lists_its_others(three_versions):
    _store, (v1, v2, v3), _report = three_versions
    case_study = CaseStudyPage.objects.get()
    page = case_study.url.strip("/") + "/index.html"

    # The about page never changed: the same bytes in every version, captured at the first freeze.
    assert (v1 / "about/index.html").read_bytes() == (v3 / "about/index.html").read_bytes()
    about = (v3 / "about/index.html").read_text()
    assert f'<meta name="dcterms.created" content="{CAPTURED_AT.isoformat()}">' in about
    assert 'captured on <time datetime="2024-04-30T17:00:00+00:00">30 April 2024, 17:00 UTC</time>' in about
    assert "by What Works Wellbeing" in about
    assert "Other captures of this page" not in about

    third = (v3 / page).read_text()
    assert 'captured on <time datetime="2024-05-02T17:00:00+00:00">' in third
    assert "Other captures of this page" in third
    assert third.index("1 May 2024, 17:00 UTC</time> (version v2") < third.index(
        "30 April 2024, 17:00 UTC</time> (version v1"
    )
    assert (
        f"Cite as: What Works Wellbeing. “Wellbeing at work, third look | What Works Wellbeing”. "
        f"{BASE_URL}{case_study.url}. Captured"
    ) in third
    assert (v2 / page).read_bytes() != (v3 / page).read_bytes()


def test_pages_link_their_other_captures_where_the_versions_are_published_together(
    demo_site, export, tmp_path
):
    store, versions_url = tmp_path / "store", "https://archive.example.net/versions/"
    freeze(export, store, CAPTURED_AT, versions_url=versions_url)
    case_study = CaseStudyPage.objects.get()
    publish_edit(case_study, title="Wellbeing at work, revisited")
    v2, _report = freeze(export, store, CAPTURED_AT + DAY, versions_url=versions_url)

    page = (v2 / case_study.url.strip("/") / "index.html").read_text()
    assert f'<a href="{versions_url}v1{case_study.url}"><time datetime="2024-04-30T17:00:00+00:00">' in page
    assert f"Archived at {versions_url}v2{case_study.url}." in page

    timemap = SnapshotStore(store).timemap(BASE_URL, versions_url)
    assert timemap.splitlines() == [
        f'<{BASE_URL}/>; rel="original",',
        f'<{versions_url}timemap.link>; rel="self"; type="application/link-format"; '
        'from="Tue, 30 Apr 2024 17:00:00 GMT"; until="Wed, 01 May 2024 17:00:00 GMT",',
        f'<{versions_url}v1/>; rel="first memento"; datetime="Tue, 30 Apr 2024 17:00:00 GMT",',
        f'<{versions_url}v2/>; rel="last memento"; datetime="Wed, 01 May 2024 17:00:00 GMT"',
    ]


def test_a_flipped_byte_in_any_stored_version_fails_verification_naming_the_version_and_file(three_versions):
    store_path, _copies, _report = three_versions
    store = SnapshotStore(store_path)
    status, report = verify(store_path)
    assert status == 0, report
    assert "Fixity (SHA-512 of" in report and "The store is intact." in report

    object_dir = store.object_dir(BASE_URL)
    # A file v2 added that v3 still uses (the sitemap's lastmod is unchanged, but a listing moved).
    added_in_v2 = sorted(
        path.relative_to(object_dir).as_posix() for path in (object_dir / "v2/content").rglob("*.json")
    )
    stored = object_dir / added_in_v2[0]
    content = bytearray(stored.read_bytes())
    content[len(content) // 2] ^= 0x01
    stored.write_bytes(bytes(content))

    status, report = verify(store_path)
    assert status == 1
    logical = added_in_v2[0].removeprefix("v2/content/")
    assert f"{added_in_v2[0]} has changed since it was stored: it is {logical} in v2" in report
    assert "The store FAILED verification." in report
    assert verify(store_path, "--only", "v1")[0] == 0  # v1 does not use that file.

    v1_file = object_dir / "v1/content/robots.txt"
    v1_file.write_bytes(v1_file.read_bytes() + b"#")
    status, report = verify(store_path, "--only", "v1")
    assert status == 1
    assert "v1/content/robots.txt has changed since it was stored: it is robots.txt in v1" in report

    events = store_module.premis.events(store.premis_path(BASE_URL))
    assert [outcome for kind, _when, outcome in events if kind == "fixity check"] == [
        "pass",
        "fail",
        "pass",
        "fail",
    ]


def test_a_failed_addition_to_the_store_leaves_the_store_and_the_archive_as_they_were(
    demo_site, export, tmp_path, monkeypatch
):
    store_path = tmp_path / "store"
    v1, _report = freeze(export, store_path, CAPTURED_AT)
    store = SnapshotStore(store_path)
    object_dir = store.object_dir(BASE_URL)
    before = {name: (object_dir / name).read_bytes() for name in ("inventory.json", "inventory.json.sha512")}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    publish_edit(CaseStudyPage.objects.get(), title="Wellbeing at work, revisited")
    monkeypatch.setattr(pipeline, "swap_into_place", fail)  # v2 is stored, then the swap fails.
    with pytest.raises(OSError, match="disk full"):
        export("site", store=store_path, captured_at=CAPTURED_AT + DAY)
    monkeypatch.undo()

    assert {name: (object_dir / name).read_bytes() for name in before} == before
    assert sorted(path.name for path in object_dir.iterdir() if path.name.startswith("v")) == ["v1"]
    assert same_bytes(v1.with_name("site"), v1) == []
    assert ocfl.StorageRoot(root=str(store_path)).validate(check_digests=True)


def test_an_export_older_than_the_latest_version_is_refused(demo_site, export, tmp_path):
    store = tmp_path / "store"
    freeze(export, store, CAPTURED_AT)
    with pytest.raises(ExportError, match=r"not after that of v1 \(2024-04-30T17:00:00\+00:00\)"):
        export("site", store=store, captured_at=CAPTURED_AT - DAY)


def test_the_commands_list_check_out_and_map_the_versions(demo_site, export, tmp_path):
    store = tmp_path / "store"
    freeze(export, store, CAPTURED_AT)
    publish_edit(CaseStudyPage.objects.get(), title="Wellbeing at work, revisited")
    out = io.StringIO()
    call_command(
        "export_archive",
        *("--output", str(tmp_path / "site"), "--store", str(store), "--base-url", BASE_URL),
        *("--captured-at", (CAPTURED_AT + DAY).isoformat(), "--skip-gates"),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert f"Stored as v2 of {BASE_URL}/ in {store}: " in out.getvalue()
    v2 = tmp_path / "site"

    call_command("archive_store", "versions", "--store", str(store), stdout=(out := io.StringIO()))
    assert f"{BASE_URL}/ in {store}:" in out.getvalue()
    assert "  v2  captured 2024-05-01T17:00:00+00:00 by What Works Wellbeing: " in out.getvalue()
    call_command(
        "archive_store", "checkout", "v2", str(tmp_path / "v2"), "--store", str(store), stdout=io.StringIO()
    )
    assert same_bytes(tmp_path / "v2", v2) == []
    call_command("archive_store", "timemap", "--store", str(store), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "archive_store",
            "checkout",
            "v9",
            str(tmp_path / "v9"),
            "--store",
            str(store),
            stderr=io.StringIO(),
        )
    assert not os.path.exists(tmp_path / "v9")


# pywb patches the standard library with gevent on import, so it replays in a process of its own.
PYWB_REPLAY = textwrap.dedent(
    """
    import json, os, sys
    os.chdir(sys.argv[1])
    from pywb.manager.manager import main as wb_manager
    wb_manager(["init", "archive"])
    wb_manager(["add", "--unpack-wacz", "archive", *sys.argv[2].split(",")])
    from pywb.apps.frontendapp import FrontEndApp
    from werkzeug.test import Client
    client = Client(FrontEndApp())
    answers = []
    for request in sys.argv[3:]:
        response = client.get("/archive/" + request)
        answers.append({"status": response.status_code, "text": response.get_data(as_text=True)})
    print(json.dumps(answers))
    """
)


def test_pywb_replays_a_page_from_two_versions_with_their_own_contents(demo_site, export, tmp_path, settings):
    store = tmp_path / "store"
    case_study = CaseStudyPage.objects.get()
    original_title = case_study.title
    v1, _ = freeze(export, store, CAPTURED_AT, package=True)
    first_wacz = shutil.copy(v1.with_name("site.wacz"), tmp_path / "v1.wacz")
    publish_edit(case_study, title="Wellbeing at work, revisited")
    freeze(export, store, CAPTURED_AT + DAY, package=True)
    collections = tmp_path / "pywb"
    collections.mkdir()

    url = f"{BASE_URL}{case_study.url}"
    wacz_files = f"{first_wacz},{v1.with_name('site.wacz')}"
    requests = [f"20240430170000mp_/{url}", f"20240501170000mp_/{url}"]
    result = subprocess.run(
        [sys.executable, "-c", PYWB_REPLAY, str(collections), wacz_files, *requests],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    first, second = json.loads(result.stdout.splitlines()[-1])
    assert first["status"] == second["status"] == 200
    assert f"<title>{original_title} | What Works Wellbeing</title>" in first["text"]
    assert "30 April 2024, 17:00 UTC" in first["text"]
    assert "<title>Wellbeing at work, revisited | What Works Wellbeing</title>" in second["text"]
    assert "Other captures of this page" in second["text"]


def test_the_store_and_the_package_record_the_export_and_its_ingestion_in_premis(demo_site, export, tmp_path):
    store_path = tmp_path / "store"
    archive, report = export("site", store=store_path, package=True)
    store = SnapshotStore(store_path)

    for path in (store.premis_path(BASE_URL), archive.with_name("site.premis.xml")):
        kinds = [kind for kind, _when, _outcome in store_module.premis.events(path)]
        assert kinds[0] == "capture" and kinds[-1] == "ingestion end"
        assert {"validation", "message digest calculation", "packing"} <= set(kinds)
        assert store_module.premis.check_file(path) == []
    document = store_module.premis.read(store.premis_path(BASE_URL))
    namespaces = {"p": store_module.premis.NS}
    (ingestion,) = document.xpath("p:event[p:eventType='ingestion end']", namespaces=namespaces)
    detail = ingestion.findtext("p:eventDetailInformation/p:eventDetail", namespaces=namespaces)
    assert f"Added as version v1 of the OCFL object {BASE_URL}/ in the snapshot store {store_path}" in detail
    assert f"software: ocfl-py {ocfl.__version__}" in ingestion.xpath(
        "p:linkingAgentIdentifier/p:linkingAgentIdentifierValue/text()", namespaces=namespaces
    )
    assert report.store["version"] == "v1"
