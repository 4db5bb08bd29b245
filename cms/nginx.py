"""nginx in front of the site: the public pages from the static copy, everything else from Django.

``render(NginxOptions(...))`` fills deploy/nginx.conf.template from the settings, so what nginx sends
with a file of the copy is what Django would have sent with the page (its Content Security Policy,
HSTS, frame and referrer policies) and nginx redirects plain http to https exactly when Django would.
``write(options)`` puts the result and nginx's temporary folders in the run folder.
`manage.py nginx_config` is the command; scripts/serve-production.sh runs it at each start.
"""

import grp
import mimetypes
import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage

from static_export.archive.layout import CONTENT_TYPES, content_type

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf.template"
PLACEHOLDER_RE = re.compile(r"\{\{ ([A-Z_]+) \}\}")
TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
# Characters nginx would read as syntax or as a variable in a path.
UNSAFE_PATH_RE = re.compile(r'["$\\;{}\s]')
# Uploads and documents an archive may hold, besides the types the archive layout names.
MORE_EXTENSIONS = (
    "png",
    "jpg",
    "jpeg",
    "gif",
    "ico",
    "bmp",
    "tif",
    "tiff",
    "pdf",
    "zip",
    "mp3",
    "mp4",
    "webm",
)
# Wagtail serves a document with this policy, whatever the page's.
DOCUMENT_CSP = "default-src 'none'"
INDENT = " " * 12


@dataclass(frozen=True)
class NginxOptions:
    listen: str  # host:port nginx listens on, e.g. 127.0.0.1:8001
    upstream: str  # host:port of gunicorn
    copy_folder: Path  # the static copy nginx serves
    run_dir: Path  # nginx.conf, its pid file and temporary folders
    access_log: str = "off"  # a file (e.g. /dev/stdout), or "off"
    media_root: Path | None = None  # image renditions not in the copy come from here (None: Django)


def render(options):
    values = {
        "USER": user_directive(),
        "RUN_DIR": nginx_path(options.run_dir),
        "TYPES": types_block(),
        "ACCESS_LOG": "off" if options.access_log == "off" else f"{nginx_path(options.access_log)} site",
        "UPSTREAM": options.upstream,
        "HSTS": hsts_value(),
        "LISTEN": options.listen,
        "COPY_FOLDER": nginx_path(options.copy_folder),
        "HTTPS_REDIRECT": https_redirect(),
        "COPY_HEADERS": header_lines(page_headers()),
        "DOCUMENT_HEADERS": header_lines(document_headers()),
        "MEDIA_ROOT_LOCATIONS": media_root_locations(options.media_root),
        "API_LINKS": api_links(),
    }
    template = TEMPLATE.read_text()
    missing = set(PLACEHOLDER_RE.findall(template)) - set(values)
    if missing:
        raise ValueError(
            f"{TEMPLATE} names {', '.join(sorted(missing))}, which cms/nginx.py does not fill in"
        )
    return PLACEHOLDER_RE.sub(lambda match: values[match[1]], template)


def write(options):
    """Write nginx.conf into the run folder (made, with nginx's temporary folders); returns its path."""
    for folder in TEMP_FOLDERS:
        (Path(options.run_dir) / folder).mkdir(parents=True, exist_ok=True)
    path = Path(options.run_dir) / "nginx.conf"
    path.write_text(render(options))
    return path


def nginx_path(path):
    """An absolute path as nginx reads it; one nginx would take for syntax or a variable is refused."""
    text = str(path) if str(path).startswith("/dev/") else str(Path(path).resolve())
    if UNSAFE_PATH_RE.search(text):
        raise ValueError(
            f"nginx cannot be given the path {text!r}: choose one without spaces, quotes, $, ; or braces"
        )
    return text


def user_directive():
    if os.geteuid() != 0:
        return "# Its workers run as the user who starts nginx (the user directive needs root)."
    user, group = pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name
    return (
        "# Started as root: its workers run as the same user as gunicorn and the worker, to read the copy.\n"
        f"user {user} {group};"
    )


