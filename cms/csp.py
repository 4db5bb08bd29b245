"""One Content Security Policy for the public site, a relaxed one for the admin screens."""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import default_config
from django.conf import settings


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with CONTENT_SECURITY_POLICY_ADMIN under CSP_ADMIN_PATH_PREFIXES.

    Wagtail's admin uses inline scripts and styles; the public pages keep the strict policy.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES))
        ):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts
