"""Hostile uploads through the admin's own forms, single and multiple: refused with an error naming the
file, or stored and served so they cannot run."""

import io
import struct
import zlib

import PIL.Image
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

pytestmark = pytest.mark.django_db

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script></svg>'
)


def png_claiming(width, height):
    """A tiny PNG whose header claims ``width`` × ``height`` pixels: a decompression bomb's promise."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def jpeg():
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (8, 8), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def upload(client, kind, name, content):
    """POST the admin's single upload form; returns the form's errors on the file, or the object."""
    data = {"title": "An upload", "collection": Collection.get_first_root_node().pk}
    data["file"] = SimpleUploadedFile(name, content)
    response = client.post(reverse(f"wagtail{kind}:add"), data)
    if response.status_code == 302:
        model = get_image_model() if kind == "images" else get_document_model()
        return model.objects.get()
    assert response.status_code == 200
    return list(response.context["form"].errors["file"])


def upload_many(client, kind, name, content):
    """POST the admin's multiple upload (drag and drop); returns its JSON answer."""
    response = client.post(
        reverse(f"wagtail{kind}:add_multiple"), {"files[]": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("logo.svg", SVG_WITH_SCRIPT, "Not a supported image format"),
        ("logo.png", SVG_WITH_SCRIPT, "The extension does not match the file format (svg)"),
        ("bomb.png", png_claiming(20_000, 20_000), "too many pixels"),
        ("photo.png", jpeg(), "The extension does not match the file format"),
    ],
)
def test_a_hostile_image_is_refused_naming_the_file(admin_client, name, content, problem):
    errors = upload(admin_client, "images", name, content)
    assert len(errors) == 1 and errors[0].startswith(f"“{name}”: ") and problem in errors[0], errors

    answer = upload_many(admin_client, "images", name, content)
    assert answer["success"] is False
    assert answer["error_message"].startswith(f"“{name}”: ") and problem in answer["error_message"]
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("logo.svg", SVG_WITH_SCRIPT, "File extension “svg” is not allowed"),
        (
            "report.pdf",
            b"<!DOCTYPE html><script>alert(1)</script>",
            "starts with b'%PDF-', but this one looks like HTML",
        ),
        ("report.pdf", SVG_WITH_SCRIPT, "but this one looks like an SVG image"),
        (
            "minutes.docx",
            b"%PDF-1.4 a real PDF",
            "starts with b'PK\\x03\\x04', but this one looks like a PDF",
        ),
        ("budget.xlsx", b"PK\x03\x04 not really a zip", "is a whole zip archive, but this one is damaged"),
        (
            "figures.csv",
            b"MZ\x90\x00\x03\x00\x00\x00\xff\xff",
            "UTF-8 text, but this one looks like a Windows program",
        ),
        ("notes.txt", b"plain\x00text", "is text, but this one holds binary data"),
    ],
)
def test_a_document_that_lies_about_its_type_is_refused_naming_the_file(admin_client, name, content, problem):
    errors = upload(admin_client, "docs", name, content)
    assert len(errors) == 1 and errors[0].startswith(f"“{name}”: ") and problem in errors[0], errors

    answer = upload_many(admin_client, "docs", name, content)
    assert answer["success"] is False and answer["error_message"].startswith(f"“{name}”: "), answer
    assert problem in answer["error_message"]
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize("name", ["../../../../etc/evil.pdf", "..\\..\\..\\evil.pdf", "%2e%2e%2fevil.pdf"])
def test_a_file_name_that_climbs_out_of_the_media_folder_is_kept_inside_it(admin_client, media_root, name):
    document = upload(admin_client, "docs", name, b"%PDF-1.4 a real PDF")

    assert ".." not in document.file.name and document.file.name.startswith("documents/")
    stored = (media_root / document.file.name).resolve()
    assert stored.is_file() and stored.is_relative_to(media_root.resolve())
    assert [path.name for path in media_root.parent.iterdir() if path.name.startswith("evil")] == []


def test_a_text_document_holding_markup_is_served_as_text_that_cannot_run(admin_client, client):
    document = upload(admin_client, "docs", "notes.txt", b"<html><script>alert(document.cookie)</script>")

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_an_honest_document_and_image_are_accepted(admin_client):
    assert isinstance(upload(admin_client, "docs", "report.pdf", b"%PDF-1.4 real"), get_document_model())
    assert isinstance(upload(admin_client, "images", "photo.jpg", jpeg()), get_image_model())
