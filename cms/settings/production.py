"""Production settings: every secret and host comes from the environment.

Required: SECRET_KEY, ALLOWED_HOSTS (comma-separated). Optional: DATABASE_URL (read in base.py),
WAGTAILADMIN_BASE_URL, CSRF_TRUSTED_ORIGINS, SECURE_HSTS_SECONDS, AWS_STORAGE_BUCKET_NAME (media on S3)
with AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_S3_CUSTOM_DOMAIN, AWS_LOCATION, and
AXES_IPWARE_PROXY_COUNT when behind proxies that set X-Forwarded-For.
DJANGO_TASK_WORKER=1 (the task worker's process only) turns off the HTTPS redirect there.
DJANGO_INSECURE_LOCAL_HTTP=1 turns off the HTTPS-only settings for a run on http://127.0.0.1 (only
`make serve-production` sets it; never set it on a real server).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def require_env(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = False
SECRET_KEY = require_env("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in require_env("ALLOWED_HOSTS").split(",") if host.strip()]
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS only. The TLS-terminating proxy in front of gunicorn sends X-Forwarded-Proto; gunicorn trusts
# it from --forwarded-allow-ips (loopback by default) and tells Django the request was secure.
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

if os.environ.get("DJANGO_INSECURE_LOCAL_HTTP") == "1":
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False

# The number of proxies in front of gunicorn that append to X-Forwarded-For: 1 for nginx alone
# (scripts/serve-production.sh), 2 with a TLS terminator before it. Login throttling then counts
# failures by the visitor's address (cms/client_ip.py), not the proxy's.
if os.environ.get("AXES_IPWARE_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_IPWARE_PROXY_COUNT"])
    AXES_CLIENT_IP_CALLABLE = "cms.client_ip.client_ip"

# The task worker answers no browser: it renders pages for the static copy and snapshots in its own
# process, through Django's test client over plain http, which the HTTPS redirect would answer with
# a 301. Procfile.production starts it with DJANGO_TASK_WORKER=1. The web server keeps the redirect.
if os.environ.get("DJANGO_TASK_WORKER") == "1":
    SECURE_SSL_REDIRECT = False

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Media (images, documents) on local disk under MEDIA_ROOT, or in S3 when a bucket is named.
# Credentials come from the usual AWS environment variables or instance role, never from settings.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "media")
    AWS_DEFAULT_ACL = None  # the bucket's own policy decides who can read (media is public)
    AWS_QUERYSTRING_AUTH = False  # plain URLs: pages are cached, signed URLs would expire
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    # Images then come from the bucket (or its CDN domain), so the CSP must allow that origin.
    if AWS_S3_CUSTOM_DOMAIN:
        media_origins = [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    elif AWS_S3_ENDPOINT_URL:
        media_origins = [AWS_S3_ENDPOINT_URL.rstrip("/")]
    else:
        media_origins = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if AWS_S3_REGION_NAME:
            media_origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com")
    for policy in (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_ADMIN):  # noqa: F405
        policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"]["img-src"], *media_origins]

# Errors and warnings to stderr, where gunicorn and the service manager collect them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
