"""The snippets and the page tree, loaded from ``people.json``, ``pages.json`` and ``site.json``.

Pages load in the order the data lists them, each under a parent listed before it. A field that points
at a page further down (the About page links to sections made after it) is left out the first time;
once every page exists, the pages that had such fields are loaded again in full.
"""

from django.apps import apps
from wagtail.models import Page

from cms.core.models import Organisation, Person

from .data import read
from .upsert import field_values, split_ready, upsert_model, upsert_page

SNIPPETS = (("organisation", Organisation, "organisations"), ("person", Person, "people"))


def load_people(registry, summary):
    """Organisations, then the people who work for them, found again by name."""
    data = read("people")
    for kind, model, key in SNIPPETS:
        for item in data[key]:
            values = field_values(model, item, registry)
            name = values.pop("name")
            registry.add(kind, name, upsert_model(model, {"name": name}, values, summary.snippets))


def load_pages(registry, summary):
    unfinished = []
    for entry in read("pages")["pages"]:
        model = apps.get_model(entry["type"])
        parent = registry.get("page", entry["parent"])
        ready, later = split_ready(model, entry["fields"], registry)
        page = upsert_page(parent, model, entry["slug"], summary, ready, entry.get("tags"))
        registry.add("page", entry["slug"], page)
        if later:
            unfinished.append((parent, model, entry))
    for parent, model, entry in unfinished:
        fields = field_values(model, entry["fields"], registry)
        upsert_page(parent, model, entry["slug"], summary, fields, entry.get("tags"))


def load_home_content(home, registry, summary):
    """The home page's own content comes last: it features pages from all over the tree."""
    entry = read("site")["home"]
    model = apps.get_model(entry["type"])
    fields = field_values(model, entry["fields"], registry)
    upsert_page(Page.get_first_root_node(), model, home.slug, summary, fields, entry.get("tags"))
