from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from wagtail.models import Page, Site


def html_sitemap(request):
    """Every live, public page of the site as an indented list: the sitemap for people."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is configured for this host.")
    pages = site.root_page.get_descendants(inclusive=True).live().public().order_by("path")
    url = site_relative_urls(request, site)
    # One item a line, indented as in the template; joined here rather than looped over in the
    # template, which took half a second at 10,000 pages (the static copy rewrites it on each update).
    item = (
        '\n            <li class="html-sitemap__item html-sitemap__item--level-{}"><a href="{}">{}</a></li>'
        "\n        "
    )
    rows = pages.values_list("pk", "depth", "url_path", "title")  # Rows, not 10,000 Page objects.
    items = format_html_join(
        "", item, ((depth - site.root_page.depth, url(pk, path), title) for pk, depth, path, title in rows)
    )
    return TemplateResponse(request, "site_pages/html_sitemap.html", {"items": items, "title": "Sitemap"})


def site_relative_urls(request, site):
    """``(page id, url_path) -> its URL``, as ``{% pageurl %}`` gives it, worked out from the url_path
    for a page of ``site`` (Wagtail reverses its URL pattern for each page: a second for 10,000).
    A page inside another site's tree (a site nested in this one) is left to Wagtail."""
    root = site.root_page.url_path
    nested = tuple(
        other.root_page.url_path
        for other in Site.objects.exclude(pk=site.pk).select_related("root_page")
        if other.root_page.url_path.startswith(root)
    )
    serve = reverse("wagtail_serve", args=("",))

    def url(page_id, url_path):
        if nested and url_path.startswith(nested):
            return Page.objects.get(pk=page_id).get_url(request)
        path = serve + url_path[len(root) :]
        return path if getattr(settings, "WAGTAIL_APPEND_SLASH", True) or path == "/" else path.rstrip("/")

    return url
