"""An operator publishes the archive to an S3-compatible store and re-publishes after a change.

The store is moto in server mode on 127.0.0.1: a real HTTP S3 endpoint, spoken to by boto3 exactly
as a real bucket would be.
"""

import io

import pytest
from django.core.management import CommandError, call_command

BUCKET = "archive-bucket"


@pytest.fixture
def s3(moto_s3):
    """A fresh S3 endpoint on loopback with an empty bucket; yields (endpoint_url, client)."""
    endpoint, client = moto_s3
    client.create_bucket(Bucket=BUCKET)
    return endpoint, client


def publish(endpoint, archive, *extra):
    out = io.StringIO()
    call_command(
        "publish_archive", "--to", f"s3://{BUCKET}/site", "--archive", str(archive),
        "--endpoint-url", endpoint, *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def headers(client, key):
    return client.head_object(Bucket=BUCKET, Key=key)


@pytest.fixture
def small_archive(tmp_path):
    archive = tmp_path / "archive"
    files = {
        "index.html": "<!DOCTYPE html><title>Home</title>",
        "news/index.html": "<!DOCTYPE html><title>News</title>",
        "static/css/site.css": "body { color: black; }",
        "static/css/site.0123456789ab.css": "body { color: black; }",
        "media/images/photo.width-800.jpg": "\xff\xd8 not really a jpeg",
        "api/v2/pages/3.json": '{"id": 3}',
        "sitemap.xml": "<urlset/>",
        "feeds/news.xml": "<rss/>",
        "_redirects": "/old/ /new/ 301",
        "site.webmanifest": "{}",
        "archive.wacz": "PK",
    }
    for name, text in files.items():
        (archive / name).parent.mkdir(parents=True, exist_ok=True)
        (archive / name).write_text(text)
    return archive


def test_publish_sets_content_types_and_cache_headers(s3, small_archive):
    endpoint, client = s3

    output = publish(endpoint, small_archive)

    assert "11 uploaded" in output and "0 unchanged" in output and "0 deleted" in output
    immutable = "public, max-age=31536000, immutable"
    expected = {
        "index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "news/index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "api/v2/pages/3.json": ("application/json", "public, max-age=300"),
        "sitemap.xml": ("application/xml; charset=utf-8", "public, max-age=300"),
        "_redirects": ("text/plain; charset=utf-8", "public, max-age=300"),
        "site.webmanifest": ("application/manifest+json", "public, max-age=300"),
        "static/css/site.css": ("text/css; charset=utf-8", "public, max-age=86400"),
        "static/css/site.0123456789ab.css": ("text/css; charset=utf-8", immutable),
        "media/images/photo.width-800.jpg": ("image/jpeg", "public, max-age=86400"),
        "archive.wacz": ("application/wacz", "public, max-age=86400"),
    }
    for name, (content_type, cache) in expected.items():
        head = headers(client, f"site/{name}")
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache), name
    body = client.get_object(Bucket=BUCKET, Key="site/index.html")["Body"].read()
    assert body == b"<!DOCTYPE html><title>Home</title>"


def test_republish_uploads_only_what_changed_and_removes_what_is_gone(s3, small_archive):
    endpoint, client = s3
    client.put_object(Bucket=BUCKET, Key="elsewhere/keep.txt", Body=b"not ours")
    publish(endpoint, small_archive)

    (small_archive / "news/index.html").write_text("<!DOCTYPE html><title>News, corrected</title>")
    (small_archive / "feeds/news.xml").unlink()
    output = publish(endpoint, small_archive, "--verbosity", "2")

    assert "Uploaded site/news/index.html" in output
    assert "1 uploaded" in output and "9 unchanged" in output and "1 deleted" in output
    assert "Deleted site/feeds/news.xml" in output
    body = client.get_object(Bucket=BUCKET, Key="site/news/index.html")["Body"].read()
    assert b"News, corrected" in body
    keys = {obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "site/feeds/news.xml" not in keys
    assert "elsewhere/keep.txt" in keys  # outside the prefix: never touched

    assert "0 uploaded" in publish(endpoint, small_archive)


def test_keep_deleted_leaves_old_objects(s3, small_archive):
    endpoint, client = s3
    publish(endpoint, small_archive)
    (small_archive / "news/index.html").unlink()

    output = publish(endpoint, small_archive, "--keep-deleted")

    assert "0 deleted" in output
    kept = headers(client, "site/news/index.html")
    assert kept["ContentLength"] == len("<!DOCTYPE html><title>News</title>")


@pytest.mark.django_db
def test_the_exported_demo_archive_publishes_whole(s3, demo_site, export):
    endpoint, client = s3
    archive, report = export()

    output = publish(endpoint, archive)

    files = [p for p in archive.rglob("*") if p.is_file()]
    assert f"{len(files)} uploaded" in output
    keys = {obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET, MaxKeys=1000)["Contents"]}
    assert keys == {"site/" + p.relative_to(archive).as_posix() for p in files}
    assert headers(client, "site/case-studies/index.html")["ContentType"] == "text/html; charset=utf-8"
    assert headers(client, "site/feeds/news.xml")["ContentType"] == "application/xml; charset=utf-8"


def test_a_folder_that_is_not_an_archive_is_refused(s3, tmp_path):
    endpoint, _ = s3
    with pytest.raises(CommandError, match="not an archive folder"):
        publish(endpoint, tmp_path)


def test_a_destination_that_is_not_s3_is_refused(s3, small_archive):
    with pytest.raises(CommandError, match=r"s3://bucket/prefix"):
        call_command("publish_archive", "--to", "/tmp/elsewhere", "--archive", str(small_archive))
