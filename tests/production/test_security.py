"""What an attacker, a visitor and an editor meet: the CSP header, login throttling, upload limits."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def test_public_pages_get_the_strict_content_security_policy(client, home_page):
    policy = directives(client.get("/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]


def test_only_the_admin_allows_inline_scripts_and_styles(client, home_page):
    admin_policy = directives(client.get("/admin/login/"))
    sitemap_policy = directives(client.get("/sitemap/"))

    assert admin_policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert admin_policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert admin_policy["object-src"] == ["'none'"]
    assert sitemap_policy["script-src"] == ["'self'"]


def test_the_html_sitemap_has_no_inline_styles(client, home_page):
    response = client.get("/sitemap/")

    assert response.status_code == 200
    assert b"style=" not in response.content


def log_in(client, username, password):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def test_five_bad_passwords_lock_the_account_out_even_with_the_right_one(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "the-right-password")

    for _ in range(4):
        response = log_in(client, "editor", "wrong")
        assert response.status_code == 200
        assert "Your username and password didn't match" in page_text(response)
    locked = log_in(client, "editor", "wrong")
    after = log_in(client, "editor", "the-right-password")

    assert locked.status_code == 429
    assert after.status_code == 429
    assert "too many login attempts" in after.content.decode()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302  # still not logged in


def test_a_lockout_is_for_that_username_only(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "the-right-password")
    django_user_model.objects.create_superuser("other", "other@example.org", "other-password")
    for _ in range(5):
        log_in(client, "editor", "wrong")

    response = log_in(client, "other", "other-password")

    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_document_with_a_disallowed_extension_is_refused(admin_client):
    upload = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")

    response = admin_client.post(reverse("wagtaildocs:add"), {"title": "Installer", "file": upload})

    assert response.status_code == 200
    assert "File extension “exe” is not allowed." in page_text(response)
    assert "Allowed extensions are: csv, docx, odt, pdf, pptx, rtf, txt, xlsx." in page_text(response)
    assert not get_document_model().objects.filter(title="Installer").exists()


def png(width, height, noise=False):
    if noise:
        image = PILImage.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = PILImage.new("RGB", (width, height), "white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def test_an_image_over_10_mb_is_refused(admin_client):
    data = png(2000, 1900, noise=True)  # random pixels do not compress: about 11 MB
    assert len(data) > 10 * 1024 * 1024
    upload = SimpleUploadedFile("huge.png", data, content_type="image/png")

    response = admin_client.post(reverse("wagtailimages:add"), {"title": "Huge", "file": upload})

    assert response.status_code == 200
    assert "This file is too big" in page_text(response)
    assert "Maximum filesize 10.0 MB" in page_text(response)
    assert not get_image_model().objects.filter(title="Huge").exists()


def test_an_image_over_40_megapixels_is_refused(admin_client):
    upload = SimpleUploadedFile("wide.png", png(8000, 6000), content_type="image/png")  # small file, 48 Mpx

    response = admin_client.post(reverse("wagtailimages:add"), {"title": "Wide", "file": upload})

    assert response.status_code == 200
    assert "This file has too many pixels (48000000). Maximum pixels 40000000." in page_text(response)
    assert not get_image_model().objects.filter(title="Wide").exists()
