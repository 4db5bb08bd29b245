"""Tags for the page chrome: site name, main menu, footer links, breadcrumbs, canonical URL, JSON-LD."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from cms.core.shared import shared
from cms.core.structured_data import page_structured_data

register = template.Library()

# The same escapes Django's json_script uses, so no value can close the <script> element early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist, self.key = nodelist, key

    def render(self, context):
        key = ("fragment", *(part.resolve(context) for part in self.key))
        return shared(key, lambda: self.nodelist.render(context))


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "name" value… %}…{% endshared_fragment %}``: the enclosed markup, rendered
    once per export for each distinct name and values (see ``shared``); a live request renders it.

    For markup that thousands of exported pages repeat: the site footer, the closure notice, a case
    study's card on every listing that shows it. The name and values must cover everything the
    markup shows.
    """
    key = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, key)


def _current_site(request):
    return Site.find_for_request(request) if request is not None else None


@register.simple_tag(takes_context=True)
def site_chrome(context):
    """The site name, home page, menu items and About page, worked out once per request.

    The home page's live children come from a single query; the menu and the footer both use them.
    """
    request = context.get("request")
    cached = getattr(request, "_site_chrome", None)
    if cached is not None:
        return cached

    site = _current_site(request)
    home = site.root_page if site else None
    children = shared(
        "home_children",
        lambda: (
            [(child, child.get_url(request)) for child in home.get_children().live().public()] if home else []
        ),
    )
    current = context.get("page")
    current_path = getattr(current, "path", "")

    menu = []
    for child, url in children:
        if not child.show_in_menus:
            continue
        if current_path == child.path:
            state = "page"
        elif current_path.startswith(child.path):
            state = "true"
        else:
            state = ""
        menu.append({"title": child.title, "url": url, "current": state})

    about_url = next((url for child, url in children if child.slug.startswith("about")), "")
    chrome = {
        "site_name": (site.site_name if site and site.site_name else settings.WAGTAIL_SITE_NAME),
        "home_url": home.get_url(request) if home else "/",
        "home_id": home.pk if home else None,
        "menu": menu,
        "menu_key": tuple(item["current"] for item in menu),  # What tells one page's menu from another's.
        "about_url": about_url,
    }
    if request is not None:
        request._site_chrome = chrome
    return chrome


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context, page):
    """Ancestors of ``page`` from the home page down to its parent, as (title, url) pairs."""
    request = context.get("request")
    site = _current_site(request)
    if not site or not isinstance(page, Page) or page.pk == site.root_page_id:
        return []
    home_depth = site.root_page.depth
    # Siblings share their ancestors, so an export working through thousands of pages asks once per parent.
    parent_path = page.path[: -page.steplen]
    return shared(("breadcrumbs", parent_path), lambda: trail_to(page, home_depth, request))


def trail_to(page, home_depth, request):
    """Only live ancestors: a live page may sit below a draft (or one unpublished or scheduled), whose
    title and address are not public."""
    trail = []
    for ancestor in page.get_ancestors().filter(depth__gte=home_depth).live():
        title = "Home" if ancestor.depth == home_depth else ancestor.title
        trail.append({"title": title, "url": ancestor.get_url(request)})
    return trail


def canonical_url(page, request):
    """The page's full URL; on a routable sub-route (``page/2/``, ``topic/x/``) the full URL of that route."""
    site_id, root_url, page_path = page.get_url_parts(request) or (None, "", "")
    full_url = page.full_url or ""
    if request is not None and page_path and request.path.startswith(page_path):
        remainder = request.path[len(page_path) :]
        if remainder:
            return full_url + remainder
    return full_url


@register.simple_tag(takes_context=True, name="canonical_url")
def canonical_url_tag(context, page):
    return canonical_url(page, context.get("request"))


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """Prefix a root-relative URL (an image rendition, say) with the current site's address."""
    if not url.startswith("/"):
        return url
    site = _current_site(context.get("request"))
    root = site.root_url if site else settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/") + url


@register.simple_tag(takes_context=True)
def social_image_url(context, page):
    """Full URL of the page's 1200×630 sharing image, or an empty string; worked out once per page."""
    if not getattr(page, "social_image_id", None):
        return ""
    if not hasattr(page, "_social_image_url"):
        rendition = page.social_image.get_rendition("fill-1200x630")
        page._social_image_url = absolute_url(context, rendition.url)
    return page._social_image_url


@register.simple_tag(takes_context=True)
def structured_data(context, page):
    """The page's schema.org description as a JSON-LD script element."""
    request = context.get("request")
    chrome = site_chrome(context)
    data = page_structured_data(
        page,
        url=canonical_url(page, request),
        site_name=chrome["site_name"],
        site_url=_current_site(request).root_url if request is not None else "",
        image_url=social_image_url(context, page),
    )
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')
