"""What the pages of one long rendering run (a static export) share, so each is not worked out again.

A live request shares nothing and computes everything afresh. An export renders thousands of pages
in a row: it hands every request one cache (``shared``), and makes the objects it loaded in bulk
findable (``known_objects``), so blocks and rich-text links find their people, images, documents
and pages without asking the database once per page.
"""

import contextlib

from django.db.models import Model

_known = {}  # model -> {pk: instance}, while an export's objects are known
_remembered = {}  # key -> value worked out once, while an export's objects are known


def shared(request, key, compute):
    """``compute()``, remembered in ``request.shared_cache`` when the caller provides one."""
    cache = getattr(request, "shared_cache", None)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


@contextlib.contextmanager
def known_objects(objects):
    """Make ``objects`` findable by ``known`` for the duration (and in processes forked meanwhile).

    A specific page is findable as its own model and as every model it inherits from (``Page``).
    """
    previous = dict(_known)
    for obj in objects:
        for model in [type(obj), *type(obj)._meta.get_parent_list()]:
            _known.setdefault(model, {})[obj.pk] = obj
    remembered_before = dict(_remembered)
    try:
        yield
    finally:
        _known.clear()
        _known.update(previous)
        _remembered.clear()
        _remembered.update(remembered_before)


def remembered(key, compute):
    """``compute()``, worked out once per export for each key while objects are known (their data
    cannot change meanwhile), and afresh every time otherwise."""
    if not _known:
        return compute()
    if key not in _remembered:
        _remembered[key] = compute()
    return _remembered[key]


def known(model, pks):
    """The instances of ``model`` among ``pks`` that are known, by pk; None if any is not."""
    objects = _known.get(model)
    if objects is None:
        return None
    found = {}
    for pk in pks:
        if pk is None:
            continue
        obj = objects.get(pk if isinstance(pk, int) else _int_or_none(pk))
        if obj is None:
            return None
        found[pk] = obj
    return found


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def prime_foreign_keys(instances):
    """Point each instance's foreign keys at known objects, so following one asks nothing."""
    for instance in instances:
        for field in instance._meta.concrete_fields:
            if not field.many_to_one or field.is_cached(instance):
                continue
            target_id = getattr(instance, field.attname)
            target = _known.get(field.related_model, {}).get(target_id) if target_id is not None else None
            if isinstance(target, Model):
                field.set_cached_value(instance, target)
