"""export_archive --package: a BagIt bag, a WACZ that replays, a PREMIS 3 record and a README."""

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from warcio.archiveiterator import ArchiveIterator

from case_studies.models import CaseStudyPage
from static_export.archive import package as package_module
from static_export.archive.provenance import file_digests
from static_export.exporter import ExportError

from .archive_files import files, html_files
from .conftest import BASE_URL, CAPTURED_AT

pytestmark = pytest.mark.django_db

BIN = Path(sys.executable).parent
WARC_DATE = "2024-04-30T17:00:00Z"
PREMIS = {"p": "http://www.loc.gov/premis/v3"}
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "premis-v3-0.xsd"


def premis_events(path):
    """{event type: [event element, …]} of a PREMIS file, after validating it against the schema."""
    document = etree.parse(str(path))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(document), schema.error_log
    events = {}
    for event in document.findall("p:event", PREMIS):
        events.setdefault(event.findtext("p:eventType", namespaces=PREMIS), []).append(event)
    return document, events


def agents_of(event):
    return event.xpath("p:linkingAgentIdentifier/p:linkingAgentIdentifierValue/text()", namespaces=PREMIS)


def packaged(export):
    archive, report = export("site", package=True, contact="Ann Archivist <ann@example.org>")
    return archive, report, archive.with_name("site.bag"), archive.with_name("site.wacz")


def run(*command):
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def warc_records(wacz):
    with zipfile.ZipFile(wacz) as bundle:
        (warc_name,) = [name for name in bundle.namelist() if name.startswith("archive/")]
        with bundle.open(warc_name) as warc:
            for record in ArchiveIterator(warc):
                yield record, record.content_stream().read()


