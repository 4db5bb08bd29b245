"""The signed WACZ: a CDXJ index, datapackage-digest.json and an anonymous signature ("WACZ Signing and
Verification" 0.1.0) with the organisation's key, checked by py-wacz's own `wacz validate --verify-auth`
and by verify_archive; the key made by a command, kept outside the repository."""

import gzip
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from static_export.archive import signing
from static_export.exporter import ExportError

from .conftest import BASE_URL

pytestmark = pytest.mark.django_db

BIN = Path(sys.executable).parent
PREMIS = {"p": "http://www.loc.gov/premis/v3"}


@pytest.fixture
def signing_key(tmp_path, settings):
    """The organisation's key, made by the command, where STATIC_EXPORT_SIGNING_KEY says."""
    key = tmp_path / "keys" / "wacz-signing-key.pem"
    settings.STATIC_EXPORT_SIGNING_KEY = key
    call_command("make_signing_key", stdout=io.StringIO())
    return key


def wacz_validate(wacz, *args):
    result = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(wacz), *args], capture_output=True, text=True, timeout=120
    )
    return result.returncode, result.stdout + result.stderr


def validate_with_the_organisations_key(wacz, public_key_path):
    with signing.verifier_service([signing.load_public_key(public_key_path)]) as url:
        return wacz_validate(wacz, "--verify-auth", "--verifier-url", url)


def rewrite_member(wacz, name, change):
    """A copy of the WACZ with one member's bytes changed, every other member as it was."""
    copy = wacz.with_name("changed-" + wacz.name)
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(copy, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data) if info.filename == name else data)
    return copy


def test_make_signing_key_writes_a_private_key_only_its_owner_reads_and_never_replaces_it(tmp_path, settings):
    key = tmp_path / "config" / "wacz-signing-key.pem"
    settings.STATIC_EXPORT_SIGNING_KEY = key
    call_command("make_signing_key", stdout=(out := io.StringIO()))

    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    public = signing.load_public_key(signing.public_path(key))
    assert f"Fingerprint: {signing.fingerprint(public)}" in out.getvalue()
    before = key.read_bytes()
    with pytest.raises(CommandError, match="already exists; a signing key is never replaced"):
        call_command("make_signing_key", stdout=io.StringIO())
    call_command("make_signing_key", "--if-missing", stdout=io.StringIO())
    assert key.read_bytes() == before


