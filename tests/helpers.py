"""Small helpers for reading pages the way a visitor does and for posting admin forms."""

import re

from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data


def page_text(response):
    """The visible text of an HTML response, with whitespace collapsed."""
    soup = BeautifulSoup(response.content, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    return re.sub(r"\s+", " ", soup.get_text(" ", strip=True))


def page_soup(response):
    return BeautifulSoup(response.content, "html.parser")


def hrefs(response):
    return [link["href"] for link in page_soup(response).find_all("a", href=True)]


def date_formats(date):
    """The ways a template may reasonably print a date for readers."""
    return {
        f"{date.day} {date:%B %Y}",
        f"{date.day} {date:%b %Y}",
        f"{date:%B} {date.day}, {date.year}",
        f"{date:%b} {date.day}, {date.year}",
        f"{date:%d %B %Y}",
    }


def shows_date(text, date):
    return any(variant in text for variant in date_formats(date))


def list_block(values):
    """Form data for a ListBlock, the same shape as a StreamField's."""
    data = {
        str(index): {"value": value, "deleted": "", "order": str(index)} for index, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def add_page_url(page_model, parent):
    return reverse(
        "wagtailadmin_pages:add", args=[page_model._meta.app_label, page_model._meta.model_name, parent.pk]
    )


def post_new_page(client, page_model, parent, fields, *, multi_valued=None):
    """POST the admin 'add page' form and ask to publish. ``multi_valued`` holds many-to-many lists."""
    data = nested_form_data(fields)
    data.update(multi_valued or {})
    data["action-publish"] = "action-publish"
    return client.post(add_page_url(page_model, parent), data)


def stream_block_errors(form, field_name):
    """Errors on a StreamField's struct blocks, as ``{block index: {child block name: [messages]}}``."""
    stream_error = form.errors[field_name].as_data()[0].as_json_data()
    return {
        index: {name: error["messages"] for name, error in block_error["blockErrors"].items()}
        for index, block_error in stream_error["blockErrors"].items()
    }


def queries_to_render(client, url):
    """How many database queries a visitor's request makes, once caches such as site root paths are warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(queries)
