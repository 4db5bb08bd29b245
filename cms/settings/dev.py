from .base import *  # noqa: F403

DEBUG = True
# Development only: a local key so `make run` needs no set-up. Production reads it from the environment.
SECRET_KEY = "django-insecure-local-development-only"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Let whitenoise serve straight from the app folders so `collectstatic` is optional in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
