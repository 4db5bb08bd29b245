"""Helpers for the tests of continuous publishing: turning it on, and reading the static copy."""

from pathlib import Path

from django_tasks import task_backends

from static_export.archive.layout import page_file
from static_export.models import StaticCopy, StaticPublishing

from .archive_files import files
from .conftest import BASE_URL

DUMMY_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "static-copy", "search"],
    }
}


def turn_on(folder, **fields):
    """Continuous publishing on, to ``folder``, as an administrator saving the setting would."""
    fields.setdefault("base_url", BASE_URL)
    return StaticPublishing.objects.create(enabled=True, folder=str(folder), **fields)


def the_copy(folder):
    return StaticCopy.objects.get(folder=str(folder))


def page_html(folder, page):
    return (Path(folder) / page_file(page.url)).read_text(encoding="utf-8")


def tree(folder):
    """Every file of the static copy with its bytes."""
    return {name: (Path(folder) / name).read_bytes() for name in files(folder)}


def queued_tasks():
    """The updates of the static copy queued on the dummy backend (DUMMY_TASKS), as (task name, args,
    seconds deferred). (Wagtail queues tasks of its own, such as search index updates.)"""
    return [
        (result.task.name, result.args, deferred(result.task.run_after, result.enqueued_at))
        for result in task_backends["default"].results
        if result.task.name == "update_static_copy"
    ]


def deferred(run_after, enqueued_at):
    return round((run_after - enqueued_at).total_seconds(), 1) if run_after else 0
