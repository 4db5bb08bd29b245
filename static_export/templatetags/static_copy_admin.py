"""``{% static_copy_page_status page %}``: whether the static copy has a page's latest published version,
as a line of the page editor's status side panel (admin/static_copy.py)."""

from django import template

from ..admin.static_copy import page_copy_status

register = template.Library()


@register.inclusion_tag("static_export/admin/page_status.html")
def static_copy_page_status(page):
    return {"status": page_copy_status(page)}
