"""A snapshot's package to download: the WACZ, the provenance record, and the bag as one tar file.

The tar is written as it is sent, a header and a chunk of a file at a time, so neither the bag nor
any one file of it is ever held in memory or written to disk. Its files are those the archive layer
lists (symbolic links and other entries that are not regular files are left out, never followed),
each opened with O_NOFOLLOW.
"""

import os
import tarfile

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.views import View

from ..archive.files import FileSkipped, open_regular, walk_archive
from ..archive.layout import package_paths
from .permissions import SnapshotMixin

# kind: (label, what it is), in the order the snapshot's page lists them.
DOWNLOADS = {
    "wacz": ("WACZ web archive", "The pages as a web archive, for replay tools such as ReplayWeb.page."),
    "provenance": (
        "Provenance record",
        "Who captured what, when and with which software, and every check since (PREMIS 3 XML).",
    ),
    "bag": ("BagIt bag (.tar)", "The archive with a checksum of every file, as one tar file."),
}
CONTENT_TYPES = {"wacz": "application/wacz", "provenance": "application/xml"}
CHUNK_BYTES = 1024 * 1024
BLOCK = tarfile.BLOCKSIZE


class DownloadView(SnapshotMixin, View):
    def get(self, request, pk, kind):
        if kind not in DOWNLOADS or not self.snapshot.archive_path:
            raise Http404("No such download.")
        path = package_paths(self.snapshot.archive_path)[kind]
        if kind == "bag":
            if not path.is_dir() or path.is_symlink():
                raise Http404("This snapshot has no bag.")
            response = StreamingHttpResponse(
                tar_stream(path, f"snapshot-{pk}.bag"), content_type="application/x-tar"
            )
            response["Content-Disposition"] = f'attachment; filename="snapshot-{pk}.bag.tar"'
            return response
        try:
            file = open_regular(path.parent, path.name)
        except (FileNotFoundError, FileSkipped):
            raise Http404(f"This snapshot has no {DOWNLOADS[kind][0]}.") from None
        suffix = "".join(path.suffixes)
        return FileResponse(
            file, as_attachment=True, filename=f"snapshot-{pk}{suffix}", content_type=CONTENT_TYPES[kind]
        )


def tar_stream(folder, prefix):
    """The regular files under ``folder`` as a tar archive (POSIX pax), yielded a piece at a time,
    each file inside a folder named ``prefix``."""
    written = 0
    for name in walk_archive(folder)[0]:
        for piece in tar_member(folder, name, f"{prefix}/{name}"):
            written += len(piece)
            yield piece
    end = 2 * BLOCK  # Two empty blocks end a tar archive; tarfile pads it to whole records.
    end += -(written + end) % tarfile.RECORDSIZE
    yield bytes(end)


def tar_member(folder, name, member_name):
    """One file's tar header, its content a chunk at a time, and the padding to a whole block."""
    try:
        file = open_regular(folder, name)
    except (FileNotFoundError, FileSkipped):  # Gone, or replaced by a link, since it was listed.
        return
    with file:
        stat = os.fstat(file.fileno())
        info = tarfile.TarInfo(member_name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
        yield info.tobuf(tarfile.PAX_FORMAT, encoding="utf-8", errors="surrogateescape")
        remaining = info.size
        while remaining:
            chunk = file.read(min(CHUNK_BYTES, remaining)) or bytes(min(CHUNK_BYTES, remaining))
            remaining -= len(chunk)  # A file that shrank meanwhile is padded to its listed size.
            yield chunk
    if info.size % BLOCK:
        yield bytes(BLOCK - info.size % BLOCK)
