from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from wagtail.models import Site


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
    levels = ((page.depth - site.root_page.depth, url(page), page.title) for page in pages)
    items = format_html_join("", item, levels)
    return TemplateResponse(request, "site_pages/html_sitemap.html", {"items": items, "title": "Sitemap"})


def site_relative_urls(request, site):
    """``page -> its URL``, as ``{% pageurl %}`` gives it, worked out from the page's ``url_path``
    for a page of ``site`` (Wagtail reverses its URL pattern for each page: a second for 10,000).
    A page inside another site's tree (a site nested in this one) is left to Wagtail."""
    root = site.root_page.url_path
    nested = tuple(
        other.root_page.url_path
        for other in Site.objects.exclude(pk=site.pk).select_related("root_page")
        if other.root_page.url_path.startswith(root)
    )
    serve = reverse("wagtail_serve", args=("",))

    def url(page):
        if nested and page.url_path.startswith(nested):
            return page.get_url(request)
        path = serve + page.url_path[len(root) :]
        return path if getattr(settings, "WAGTAIL_APPEND_SLASH", True) or path == "/" else path.rstrip("/")

    return url
