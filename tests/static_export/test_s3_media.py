"""With media on S3 the pages name images and documents by the bucket's absolute URLs: the archive
still holds every one of them, links to them relatively, and never points back at the bucket.

The bucket is moto in server mode on 127.0.0.1 (see the ``moto_s3`` fixture), reached through
django-storages' S3Storage exactly as production configures it (cms/settings/production.py).
"""

import pytest
from django.core.files.storage import default_storage
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from cms.core.demo_content import load_demo_content
from site_pages.models import NewsIndexPage
from static_export.archive.checks import check_links, check_private
from tests.factories import (
    DocumentFactory,
    ImageFactory,
    NewsReleasePageFactory,
    _block,
    document_link,
    paragraph,
)

from .archive_files import files, soup

pytestmark = pytest.mark.django_db

MEDIA_BUCKET = "media-bucket"


@pytest.fixture
def s3_media(moto_s3, settings):
    """Media (images, renditions, documents) in a bucket on the loopback S3 endpoint, as production
    stores them when AWS_STORAGE_BUCKET_NAME is set; returns (endpoint, client, the bucket's media URL)."""
    endpoint, client = moto_s3
    client.create_bucket(Bucket=MEDIA_BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": MEDIA_BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    media_url = f"{endpoint}/{MEDIA_BUCKET}/media/"
    assert default_storage.url("images/x.png") == media_url + "images/x.png"  # Absolute bucket URLs.
    return endpoint, client, media_url


def stored(client, name):
    return client.get_object(Bucket=MEDIA_BUCKET, Key=f"media/{name}")["Body"].read()


@pytest.mark.parametrize("serve_method", [None, "direct"], ids=["served-documents", "direct-documents"])
def test_an_export_with_media_on_s3_holds_every_image_and_document_and_never_points_at_the_bucket(
    s3_media, settings, export, serve_method
):
    endpoint, client, media_url = s3_media
    if serve_method:  # Document links are then the bucket's URLs too, not /documents/<id>/<name>.
        settings.WAGTAILDOCS_SERVE_METHOD = serve_method
    load_demo_content(with_closure_notice=True)
    board = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(collection=board, restriction_type="login")
    private = DocumentFactory(
        collection=board,
        title="Closed minutes",
        file__filename="closed-minutes.pdf",
        file__data=b"%PDF PRIVATE",
    )
    report_pdf = DocumentFactory(
        title="Annual report", file__filename="annual-report.pdf", file__data=b"%PDF-1.4 S3-REPORT"
    )
    photo = ImageFactory(title="Photo on S3", file__filename="photo-on-s3.jpg")
    release = NewsReleasePageFactory(
        parent=NewsIndexPage.objects.get(),
        title="Release with media on S3",
        body=[
            _block("image", {"image": photo.pk, "alt_text": "A photo", "caption": "On S3"}),
            document_link(report_pdf),
            document_link(private),
            # Links pasted from the bucket, as an editor copying a file's address would.
            paragraph(
                f'<p><a href="{report_pdf.file.url}">Pasted report</a> '
                f'<a href="{private.file.url}">Pasted minutes</a></p>'
            ),
        ],
    )

    archive, report = export()

    host = endpoint.split("//")[1].encode()
    mentions = [name for name in files(archive) if host in (archive / name).read_bytes()]
    assert mentions == [], "archive files still point at the media bucket"
    assert check_links(archive, media_urls=[media_url]) == []
    assert check_private(archive) == []
    # Every rendition the pages and the API use is a copy of the bucket's file, under media/ as
    # with local storage.
    renditions = get_image_model().get_rendition_model().objects.all()
    assert renditions.filter(image=photo).exists()
    for rendition in renditions:
        assert (archive / "media" / rendition.file.name).read_bytes() == stored(client, rendition.file.name)
    assert report.images == len(renditions)
    # Every public document at documents/<id>/<filename>, as today; the private one nowhere.
    page = soup(archive, "news/release-with-media-on-s3/index.html")
    links = {a.get_text(strip=True): a.get("href") for a in page.find_all("a")}
    expected = f"../../documents/{report_pdf.pk}/annual-report.pdf"
    assert links["Pasted report"] == expected
    assert expected in {a["href"] for a in page.select(".document-link a")}
    assert links["Pasted minutes"] is None  # Unlinked: a private document is never copied.
    assert (archive / f"documents/{report_pdf.pk}/annual-report.pdf").read_bytes() == b"%PDF-1.4 S3-REPORT"
    for document in type(report_pdf).objects.exclude(pk=private.pk):
        assert (archive / f"documents/{document.pk}/{document.filename}").read_bytes() == stored(
            client, document.file.name
        )
    assert not any(name.startswith(f"documents/{private.pk}/") for name in files(archive))
    assert not any(b"%PDF PRIVATE" in (archive / name).read_bytes() for name in files(archive))
    assert f"api/v2/pages/{release.pk}.json" in files(archive)


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_link_check_flags_any_reference_left_pointing_at_the_media_storage(tmp_path):
    bucket = "https://media-bucket.s3.eu-west-2.amazonaws.com/media/"
    write(tmp_path, "media/images/kept.png", "a copy in the archive")
    write(
        tmp_path,
        "index.html",
        f'<meta property="og:image" content="{bucket}images/social.png">'
        f'<img src="media/images/kept.png" srcset="{bucket}images/wide.png 2x" alt="">'
        f'<a href="{bucket}documents/report.pdf">Report</a> <a href="https://example.org/">Elsewhere</a>',
    )
    write(tmp_path, "api/v2/pages/3.json", f'{{"image": {{"url": "{bucket}images/api.png"}}}}')
    write(tmp_path, "static/site.css", f"body {{ background: url({bucket}images/bg.png) }}")

    problems = check_links(tmp_path, media_urls=[bucket])

    assert {(problem.file, problem.url) for problem in problems} == {
        ("index.html", f"{bucket}images/social.png"),
        ("index.html", f"{bucket}images/wide.png"),
        ("index.html", f"{bucket}documents/report.pdf"),
        ("api/v2/pages/3.json", f"{bucket}images/api.png"),
        ("static/site.css", f"{bucket}images/bg.png"),
    }
    assert all("points at the media storage outside the archive" in str(problem) for problem in problems)
    # Without the storage's URL (verify_archive, years later) they are external links, as before.
    assert check_links(tmp_path) == []
