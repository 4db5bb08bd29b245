"""The sitemap for people links every live, public page exactly as ``{% pageurl %}`` would, though it
works the URLs out itself (Wagtail reverses a URL pattern per page: a second at 10,000 pages)."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from wagtail.models import Page, Site

from cms.core.demo_content import load_demo_content
from site_pages.views import html_sitemap
from tests.factories import StandardPageFactory
from tests.helpers import page_soup

pytestmark = pytest.mark.django_db


def pageurl(page, request):
    return Template("{% load wagtailcore_tags %}{% pageurl page %}").render(
        Context({"page": page, "request": request})
    )


def test_every_link_is_the_one_pageurl_gives_even_for_a_site_nested_inside_this_one():
    load_demo_content(with_closure_notice=True)
    site = Site.objects.get(is_default_site=True)
    nested_root = StandardPageFactory(parent=site.root_page, slug="partner", title="A partner's own site")
    StandardPageFactory(parent=nested_root, slug="inside", title="Inside the partner's site")
    Site.objects.create(hostname="partner.example.org", root_page=nested_root)

    request = RequestFactory().get("/sitemap/", HTTP_HOST=site.hostname)
    sitemap = page_soup(html_sitemap(request).render())

    links = [link["href"] for link in sitemap.select(".html-sitemap a")]
    pages = site.root_page.get_descendants(inclusive=True).live().public().order_by("path")
    assert links == [pageurl(page, request) for page in pages]
    assert "/partner/inside/" in links
    assert len(links) == Page.objects.live().public().filter(path__startswith=site.root_page.path).count()
