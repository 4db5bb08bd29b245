"""One render session: what the pages of one long rendering run (a static export) share.

A live request has no session and works everything out afresh, exactly as stock Wagtail does. An
export opens one (``render_session``) for its stages: pages, their blocks and rich-text links find
the objects it loaded in bulk (``known_objects``, ``known``), and what every page would work out again
(a page's URL, menus, breadcrumbs, listings, repeated markup) is worked out once (``shared``).

The session is held in a context variable, so it belongs to the thread that opened it (and to the
processes it forks to render pages): a request served by another thread meanwhile never sees it.
This is the one home of the export's caches; nothing here outlives the session.
"""

import contextlib
import contextvars
from dataclasses import dataclass, field

from django.db.models import Model

_session = contextvars.ContextVar("render_session", default=None)


@dataclass
class RenderSession:
    known: dict = field(default_factory=dict)  # model -> {pk: instance}, loaded in bulk
    values: dict = field(default_factory=dict)  # key -> a value worked out once


@contextlib.contextmanager
def render_session():
    """Open a session for the rendering done meanwhile in this thread; within one, keep that one."""
    session = _session.get()
    if session is not None:
        yield session
        return
    token = _session.set(RenderSession())
    try:
        yield _session.get()
    finally:
        _session.reset(token)


def in_render_session():
    return _session.get() is not None


def shared(key, compute):
    """``compute()``, worked out once per render session for each key (its data cannot change
    meanwhile), and afresh every time outside one."""
    session = _session.get()
    if session is None:
        return compute()
    if key not in session.values:
        session.values[key] = compute()
    return session.values[key]


@contextlib.contextmanager
def known_objects(objects):
    """Make ``objects`` findable by ``known`` for the duration (and in processes forked meanwhile),
    in a render session (opened for the duration if none is).

    A specific page is findable as its own model and as every model it inherits from (``Page``).
    """
    with render_session() as session:
        previous = session.known
        session.known = {model: dict(found) for model, found in previous.items()}
        for obj in objects:
            for model in [type(obj), *type(obj)._meta.get_parent_list()]:
                session.known.setdefault(model, {})[obj.pk] = obj
        try:
            yield
        finally:
            session.known = previous


def known(model, pks):
    """The instances of ``model`` among ``pks`` that are known, by pk; None if any is not."""
    session = _session.get()
    objects = session.known.get(model) if session else None
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
    session = _session.get()
    known_by_model = session.known if session else {}
    for instance in instances:
        for field_ in instance._meta.concrete_fields:
            if not field_.many_to_one or field_.is_cached(instance):
                continue
            target_id = getattr(instance, field_.attname)
            target = (
                known_by_model.get(field_.related_model, {}).get(target_id) if target_id is not None else None
            )
            if isinstance(target, Model):
                field_.set_cached_value(instance, target)
