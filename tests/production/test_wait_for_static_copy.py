"""`manage.py wait_for_static_copy` (make loadtest waits with it before measuring nginx): it returns
once the copy holds every change made so far, and stops with the reason when the copy cannot be."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from static_export.models import StaticCopy, StaticPublishing


@pytest.fixture
def copy(db, tmp_path):
    folder = tmp_path / "static-site"
    setting = StaticPublishing.objects.create(folder=str(folder))
    StaticPublishing.objects.filter(pk=setting.pk).update(enabled=True)  # Without queueing an update.
    return StaticCopy.objects.create(folder=str(folder))


def wait(**options):
    call_command("wait_for_static_copy", timeout=options.pop("timeout", 0), **options)


def test_an_up_to_date_copy_is_ready(copy, tmp_path, capsys):
    (tmp_path / "static-site").mkdir()
    (tmp_path / "static-site" / "index.html").write_text("<!DOCTYPE html>")
    now = timezone.now()
    StaticCopy.objects.filter(pk=copy.pk).update(changed_at=now, content_as_of=now)

    wait()

    assert "holds the content as of" in capsys.readouterr().out


def test_a_copy_behind_the_content_is_waited_for(copy):
    now = timezone.now()
    StaticCopy.objects.filter(pk=copy.pk).update(
        changed_at=now, content_as_of=now - datetime.timedelta(minutes=1), update_queued=True
    )

    with pytest.raises(CommandError, match="Gave up after 0 s: waiting: the copy in .* is being updated"):
        wait()


def test_a_failed_update_stops_the_wait_with_its_reason(copy):
    StaticCopy.objects.filter(pk=copy.pk).update(changed_at=timezone.now(), last_failure="The disk is full")

    with pytest.raises(CommandError, match="last update failed: The disk is full"):
        wait(timeout=60)


def test_publishing_turned_off_is_no_copy_to_wait_for(copy):
    StaticPublishing.objects.update(enabled=False)

    with pytest.raises(CommandError, match="continuous publishing is off"):
        wait(timeout=60)
