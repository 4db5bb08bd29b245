"""Browse a snapshot: its archive's files served read-only inside the admin, under the snapshot's
URL (``…/snapshots/3/browse/news/``), so the archive's relative links work as they do on disk.

A folder is served as its index.html. Nothing outside the archive is served: ``..`` is refused, and
no symbolic link is followed anywhere in the path, nor a FIFO or device opened (files.open_beneath).
Each file goes with its content type and a Content-Security-Policy that sandboxes it, so archived
HTML, whatever it holds, runs no script and submits no form with the admin's origin, and loads
nothing from anywhere but the server. (The policy is written here, not taken from the settings the
archive was made with, so a snapshot made years ago, or altered on disk since, gets it too.)
"""

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.views import View

from ..archive.files import FileSkipped, open_beneath
from ..archive.layout import content_type, is_archive
from .permissions import SnapshotMixin

# allow-same-origin lets the page's stylesheets and images be fetched with the archivist's session;
# without allow-scripts and allow-forms nothing in the page can act with it.
SANDBOX_POLICY = (
    "sandbox allow-same-origin; default-src 'self'; script-src 'none'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class BrowseView(SnapshotMixin, View):
    def get(self, request, pk, name=""):
        archive = self.snapshot.archive_path
        if not archive or not is_archive(archive):
            raise Http404("This snapshot has no archive to browse.")
        try:
            file = open_beneath(archive, name)
        except IsADirectoryError:  # "news" → "news/", so the page's relative links resolve under it.
            return HttpResponseRedirect(request.path + "/")
        except (OSError, FileSkipped):  # Not there, not allowed, or not a regular file.
            raise Http404("There is no such file in this snapshot.") from None
        served = name + "index.html" if name == "" or name.endswith("/") else name
        response = FileResponse(file, content_type=content_type(served))
        response["Content-Security-Policy"] = SANDBOX_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        response["Referrer-Policy"] = "same-origin"
        return response