def test_package_is_a_valid_bagit_bag_with_a_provenance_record_and_a_readme(demo_site, export):
    archive, report, bag, wacz = packaged(export)

    result = run(str(BIN / "bagit.py"), "--validate", str(bag))
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stderr
    assert (bag / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")
    info = (bag / "bag-info.txt").read_text()
    for line in (
        "Source-Organization: What Works Wellbeing",
        "Contact-Name: Ann Archivist",
        "Contact-Email: ann@example.org",
        f"External-Description: Static archive of {BASE_URL}/",
        "Bagging-Date: ",
        f"Payload-Oxum: {report.bytes}.{report.files}",
    ):
        assert line in info
    sha256 = (bag / "manifest-sha256.txt").read_text().splitlines()
    assert len(sha256) == report.files == len((bag / "manifest-sha512.txt").read_text().splitlines())
    assert files(bag / "data") == files(archive)
    assert (bag / "data/index.html").read_bytes() == (archive / "index.html").read_bytes()
    assert report.package["bag"] == str(bag)
    assert "package" in report.stages

    readme = (bag / "data/README.txt").read_text()
    assert f"What Works Wellbeing,\n{BASE_URL}/, captured on {CAPTURED_AT.isoformat()}" in readme
    assert "Open index.html" in readme
    assert "verify_archive" in readme and "bagit.py --validate" in readme

    document, events = premis_events(archive.with_name("site.premis.xml"))
    assert set(events) == {"capture", "validation", "message digest calculation", "packing"}
    (capture,) = events["capture"]
    assert capture.findtext("p:eventDateTime", namespaces=PREMIS) == CAPTURED_AT.isoformat()
    detail = capture.findtext("p:eventDetailInformation/p:eventDetail", namespaces=PREMIS)
    assert f"{BASE_URL}/" in detail and f"{report.files} files" in detail
    assert any(f"wagtail {report.software['wagtail']}" in agent for agent in agents_of(capture))
    assert "organization: What Works Wellbeing" in agents_of(capture)
    # Each check and gate the export ran: its tool, version and outcome.
    checks = {check["tool"]: check for check in report.checks}
    assert len(events["validation"]) == len(report.checks) >= 3
    for event in events["validation"]:
        (agent,) = agents_of(event)
        tool = next(name for name in checks if agent.startswith(f"software: {name}"))
        assert agent == f"software: {tool} {checks[tool]['version']}".rstrip()
        assert event.findtext("p:eventOutcomeInformation/p:eventOutcome", namespaces=PREMIS) == "pass"
    (packing,) = events["packing"]
    assert {agent.split(" ")[1] for agent in agents_of(packing)} == {"bagit-python", "warcio", "py-wacz"}
    digests = dict(
        zip(
            document.xpath(
                "p:object[p:originalName='site.wacz']//p:messageDigestAlgorithm/text()", namespaces=PREMIS
            ),
            document.xpath("p:object[p:originalName='site.wacz']//p:messageDigest/text()", namespaces=PREMIS),
            strict=True,
        )
    )
    assert digests == {"SHA-256": file_digests(wacz)["sha256"], "SHA-512": file_digests(wacz)["sha512"]}


def test_package_has_a_valid_wacz_of_every_file_at_its_live_url(demo_site, export):
    archive, _report, _bag, wacz = packaged(export)

    result = run(str(BIN / "wacz"), "validate", "-f", str(wacz))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout

    responses = {}
    for record, body in warc_records(wacz):
        assert record.rec_headers.protocol == "WARC/1.1"
        if record.rec_type == "response":
            assert record.rec_headers.get_header("WARC-Date") == WARC_DATE
            responses[record.rec_headers.get_header("WARC-Target-URI")] = (record, body)
    case_study = CaseStudyPage.objects.get()
    page_url = f"{BASE_URL}{case_study.url}"
    expected = {f"{BASE_URL}/{name.removesuffix('index.html')}" for name in files(archive)}
    assert set(responses) == expected
    record, body = responses[page_url]
    assert record.http_headers.get_header("Content-Type") == "text/html; charset=utf-8"
    assert body == (archive / case_study.url.strip("/") / "index.html").read_bytes()
    css = responses[f"{BASE_URL}/static/css/site.css"][0]
    assert css.http_headers.get_header("Content-Type") == "text/css; charset=utf-8"
    pdf = next(record for url, (record, _) in responses.items() if url.endswith(".pdf"))
    assert pdf.http_headers.get_header("Content-Type") == "application/pdf"

    with zipfile.ZipFile(wacz) as bundle:
        lines = bundle.read("pages/pages.jsonl").decode().splitlines()
    pages = {page["url"]: page for page in map(json.loads, lines[1:])}
    assert len(pages) == len(html_files(archive))
    assert pages[page_url]["title"] == f"{case_study.title} | What Works Wellbeing"
    assert {page["ts"] for page in pages.values()} == {WARC_DATE}


# pywb patches the standard library with gevent on import, so it replays in a process of its own.
PYWB_REPLAY = textwrap.dedent(
    """
    import json, os, sys
    os.chdir(sys.argv[1])
    from pywb.manager.manager import main as wb_manager
    wb_manager(["init", "archive"])
    wb_manager(["add", "--unpack-wacz", "archive", sys.argv[2]])
    from pywb.apps.frontendapp import FrontEndApp
    from werkzeug.test import Client
    client = Client(FrontEndApp())
    answers = []
    for url in sys.argv[3:]:
        response = client.get("/archive/20240430170000mp_/" + url)
        answers.append({"status": response.status_code, "text": response.get_data(as_text=True)})
    print(json.dumps(answers))
    """
)


def test_the_wacz_replays_in_pywb(demo_site, export, tmp_path):
    _archive, _report, _bag, wacz = packaged(export)
    case_study = CaseStudyPage.objects.get()
    collections = tmp_path / "pywb"
    collections.mkdir()

    # The case study at its live URL, and at the index.html URL the archive's own links use.
    urls = [f"{BASE_URL}{case_study.url}", f"{BASE_URL}/case-studies/index.html"]
    result = run(sys.executable, "-c", PYWB_REPLAY, str(collections), str(wacz), *urls)
    assert result.returncode == 0, result.stderr

    page, listing = json.loads(result.stdout.splitlines()[-1])
    assert page["status"] == 200
    assert f"<title>{case_study.title} | What Works Wellbeing</title>" in page["text"]
    assert listing["status"] == 200
    assert case_study.title in listing["text"]


def test_a_failed_packaging_leaves_the_previous_archive_and_package_untouched(demo_site, export, monkeypatch):
    archive, _report, bag, wacz = packaged(export)
    before = {path: path.read_bytes() for path in (wacz, bag / "bag-info.txt", archive / "index.html")}

    def fail(*args, **kwargs):
        raise ExportError("Could not build the WACZ file: disk full")

    monkeypatch.setattr(package_module, "make_wacz", fail)
    CaseStudyPage.objects.get().save_revision().publish()
    with pytest.raises(ExportError, match="disk full"):
        export("site", package=True)

    assert {path: path.read_bytes() for path in before} == before
    assert sorted(path.name for path in archive.parent.iterdir() if "site" in path.name) == [
        ".site.lock",  # The lock file stays; the kernel released its lock.
        "site",
        "site-report.json",
        "site-state.json",
        "site.bag",
        "site.premis.xml",
        "site.wacz",
    ]


def test_the_package_is_built_alongside_the_checks_and_a_failing_check_discards_it(
    demo_site, export, monkeypatch
):
    """The bag and the WACZ are built while links, privacy and gates check the build (the report
    says so); a check that fails meanwhile stops them, and the previous archive and package stay."""
    archive, report, bag, wacz = packaged(export)
    assert report.alongside == {"package": ["links", "privacy", "gates"]}
    assert set(report.stages) >= {"links", "privacy", "gates", "package"}
    before = {path: path.read_bytes() for path in (wacz, bag / "bag-info.txt", archive / "index.html")}
    started = []

    def failing_privacy_check(build):
        started.extend(build.build_dir.parent.glob(".site.packaging-*"))  # Packaging is under way.
        raise ExportError("1 signs of private content in the archive")

    monkeypatch.setattr("static_export.exporter.check_archive_privacy", failing_privacy_check)
    CaseStudyPage.objects.get().save_revision().publish()
    with pytest.raises(ExportError, match="private content"):
        export("site", package=True)

    assert started, "the package was not being built while the checks ran"
    assert {path: path.read_bytes() for path in before} == before
    assert not list(archive.parent.glob(".site.packaging-*"))
    assert not list(archive.parent.glob(".site.building-*"))
