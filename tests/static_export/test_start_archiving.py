"""`manage.py start_archiving`, run by `make run`: continuous publishing on (unless someone chose
already), the static copy's first update and a first snapshot queued; running it again changes nothing."""

import datetime
import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends

from static_export.models import Snapshot, StaticCopy, StaticPublishing

from .static_copy import DUMMY_TASKS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue_only(settings):
    settings.TASKS = DUMMY_TASKS


def start_archiving(django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("start_archiving", stdout=out)
    return out.getvalue()


def queued():
    """The archive's tasks queued (Wagtail queues its own too, such as search index updates)."""
    ours = {"freeze_snapshot", "update_static_copy"}
    return [result.task.name for result in task_backends["default"].results if result.task.name in ours]


def test_the_first_run_turns_publishing_on_and_queues_a_first_update_and_snapshot(
    home_page, django_capture_on_commit_callbacks
):
    said = start_archiving(django_capture_on_commit_callbacks)

    publishing = StaticPublishing.objects.get()
    assert publishing.enabled and publishing.folder_path() == django_settings.BASE_DIR / "static-site"
    snapshot = Snapshot.objects.get()
    assert snapshot.package and snapshot.gates == ["markup"]
    assert sorted(queued()) == ["freeze_snapshot", "update_static_copy"]
    assert said.splitlines() == [
        f"Continuous publishing turned on: a static copy in {publishing.folder_path()}, first update queued.",
        f"First snapshot queued (snapshot {snapshot.pk}), packaged as a bag and a WACZ.",
    ]


def test_running_it_again_queues_nothing_more(home_page, django_capture_on_commit_callbacks):
    start_archiving(django_capture_on_commit_callbacks)

    said = start_archiving(django_capture_on_commit_callbacks)

    assert sorted(queued()) == ["freeze_snapshot", "update_static_copy"]
    assert Snapshot.objects.count() == 1 and StaticPublishing.objects.count() == 1
    assert "is up to date or being updated" in said
    assert "Snapshots exist already: no first snapshot queued." in said


def test_a_choice_someone_made_is_never_overridden(home_page, tmp_path, django_capture_on_commit_callbacks):
    StaticPublishing.objects.create(enabled=False, folder=str(tmp_path / "elsewhere"))

    said = start_archiving(django_capture_on_commit_callbacks)

    publishing = StaticPublishing.objects.get()
    assert not publishing.enabled and publishing.folder == str(tmp_path / "elsewhere")
    assert queued() == ["freeze_snapshot"]
    assert "Continuous publishing is off (Settings → Static publishing): left as it was set." in said


def test_a_copy_behind_its_changes_gets_an_update(home_page, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        StaticPublishing.objects.create(enabled=True, folder=str(tmp_path / "static-site"))
    # As a failed update leaves it: content as of an earlier update, changes since, nothing queued.
    now = timezone.now()
    StaticCopy.objects.update(
        update_queued=False, content_as_of=now - datetime.timedelta(minutes=5), changed_at=now
    )
    Snapshot.objects.create()
    task_backends["default"].results.clear()

    said = start_archiving(django_capture_on_commit_callbacks)

    assert queued() == ["update_static_copy"]
    assert f"an update of the static copy in {tmp_path / 'static-site'} is queued" in said


def test_a_copy_up_to_date_is_left_alone(home_page, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        StaticPublishing.objects.create(enabled=True, folder=str(tmp_path / "static-site"))
    now = timezone.now()
    StaticCopy.objects.update(update_queued=False, content_as_of=now, changed_at=now)
    Snapshot.objects.create()
    task_backends["default"].results.clear()

    said = start_archiving(django_capture_on_commit_callbacks)

    assert queued() == []
    assert "is up to date or being updated" in said
