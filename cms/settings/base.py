"""Settings shared by every environment. Environment modules override only what differs."""

import os
import warnings
from pathlib import Path

import dj_database_url

# django-bakery's `fs` dependency imports pkg_resources (hence setuptools<82); its warning is noise.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "cms.core",
    "site_pages",
    "resources",
    "case_studies",
    "search",
    "static_export",
    "wagtailbakery",
    "bakery",
    "wagtail.api.v2",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "rest_framework",
    "modelcluster",
    "taggit",
    "django_filters",
    "csp",
    "axes",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Straight after SecurityMiddleware, as whitenoise documents.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Control characters and noncharacters, which no valid HTML holds, left out of every page.
    "cms.core.text.ForbiddenCharactersMiddleware",
    "cms.csp.CSPMiddleware",
    # Last, as django-axes documents: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login first and refuses it while the account and address are locked out.
# AxesBackend (not the standalone one) so force_login() in tests, which uses the first backend, works;
# client.login() cannot work with axes (no request): tests log in with force_login.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite by default so a fresh clone needs no set-up; DATABASE_URL selects anything else.
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=600)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the task worker (`manage.py db_worker`) write to the one SQLite file. A
    # transaction that reads before it writes cannot wait for the other's lock and fails at once with
    # "database is locked"; one that takes the write lock as it begins (IMMEDIATE) waits its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"

MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Complex page types can exceed Django's default of 1,000 fields per form in the editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work (Wagtail's reference index, freezing and verifying snapshots, updating the static
# copy) is queued in the database and run by `manage.py db_worker`, which `make run` and
# `make serve-production` start beside the web server (Procfile, Procfile.production). README.md says
# how to move the same tasks to a multi-machine queue.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "static-copy", "search"]}
}

# Each snapshot frozen from the admin is written to a sub-folder of this one (static_export/models.py).
STATIC_EXPORT_SNAPSHOTS_DIR = BASE_DIR / "snapshots"
# The snapshot store: an OCFL storage root with one object per site, each freeze a version
# (static_export/archive/store.py). `export_archive --store` and `make archive` add to it. Outside
# the tracked files (.gitignore) unless the environment names another place.
STATIC_EXPORT_STORE = Path(os.environ.get("STATIC_EXPORT_STORE") or BASE_DIR / "store")
# The organisation's private key for signing each WACZ (manage.py make_signing_key creates it). It is
# a secret: kept outside the repository, in the user's configuration folder unless the environment
# names another file. An export with no key there packages an unsigned WACZ and says so.
STATIC_EXPORT_SIGNING_KEY = Path(
    os.environ.get("STATIC_EXPORT_SIGNING_KEY")
    or Path.home() / ".config" / "wellbeing" / "wacz-signing-key.pem"
)
# Where the store's versions are published side by side (v1/, v2/, … and timemap.link), e.g.
# https://archive.example.org/versions/: each archived page then links its other captures there.
STATIC_EXPORT_VERSIONS_URL = os.environ.get("STATIC_EXPORT_VERSIONS_URL", "")

# Continuous publishing of a static copy (static_export/publishing.py). Changes within this many seconds
# of the first join one update (and more join it while an update runs); a lock on a copy whose
# heartbeat is older than this was left by a worker that crashed (one on this machine is recovered as
# soon as its process is gone); and the quality gates each update runs on what it wrote, all three,
# with vnu and Chromium kept warm in the publisher worker (static_export/archive/warm.py).
STATIC_EXPORT_COALESCE_SECONDS = 0.2
STATIC_EXPORT_STALE_LOCK_SECONDS = 300
STATIC_EXPORT_UPDATE_GATES = ("markup", "html", "accessibility")

WAGTAIL_SITE_NAME = "What Works Wellbeing"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Every refused upload is named, and a document must hold what its extension says (cms/core/uploads.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.core.uploads.ImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.core.uploads.DocumentForm"
# No Gravatar and no new-release check: the admin makes no requests to third parties (its CSP allows none).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Admin login throttling: five failed attempts for one username from one address lock both out for
# an hour (a lockout by address alone would lock out a whole office behind one proxy).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Content Security Policy (django-csp). The public site runs no script and no inline style; JSON-LD
# is a data block, which script-src does not govern. Wagtail's admin needs inline scripts and styles,
# so cms.csp.CSPMiddleware gives paths under CSP_ADMIN_PATH_PREFIXES the relaxed policy below.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSP_ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],  # the page editor's live preview
    }
}

# Stock wagtail-bakery (`manage.py build`), kept for comparison; archives use `export_archive`.
BUILD_DIR = BASE_DIR / "build"
BAKERY_VIEWS = ("wagtailbakery.views.AllPublishedPagesView",)

# The export's quality gates (static_export/gates.py) run these npm packages: `make npm` installs them.
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_CORE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
