"""One update at a time per static copy: the lock in the copy's row, taken by one conditional UPDATE,
and taken back from a worker that crashed (at once on this machine, after its heartbeat goes stale on
another)."""

import datetime
import subprocess

import pytest
from django.utils import timezone

from static_export.copy_lock import CopyLock, holder_crashed, this_worker
from static_export.models import StaticCopy

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(tmp_path):
    return StaticCopy.objects.create(folder=str(tmp_path / "static-site"))


def held_by(copy, worker, heartbeat_age=0):
    now = timezone.now()
    StaticCopy.objects.filter(pk=copy.pk).update(
        running_since=now - datetime.timedelta(seconds=heartbeat_age + 1),
        heartbeat_at=now - datetime.timedelta(seconds=heartbeat_age),
        worker=worker,
    )
    copy.refresh_from_db()
    return copy


def a_process_that_has_ended():
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_one_worker_at_a_time_holds_the_lock_and_releases_it(copy):
    first, second = CopyLock(copy.pk), CopyLock(copy.pk)

    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()

    copy.refresh_from_db()
    assert copy.worker == this_worker() and copy.running_since is not None


def test_a_lock_held_by_a_live_process_is_kept_however_old(copy, settings):
    with subprocess.Popen(["sleep", "30"]) as sleeper:
        try:
            held_by(copy, f"{this_worker().rpartition(':')[0]}:{sleeper.pid}", heartbeat_age=10)
            assert not holder_crashed(copy)
            assert not CopyLock(copy.pk).acquire()
        finally:
            sleeper.kill()


def test_a_lock_whose_process_on_this_machine_is_gone_is_taken_back_at_once(copy):
    dead = f"{this_worker().rpartition(':')[0]}:{a_process_that_has_ended()}"
    held_by(copy, dead)
    assert holder_crashed(copy)

    lock = CopyLock(copy.pk)
    assert lock.acquire()

    assert lock.recovered_from == dead
    copy.refresh_from_db()
    assert copy.worker == this_worker()


def test_a_lock_held_on_another_machine_is_taken_back_once_its_heartbeat_is_stale(copy, settings):
    settings.STATIC_EXPORT_STALE_LOCK_SECONDS = 60
    held_by(copy, "another-machine:4242", heartbeat_age=30)
    assert not holder_crashed(copy)
    assert not CopyLock(copy.pk).acquire()

    held_by(copy, "another-machine:4242", heartbeat_age=90)
    assert holder_crashed(copy)
    lock = CopyLock(copy.pk)
    assert lock.acquire() and lock.recovered_from == "another-machine:4242"


def test_an_update_whose_lock_was_taken_over_knows_it_and_leaves_the_new_holders_lock(copy):
    lock = CopyLock(copy.pk)
    assert lock.acquire() and lock.beat()
    held_by(copy, "another-machine:4242")  # As a worker that thought this one had crashed.

    assert not lock.beat() and lock.lost
    lock.release()

    copy.refresh_from_db()
    assert copy.worker == "another-machine:4242"
