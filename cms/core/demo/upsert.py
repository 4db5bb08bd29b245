"""Create or update one object from its data, changing (and republishing) only what differs."""

import json

from wagtail.fields import StreamField

from .data import NotLoadedYet

# Fields that change on every save or publish, or that belong to the tree rather than the content.
_VOLATILE_KEYS = {
    "pk",
    "id",
    "path",
    "depth",
    "numchild",
    "url_path",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "latest_revision",
    "live_revision",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by",
    "owner",
    "expired",
}


def field_value(model, name, value, registry):
    """The Python value for ``model.name`` from its data: references resolved, dates parsed."""
    field = model._meta.get_field(name)
    if isinstance(field, StreamField):
        return registry.resolve_ids(value)
    if field.one_to_many:  # a page's inline children (learning outcomes, quotes, downloads…)
        return [
            field.related_model(**{key: registry.resolve(item) for key, item in child.items()})
            for child in value
        ]
    if field.is_relation:
        return registry.resolve(value)
    return field.to_python(registry.resolve(value))


def field_values(model, data, registry):
    return {name: field_value(model, name, value, registry) for name, value in data.items()}


def split_ready(model, data, registry):
    """The fields that can be set now, and the names of those that point at pages not loaded yet."""
    ready, later = {}, []
    for name, value in data.items():
        try:
            ready[name] = field_value(model, name, value, registry)
        except NotLoadedYet:
            later.append(name)
    return ready, later


def _normalise(data):
    if isinstance(data, str) and data.startswith("[{"):
        # A StreamField's JSON: PostgreSQL's jsonb returns its keys in another order than they were saved.
        try:
            return _normalise(json.loads(data))
        except ValueError:
            return data
    if isinstance(data, dict):
        return {key: _normalise(value) for key, value in data.items() if key not in _VOLATILE_KEYS}
    if isinstance(data, list):
        return [_normalise(value) for value in data]
    return data


def _content_state(page):
    return _normalise(page.serializable_data())


def _apply(page, fields, tags=None):
    for name, value in fields.items():
        setattr(page, name, value)
    if tags is not None:
        page.topics.set(tags)


def upsert_page(parent, model, slug, summary, fields, tags=None):
    """Create the page under ``parent`` or update the one with this slug; publish only if it changed."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is None:
        page = model(slug=slug)
        _apply(page, fields, tags)
        parent.add_child(instance=page)
        page.save_revision().publish()
        summary.record_page(page, "created")
        return page

    page = existing.specific
    if not isinstance(page, model):
        raise ValueError(
            f"{existing.url_path} is a {type(page).__name__}, expected {model.__name__}: "
            "move or rename it, then load the demo content again."
        )
    before = _content_state(page)
    _apply(page, fields, tags)
    if _content_state(page) != before or not page.live or page.has_unpublished_changes:
        page.save_revision().publish()
        summary.record_page(page, "updated")
    else:
        summary.record_page(page, "unchanged")
    return page


def upsert_model(model, lookup, values, counter):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        counter["created"] += 1
    elif any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        counter["updated"] += 1
    else:
        counter["unchanged"] += 1
    return obj
