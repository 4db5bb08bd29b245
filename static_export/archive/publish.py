"""Publish an archive folder to S3 or any S3-compatible object store, behind ``publish_archive``.

Each file goes up with its content type and a cache policy; on a re-publish only files whose content
changed are uploaded (their MD5 is compared with the object's ETag, which is the MD5 of an object
uploaded in one part, as these are), and objects no longer in the archive are deleted.
Credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE...).
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from .files import all_files
from .layout import NAMED_CONTENT_TYPES, content_type, is_archive

SHORT_CACHE = "public, max-age=300"  # pages and indexes: a correction shows within minutes
MEDIUM_CACHE = "public, max-age=86400"  # images, documents, unversioned assets
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"  # a new content means a new name
# Short-cached whatever its name: the pages, and the files that list or point at other files.
SHORT_CACHE_SUFFIXES = (".html", ".json", ".xml", ".txt", ".webmanifest")
# Static files fingerprinted by ManifestStaticFilesStorage: name.<12 hex digits>.ext
FINGERPRINT_RE = re.compile(r"\.[0-9a-f]{12}\.[^./]+$")


@dataclass
class PublishSummary:
    destination: str
    uploaded: list = field(default_factory=list)
    unchanged: int = 0
    deleted: list = field(default_factory=list)
    bytes_uploaded: int = 0

    def __str__(self):
        return (
            f"Published to {self.destination}: {len(self.uploaded)} uploaded ({self.bytes_uploaded} bytes), "
            f"{self.unchanged} unchanged, {len(self.deleted)} deleted."
        )


def parse_destination(url):
    """``s3://bucket/prefix`` -> (bucket, "prefix/"); the prefix may be empty."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"The destination must look like s3://bucket/prefix, not “{url}”.")
    prefix = parsed.path.strip("/")
    return parsed.netloc, f"{prefix}/" if prefix else ""


def cache_control(path):
    name = Path(path).name
    if name.endswith(SHORT_CACHE_SUFFIXES) or name in NAMED_CONTENT_TYPES:
        return SHORT_CACHE
    if FINGERPRINT_RE.search(name):
        return IMMUTABLE_CACHE
    return MEDIUM_CACHE


def file_md5(path):
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def remote_etags(client, bucket, prefix):
    """Every object under the prefix: key -> ETag without its quotes."""
    etags = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            etags[obj["Key"]] = obj["ETag"].strip('"')
    return etags


def publish_archive(archive, destination, *, endpoint_url=None, delete=True, client=None):
    """Make s3://bucket/prefix hold exactly the archive folder's files; returns a PublishSummary."""
    archive = Path(archive)
    if not is_archive(archive):
        raise ValueError(f"{archive} is not an archive folder: it has no index.html and sitemap.xml.")
    bucket, prefix = parse_destination(destination)
    # Checksums only where S3 requires them: many S3-compatible stores reject the newer default ones.
    config = Config(
        request_checksum_calculation="when_required", response_checksum_validation="when_required"
    )
    client = client or boto3.client("s3", endpoint_url=endpoint_url, config=config)
    remote = remote_etags(client, bucket, prefix)
    summary = PublishSummary(destination=destination)

    local_keys = set()
    for name in all_files(archive):  # Never through a symbolic link: only the archive's own files.
        path = archive / name
        key = prefix + name
        local_keys.add(key)
        if remote.get(key) == file_md5(path):
            summary.unchanged += 1
            continue
        with open(path, "rb") as body:
            client.put_object(
                Bucket=bucket,
                Key=key,
                Body=body,
                ContentType=content_type(path),
                CacheControl=cache_control(path),
            )
        summary.uploaded.append(key)
        summary.bytes_uploaded += path.stat().st_size

    if delete:
        stale = sorted(set(remote) - local_keys)
        for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = stale[start : start + 1000]
            client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch]})
        summary.deleted = stale
    return summary
