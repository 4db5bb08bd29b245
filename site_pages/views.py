from django.http import Http404
from django.template.response import TemplateResponse
from wagtail.models import Site


def html_sitemap(request):
    """Every live, public page of the site as an indented list: the sitemap for people."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is configured for this host.")
    pages = site.root_page.get_descendants(inclusive=True).live().public().order_by("path")
    entries = [{"page": page, "level": page.depth - site.root_page.depth} for page in pages]
    return TemplateResponse(request, "site_pages/html_sitemap.html", {"entries": entries, "title": "Sitemap"})
