"""What every HTML page of an archive gets besides its content: the live site's CSP in a <meta> (an
archive has no server to send the header), its capture date and original URL as metadata, and a
notice in place of each form that needed the live site."""

import re
from xml.sax.saxutils import escape

from django.conf import settings

from cms.core.text import without_forbidden_characters

from .archive.errors import ExportError
from .archive.layout import page_title

SERVER_FORM_RE = re.compile(
    r"<form\b(?![^>]*\bdata-archive-keep\b)[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL
)
UNAVAILABLE_NOTICE = (
    '<p class="archive-unavailable" role="note">This feature needed the live website '
    "and is not available in the archive.</p>"
)

# The archive has no server to send the live site's CSP header, so each page carries it in a <meta>,
# which must come before anything it governs: straight after <meta charset>. A <meta> policy ignores
# these directives (they work only as headers).
CHARSET_META_RE = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
META_CSP_IGNORES = {"frame-ancestors", "report-uri", "report-to", "sandbox"}


def archive_csp():
    """The live site's Content Security Policy as a <meta> element for the archive's pages."""
    policy = escape(archive_policy(), {chr(34): "&quot;"})
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


def archive_policy():
    """The live site's Content Security Policy as the archive's pages carry it: without the
    directives a <meta> ignores, and with Pagefind's WebAssembly allowed.

    Pagefind's search runs WebAssembly, which script-src 'self' alone forbids: 'wasm-unsafe-eval'
    allows compiling it (not JavaScript's eval). Directives keep the settings' order, so every
    export writes the same bytes.
    """
    parts = []
    for name, values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items():
        if name in META_CSP_IGNORES or not values:
            continue
        values = [] if values is True else [values] if isinstance(values, str) else list(values)
        if name == "script-src":
            values.append("'wasm-unsafe-eval'")
        parts.append(" ".join([name, *values]))
    return "; ".join(parts)


def archived_html(html, url, original_url, captured_at, notice=None):
    """A page's HTML as the archive keeps it (before its links are made relative).

    ``notice``: (Captures, archive path) to end the body with the page's capture notice (when and by
    whom it was captured, its other captures, how to cite it: archive/memento.py).
    """
    html = without_forbidden_characters(html)  # Rendered without the site's middleware, which drops them
    charset = CHARSET_META_RE.search(html)
    if charset is None:
        raise ExportError(f"The page at {url} has no <meta charset> to put the archive's CSP after.")
    html = html[: charset.end()] + "\n" + archive_csp() + html[charset.end() :]
    html = SERVER_FORM_RE.sub(UNAVAILABLE_NOTICE, html)
    provenance = (
        f'<meta name="dcterms.created" content="{captured_at.isoformat()}">\n'
        f'<meta name="dcterms.source" content="{escape(original_url, {chr(34): "&quot;"})}">\n'
    )
    html = html.replace("</head>", provenance + "</head>", 1)
    if notice is not None:
        captures, archive_path = notice
        aside = captures.notice(archive_path, url, original_url, page_title(html))
        html = html.replace("</body>", aside + "</body>", 1)
    return html