def test_the_wacz_has_a_cdxj_index_and_a_signed_digest_that_wacz_validate_verifies(
    demo_site, export, signing_key
):
    archive, _report = export("site", package=True)
    wacz = archive.with_name("site.wacz")
    public_key = signing.public_path(signing_key)

    with zipfile.ZipFile(wacz) as bundle:
        names = bundle.namelist()
        package = bundle.read("datapackage.json")
        digest = json.loads(bundle.read("datapackage-digest.json"))
        index = gzip.decompress(bundle.read("indexes/index.cdx.gz")).decode()
    assert {"indexes/index.cdx.gz", "indexes/index.idx", "datapackage-digest.json"} <= set(names)
    # CDXJ: a SURT key, a timestamp, then JSON naming the record's URL, digest and place in the WARC.
    key, timestamp, record = index.splitlines()[0].split(" ", 2)
    assert key.startswith("org,whatworkswellbeing)/") and timestamp == "20240430170000"
    assert {"url", "digest", "offset", "length", "filename"} <= set(json.loads(record))
    assert digest["hash"] == "sha256:" + __import__("hashlib").sha256(package).hexdigest()
    signed = digest["signedData"]
    assert signed["hash"] == digest["hash"] and signed["created"] == json.loads(package)["created"]
    assert signed["publicKey"] == signing.spki_base64(signing.load_public_key(public_key))

    status, output = validate_with_the_organisations_key(wacz, public_key)
    assert status == 0, output
    assert "Successfully verified signature" in output and "the passed WACZ is valid" in output
    status, output = wacz_validate(wacz)
    assert status == 0 and "Has signature, but auth verification skipped" in output

    # One byte changed in the WACZ and it no longer validates: in its WARC (the zip's own CRC fails),
    # or in datapackage.json with the zip made anew (the signed digest no longer matches it).
    flipped = wacz.with_name("flipped.wacz")
    content = bytearray(wacz.read_bytes())
    content[len(content) // 2] ^= 0x01
    flipped.write_bytes(bytes(content))
    status, output = validate_with_the_organisations_key(flipped, public_key)
    assert status == 1 and "Validation succeeded" not in output, output
    one_byte = rewrite_member(
        wacz, "datapackage.json", lambda data: data.replace(b'"profile"', b'"Profile"', 1)
    )
    status, output = validate_with_the_organisations_key(one_byte, public_key)
    assert status == 1, output
    assert "datapackage.json hash mismatch to datapackage-digest.json" in output
    assert "the passed WACZ is invalid" in output


def test_a_wacz_signed_by_another_key_fails_verification_against_the_organisations_key(
    demo_site, export, signing_key, tmp_path
):
    archive, _report = export("site", package=True)
    wacz = archive.with_name("site.wacz")
    signing.make_key(tmp_path / "someone-else.pem")
    other = signing.load_private_key(tmp_path / "someone-else.pem")

    def re_sign(data):
        digest = json.loads(data)
        digest["signedData"] = signing.sign(other, digest["hash"], digest["signedData"]["created"])
        return json.dumps(digest).encode()

    forged = rewrite_member(wacz, "datapackage-digest.json", re_sign)
    assert wacz_validate(forged)[0] == 0  # A valid WACZ, validly signed: but not by the organisation.
    status, output = validate_with_the_organisations_key(forged, signing.public_path(signing_key))
    assert status == 1
    assert "Signature not verified" in output

    shutil.copy(forged, wacz)
    try:
        call_command("verify_archive", str(archive), "--no-record", stdout=io.StringIO())
    except CommandError as exc:
        report = str(exc)
    else:
        report = ""
    assert "WACZ signature: 1 problems" in report
    assert "site.wacz: it was signed with the key SHA256:" in report and "not the organisation's" in report


def test_verify_archive_checks_the_signature_and_records_each_verification_in_premis(
    demo_site, export, signing_key
):
    archive, _report = export("site", package=True)
    premis_path = archive.with_name("site.premis.xml")
    document = etree.parse(str(premis_path))
    (signed,) = document.xpath("p:event[p:eventType='digital signature generation']", namespaces=PREMIS)
    public = signing.load_public_key(signing.public_path(signing_key))
    assert signing.fingerprint(public) in signed.findtext(
        "p:eventDetailInformation/p:eventDetail", namespaces=PREMIS
    )

    out = io.StringIO()
    call_command("verify_archive", str(archive), stdout=out)
    assert "WACZ signature: OK" in out.getvalue() and "PREMIS record: OK" in out.getvalue()
    assert f"site.wacz is signed by the organisation's key {signing.fingerprint(public)}" in out.getvalue()

    wacz = archive.with_name("site.wacz")
    changed = rewrite_member(
        wacz, "pages/pages.jsonl", lambda data: data.replace(b"Wellbeing", b"WellbeinG", 1)
    )
    os.replace(changed, wacz)
    with pytest.raises(
        CommandError, match="site.wacz: pages/pages.jsonl in it does not match datapackage.json"
    ):
        call_command("verify_archive", str(archive), stdout=io.StringIO())

    outcomes = document_outcomes(premis_path, "fixity check")
    assert outcomes == ["pass", "fail"]
    schema = etree.XMLSchema(
        etree.parse(str(Path(__file__).resolve().parents[2] / "schemas/premis-v3-0.xsd"))
    )
    assert schema.validate(etree.parse(str(premis_path))), schema.error_log

    text = premis_path.read_text()  # Well-formed XML, but not PREMIS: an element the schema does not have.
    premis_path.write_text(
        text.replace("<eventType", "<eventKind", 1).replace("</eventType>", "</eventKind>", 1)
    )
    with pytest.raises(CommandError, match=r"PREMIS record: 1 problems\n  site.premis.xml: line \d+: "):
        call_command("verify_archive", str(archive), "--no-record", stdout=io.StringIO())


def document_outcomes(path, event_type):
    document = etree.parse(str(path))
    return document.xpath(
        f"p:event[p:eventType='{event_type}']/p:eventOutcomeInformation/p:eventOutcome/text()",
        namespaces=PREMIS,
    )


def test_an_export_without_a_key_packs_an_unsigned_wacz_and_says_so(demo_site, export, tmp_path, settings):
    settings.STATIC_EXPORT_SIGNING_KEY = tmp_path / "nowhere.pem"
    archive, report = export("site", package=True)
    assert any(
        f"there is no signing key at {tmp_path / 'nowhere.pem'}" in warning for warning in report.warnings
    )
    with zipfile.ZipFile(archive.with_name("site.wacz")) as bundle:
        assert "signedData" not in json.loads(bundle.read("datapackage-digest.json"))

    (tmp_path / "nowhere.pem").write_text("not a key")
    with pytest.raises(ExportError, match=f"Cannot read the signing key {tmp_path / 'nowhere.pem'}"):
        export("site", package=True)
    assert BASE_URL  # The previous package stays (see test_package for the swap).
