"""The site around the demo pages: a home page at the root of the default site, and the closure notice."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from cms.core.models import ClosureNotice

from .upsert import field_values

WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


def ensure_home_and_site(model, slug, site_name, summary):
    """Make a ``model`` page the root of the default site, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    welcome_pages = list(
        root.get_children()
        .filter(content_type=ContentType.objects.get_for_model(Page), title=WAGTAIL_WELCOME_TITLE)
        .order_by("path")
    )
    home = model.objects.first()
    if home is None:
        for welcome in welcome_pages:  # free the slug for our page
            if welcome.slug == slug:
                welcome.slug = f"wagtail-welcome-{welcome.pk}"
                welcome.save(update_fields=["slug", "url_path"], clean=False)
        home = model(title=site_name, slug=slug)
        root.add_child(instance=home)
        home.save_revision().publish()
        summary.record_page(home, "created")

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=site_name
        )
    elif site.root_page_id != home.pk or site.site_name != site_name or not site.is_default_site:
        site.root_page = home
        site.site_name = site_name
        site.is_default_site = True
        site.save()

    for welcome in welcome_pages:
        if not Site.objects.filter(root_page=welcome).exists():
            summary.deleted_pages.append(WAGTAIL_WELCOME_TITLE)
            welcome.delete()
    summary.site, summary.home = site, home
    return home, site


def set_closure_notice(site, data, registry, summary):
    notice = ClosureNotice.for_site(site)
    for name, value in field_values(ClosureNotice, data, registry).items():
        setattr(notice, name, value)
    notice.full_clean()
    notice.save()
    summary.closure_notice = True
