"""The demo's image and document, drawn and written by the loader from ``media.json``: no binaries in git.

Each is found again by its title and, once there, left alone. With the same Pillow, the bytes are the same.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from .data import read


def draw_illustration(width, height, heading, credit):
    """A simple landscape illustration: people linked together, one apart, and a line reaching out."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    canvas = PILImage.new("RGB", (width, height), "#e8f1f2")
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, height - 170, width, height], fill="#005eb8")

    group = [(380, 330), (560, 250), (720, 380), (520, 480), (300, 520), (700, 560)]
    for index, (x1, y1) in enumerate(group):
        for x2, y2 in group[index + 1 :]:
            draw.line([x1, y1, x2, y2], fill="#7fa7c9", width=6)
    colours = ["#ffb81c", "#41b6e6", "#ae2573", "#009639", "#ed8b00", "#330072"]
    for (x, y), colour in zip(group, colours, strict=True):
        _person(draw, x, y, colour)

    alone = (1250, 430)
    (x1, y1), (x2, y2) = (790, 410), (alone[0] - 70, alone[1] - 10)
    dashes = 10  # a dashed line reaching out to the person on their own
    for step in range(dashes):
        start, end = step / dashes, (step + 0.55) / dashes
        draw.line(
            [x1 + (x2 - x1) * start, y1 + (y2 - y1) * start, x1 + (x2 - x1) * end, y1 + (y2 - y1) * end],
            fill="#425563",
            width=6,
        )
    _person(draw, *alone, "#768692")

    def font(size):
        try:
            return ImageFont.load_default(size=size)
        except (TypeError, OSError):  # Pillow built without FreeType
            return ImageFont.load_default()

    draw.text((80, height - 140), heading, fill="white", font=font(72))
    draw.text((80, height - 55), credit, fill="#e8f1f2", font=font(36))

    output = io.BytesIO()
    canvas.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _person(draw, x, y, colour):
    draw.ellipse([x - 32, y - 100, x + 32, y - 36], fill=colour)  # head
    draw.rounded_rectangle([x - 50, y - 28, x + 50, y + 80], radius=40, fill=colour)  # body


def _pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(title, paragraphs):
    """A small, valid one-page PDF (Helvetica, A4) written by hand: no PDF library needed."""
    commands = [
        "BT",
        "/F1 18 Tf",
        "22 TL",
        "60 780 Td",
        f"({_pdf_text(title)}) Tj",
        "T*",
        "/F1 11 Tf",
        "15 TL",
    ]
    for lines in paragraphs:
        commands.append("T*")
        commands += [f"({_pdf_text(line)}) Tj T*" for line in lines]
    commands.append("ET")
    content = "\n".join(commands).encode("latin-1")

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(output)


def ensure_image(data, summary):
    def drawing():
        return ImageFile(io.BytesIO(draw_illustration(**data["drawing"])), name=data["file_name"])

    return _ensure(get_image_model(), data, summary, drawing, "_set_image_file_metadata")


def ensure_document(data, summary):
    def pdf():
        return ContentFile(build_pdf(data["title"], data["pdf"]["paragraphs"]), name=data["file_name"])

    return _ensure(get_document_model(), data, summary, pdf, "_set_document_file_metadata")


def _ensure(model, data, summary, make_file, set_metadata):
    """The image or document titled ``data["title"]``, created from ``make_file()`` if there is none
    (``set_metadata``: the model's method recording the file's size, hash and dimensions)."""
    found = model.objects.filter(title=data["title"]).order_by("pk").first()
    if found:
        summary.media["unchanged"] += 1
        return found
    item = model(title=data["title"], collection=Collection.get_first_root_node(), file=make_file())
    getattr(item, set_metadata)()
    item.save()
    summary.media["created"] += 1
    return item


def load_media(registry, summary):
    """Images first, then documents, each under the key the page data uses for it."""
    media = read("media")
    for data in media["images"]:
        registry.add("image", data["key"], ensure_image(data, summary))
    for data in media["documents"]:
        registry.add("document", data["key"], ensure_document(data, summary))
