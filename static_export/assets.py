"""The assets stage: copy every static file and upload the archive's files refer to, making a
stylesheet's url()s relative. A missing upload stops the export naming it and the pages using it;
an image that does not decode is made again from its original, or stops the export naming it."""

import io
import re
from pathlib import Path

import PIL.Image
from django.core.files.storage import default_storage
from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from .archive.errors import ExportError
from .archive.layout import page_file
from .inventory import describe_page


def copy_assets(archive):
    """Copy every referenced static and media file; stylesheets get relative url()s too."""
    done = set()
    while pending := sorted(set(archive.assets) - done):
        for archive_path in pending:
            kind, source = archive.assets[archive_path]
            content = read_asset(archive, archive_path, kind, source)
            if archive_path.endswith(".css"):
                archive.recording(archive_path)
                try:
                    result = archive.rewriter.rewrite_stylesheet(content.decode("utf-8"), archive_path)
                finally:
                    archive.current_refs = None
                if result.problems:
                    raise ExportError(f"{result.problems[0]}: the stylesheet needs it.")
                content = result.text.encode("utf-8")
            archive.write_bytes(archive_path, content)
            done.add(archive_path)


def read_asset(archive, archive_path, kind, source):
    """A static file's or upload's content; an image must decode, or is regenerated if it can be."""
    try:
        if kind == "static":
            content = Path(source).read_bytes()
        else:
            with default_storage.open(source, "rb") as file:
                content = file.read()
    except OSError as exc:
        raise ExportError(
            f"Could not export {describe_asset(archive_path, source)}: its file {source} could "
            f"not be read ({type(exc).__name__}: {exc.strerror or exc}). {used_by(archive, archive_path)} "
            "Upload the file again, or remove it from those pages, then export again."
        ) from exc
    if kind == "storage" and is_raster_image(archive_path) and not decodes(content):
        content = regenerated_rendition(archive, archive_path, source)
    return content


def regenerated_rendition(archive, archive_path, source):
    """A damaged rendition made again from its original image, or an ExportError naming the image."""
    renditions = get_image_model().get_rendition_model().objects
    rendition = renditions.filter(file=source).select_related("image").first()
    content = None
    if rendition is not None:
        try:
            with rendition.image.generate_rendition_file(rendition.filter) as file:
                file.seek(0)
                content = file.read()
        except Exception:  # A damaged or missing original cannot give a rendition.
            content = None
    if content is None or not decodes(content):
        raise ExportError(
            f"Could not export {describe_asset(archive_path, source)}: its file {source} is "
            f"damaged (it does not decode as an image). {used_by(archive, archive_path)} Upload the "
            "image again, then export again."
        )
    archive.warnings.append(
        f"{source}, a rendition of image {rendition.image_id} “{rendition.image.title}”, is damaged "
        "in the media storage; the archive has it made again from the original. The live site still "
        "serves the damaged file: delete it and Wagtail makes it again."
    )
    return content


def describe_asset(archive_path, source):
    if match := re.match(r"^documents/(\d+)/", archive_path):
        document = get_document_model().objects.filter(pk=match[1]).first()
        return f"document {match[1]} “{document.title if document else '?'}”"
    image = get_image_model().objects.filter(Q(file=source) | Q(renditions__file=source)).first()
    if image is not None:
        return f"image {image.pk} “{image.title}” ({archive_path})"
    return archive_path


def used_by(archive, archive_path):
    """Which exported pages use a file (in their HTML or API document), for error messages."""
    pages = {page_file(url): (url, page) for url, page in archive.page_urls.items()}
    pages.update({f"api/v2/pages/{page.pk}.json": (page.url, page) for page in archive.pages})
    users = sorted(
        {
            f"{describe_page(pages[name][1])} at {pages[name][0]}"
            for name, refs in archive.file_refs.items()
            if archive_path in refs["assets"] and name in pages
        }
    )
    if not users:
        return "No exported page uses it directly (a stylesheet or another file does)."
    more = f" and {len(users) - 5} more" if len(users) > 5 else ""
    return f"It is used by {', '.join(users[:5])}{more}."


RASTER_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".ico"}


def is_raster_image(archive_path):
    return Path(archive_path).suffix.lower() in RASTER_IMAGE_SUFFIXES


def decodes(content):
    """Whether an image file's content decodes whole (a truncated or corrupt file does not)."""
    try:
        with PIL.Image.open(io.BytesIO(content)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, PIL.Image.DecompressionBombError):
        return False
    return True