def types_block():
    """The archive's content types (without their charset: `charset` adds it) by extension."""
    extensions = {suffix.lstrip(".") for suffix in CONTENT_TYPES}
    extensions |= set(MORE_EXTENSIONS) | set(getattr(settings, "WAGTAILDOCS_EXTENSIONS", []))
    by_type = {}
    for extension in sorted(extensions):
        kind = content_type(f"file.{extension}") if f".{extension}" in CONTENT_TYPES else None
        kind = kind or mimetypes.guess_type(f"file.{extension}")[0]
        if kind:
            by_type.setdefault(kind.split(";")[0].strip(), []).append(extension)
    return "\n".join(f"        {kind} {' '.join(names)};" for kind, names in sorted(by_type.items()))


def content_security_policy():
    """The live site's policy as a header, directives in the settings' order, with Pagefind's
    WebAssembly allowed ('wasm-unsafe-eval', as the copy's own <meta> policy has it): the copy's
    search page runs it, and a header and a <meta> policy both apply."""
    parts = []
    for name, values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items():
        if not values:
            continue
        values = [] if values is True else [values] if isinstance(values, str) else list(values)
        if name == "script-src" and "'wasm-unsafe-eval'" not in values:
            values.append("'wasm-unsafe-eval'")
        parts.append(" ".join([name, *values]))
    return "; ".join(parts)


def common_headers():
    """The headers Django's middleware adds to every answer (SecurityMiddleware, X-Frame-Options)."""
    headers = {}
    if getattr(settings, "X_FRAME_OPTIONS", "DENY"):
        headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["X-Content-Type-Options"] = "nosniff"
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        headers["Referrer-Policy"] = policy if isinstance(policy, str) else ",".join(policy)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    headers["Strict-Transport-Security"] = "$hsts"  # Only over https, and only when HSTS is on.
    return headers


def page_headers():
    return {"Content-Security-Policy": content_security_policy(), **common_headers()}


def document_headers():
    return {"Content-Security-Policy": DOCUMENT_CSP, **common_headers()}


def header_lines(headers):
    for value in headers.values():
        if '"' in value or "\n" in value:
            raise ValueError(f"A header value nginx cannot be given: {value!r}")
    return "\n".join(f'{INDENT}add_header {name} "{value}" always;' for name, value in headers.items())


def hsts_value():
    if not settings.SECURE_HSTS_SECONDS:
        return ""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def https_redirect():
    if not settings.SECURE_SSL_REDIRECT:
        return "        # Off: SECURE_SSL_REDIRECT is False in these settings."
    host = settings.SECURE_SSL_HOST or "$redirect_host"
    return (
        '        if ($forwarded_proto != "https") {\n'
        f"            return 301 https://{host}$request_uri;\n"
        "        }"
    )


def media_root_locations(media_root):
    if media_root is None:
        return (
            "        # No media folder on this machine (media in S3, or left out): Django answers the rest."
        )
    images = nginx_path(Path(media_root) / "images") + "/"
    headers = header_lines(page_headers())
    return f"""        location ^~ /media/images/ {{
            error_page 404 = @django;
            try_files $uri /__media_root__$uri;
{headers}
            add_header Cache-Control "public, max-age=86400" always;
        }}
        location ^~ /__media_root__/media/images/ {{
            internal;
            alias {images};
            error_page 404 = @django;
{headers}
            add_header Cache-Control "public, max-age=86400" always;
        }}"""


def api_links():
    """The frozen API names files as paths from the copy's root; the live API gives absolute URLs."""
    origin = "$forwarded_proto://$http_host"
    lines = ["sub_filter_types application/json;", "sub_filter_once off;", "sub_filter_last_modified on;"]
    for key, folder in (
        ("detail_url", "api/"),
        ("url", "media/"),
        ("url", "documents/"),
        ("download_url", "documents/"),
    ):
        lines.append(f'sub_filter \'"{key}": "{folder}\' \'"{key}": "{origin}/{folder}\';')
    return "\n".join(INDENT + line for line in lines)


def local_media_root():
    """The media folder, when uploads are stored on this machine."""
    return Path(settings.MEDIA_ROOT) if isinstance(default_storage, FileSystemStorage) else None
