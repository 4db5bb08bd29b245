"""Uploads through the admin: every refusal names the file, and a document must hold what its name says.

Wagtail already refuses an image in a format it does not take (SVG among them: it can carry script),
an image whose extension disagrees with its format, one too large or with too many pixels (a
decompression bomb), and a document whose extension is not in WAGTAILDOCS_EXTENSIONS; Django keeps
only the last part of a file name, so a name cannot climb out of the media folder. Wagtail does not
look inside a document: ``report.pdf`` may hold HTML, an SVG or a program, which a browser that
sniffs types, an archive's reader or an editor downloading it could take for what it is. These
base forms (WAGTAILIMAGES_IMAGE_FORM_BASE, WAGTAILDOCS_DOCUMENT_FORM_BASE) check that, and put the
file's name before every error about it, in the single upload form and the multiple upload alike.
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

# How each document type begins, and, for the zip-based ones, a member every such file has.
SIGNATURES = {
    "pdf": (b"%PDF-", None),
    "rtf": (b"{\\rtf", None),
    "docx": (b"PK\x03\x04", "[Content_Types].xml"),
    "xlsx": (b"PK\x03\x04", "[Content_Types].xml"),
    "pptx": (b"PK\x03\x04", "[Content_Types].xml"),
    "odt": (b"PK\x03\x04", "mimetype"),
}
TEXT_TYPES = {"csv", "txt"}  # Must be UTF-8 text with no NUL bytes.
# What a file that lies about its type most often is, to say so.
KNOWN_CONTENT = [
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
]


def described(content):
    """What ``content`` looks like, in words."""
    for start, kind in KNOWN_CONTENT:
        if content.startswith(start):
            return kind
    head = content[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in content[:4096].lower():
        return "an SVG image"
    if head.startswith((b"<!doctype html", b"<html", b"<script", b"<")):
        return "HTML or other markup"
    return "something else"


def content_problem(extension, content):
    """Why ``content`` is not a file of type ``extension``, or None."""
    if extension in TEXT_TYPES:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return f"a .{extension} file is UTF-8 text, but this one looks like {described(content)}"
        if b"\0" in content:
            return f"a .{extension} file is text, but this one holds binary data"
        return None
    if extension not in SIGNATURES:
        return None
    start, member = SIGNATURES[extension]
    if not content.startswith(start):
        return f"a .{extension} file starts with {start!r}, but this one looks like {described(content)}"
    if member:
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except zipfile.BadZipFile:
            return f"a .{extension} file is a whole zip archive, but this one is damaged"
        if member not in names:
            return f"a .{extension} file holds {member}, but this zip archive does not"
    return None


class NamedFileErrorsMixin:
    """Puts the uploaded file's name before each error about it, wherever the error was raised (the
    field, the model's clean(), ``check_upload``), so a refusal among many uploads says which one."""

    def _post_clean(self):
        super()._post_clean()
        upload = self.files.get(self.add_prefix("file"))
        if upload is None:
            return
        if "file" not in self._errors:
            self.check_upload(upload)
        if "file" in self._errors:
            self._errors["file"] = self.error_class(
                [f"“{upload.name}”: {message}" for message in self._errors["file"]]
            )

    def check_upload(self, upload):
        """Add an error to the file field if ``upload``, which passed Wagtail's checks, is refused."""


class ImageForm(NamedFileErrorsMixin, BaseImageForm):
    pass


class DocumentForm(NamedFileErrorsMixin, BaseDocumentForm):
    def check_upload(self, upload):
        extension = upload.name.rpartition(".")[2].lower() if "." in upload.name else ""
        upload.seek(0)
        problem = content_problem(extension, upload.read())
        upload.seek(0)
        if problem:
            self.add_error(
                "file",
                ValidationError(
                    f"It does not hold what its name says: {problem}. Upload it with the extension of "
                    "what it really is, if that is a type documents may have.",
                    code="content_does_not_match_extension",
                ),
            )
