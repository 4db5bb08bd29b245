"""Continuous publishing with a real `manage.py db_worker` in its own process, on the test database, as
`make run` runs it: an editor publishes, and the worker brings the static copy up to date; a burst of
publishes gives one or two updates; a worker killed mid-update leaves the copy as it was, and the next
update, by another worker, takes the dead worker's lock back and succeeds."""

import time

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import Site

from case_studies.models import CaseStudyPage
from cms.core.models import ClosureNotice
from static_export.models import StaticCopy, StaticCopyUpdate
from static_export.publishing import update_static_copy

from .static_copy import page_html, tree, turn_on

# The worker needs committed data (transactional tests); each test starts from the migrated database
# (the root page and collection), which a transactional test's flush would otherwise have removed.
# The demo site is loaded before the worker's fixture queues tasks in the database, so Wagtail's own
# (search and reference index updates, over a hundred) run as it loads rather than in the worker.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WAIT = 120  # Seconds for the worker to bring the copy up to date.


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "static-site"


def publish(page, title):
    page.title = title
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def up_to_date(folder, since=None):
    """A condition: the copy has every change made until ``since`` (or has been made at all), and no
    update is queued or running. A failed update fails the test at once, with its reason."""

    def condition():
        copy = StaticCopy.objects.filter(folder=str(folder)).first()
        if copy is None:
            return None
        assert not copy.last_failure, copy.last_failure
        done = copy.content_as_of and (since is None or copy.content_as_of >= since)
        return copy if done and not copy.update_queued and copy.running_since is None else None

    return condition


def test_publishing_a_case_study_puts_its_new_title_in_the_static_copy(
    demo_site, task_worker, folder, settings
):
    settings.STATIC_EXPORT_COALESCE_SECONDS = 0.5
    task_worker.start()
    turn_on(folder)
    task_worker.wait_for(up_to_date(folder), WAIT, "the first update")

    case_study = publish(CaseStudyPage.objects.get(), "Students and loneliness: what e-learning changed")

    task_worker.wait_for(up_to_date(folder, case_study.last_published_at), WAIT, "the update")
    assert "Students and loneliness: what e-learning changed" in page_html(folder, case_study)
    assert "Students and loneliness: what e-learning changed" in page_html(folder, case_study.get_parent())


def test_ten_quick_publishes_give_one_or_two_updates_never_ten(demo_site, task_worker, folder):
    task_worker.start()
    turn_on(folder)
    task_worker.wait_for(up_to_date(folder), WAIT, "the first update")
    first_update = StaticCopyUpdate.objects.get()

    case_study = CaseStudyPage.objects.get()
    for number in range(10):
        publish(case_study, f"Loneliness in students, take {number}")

    task_worker.wait_for(up_to_date(folder, case_study.last_published_at), WAIT, "the updates")
    task_worker.wait_for(no_update_waiting, WAIT, "the queue to empty")  # Every run there will be.
    copy = StaticCopy.objects.get(folder=str(folder))
    updates = list(copy.updates.exclude(pk=first_update.pk))
    assert 1 <= len(updates) <= 2, [update.reasons for update in updates]
    assert {reason for update in updates for reason in update.reasons} == {
        f"Page published: Loneliness in students, take {number}" for number in range(10)
    }
    assert "Loneliness in students, take 9" in page_html(folder, case_study)


def no_update_waiting():
    """No update of the static copy is queued in the database, deferred or not, or running."""
    tasks = DBTaskResult.objects.filter(task_path=update_static_copy.module_path)
    return not tasks.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()


def building_folders(folder):
    return list(folder.parent.glob(f".{folder.name}.building-*"))


def kill_mid_update(worker, folder):
    """Wait until the worker holds the copy's lock and a stage is under way in its build folder, then
    kill it. Returns whether it died before swapping the build in (so the kill hit mid-update)."""
    pid = worker.process.pid

    def under_way():
        copy = StaticCopy.objects.get(folder=str(folder))
        running = copy.updates.filter(status=StaticCopyUpdate.Status.RUNNING).exclude(stage="").exists()
        return copy.running_since and copy.worker.endswith(f":{pid}") and running

    worker.wait_for(under_way, WAIT, "an update under way")
    deadline = time.monotonic() + 5
    while not building_folders(folder) and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.kill()
    # A build folder left behind, and an update recorded as running: it died before the swap.
    unfinished = StaticCopyUpdate.objects.filter(status=StaticCopyUpdate.Status.RUNNING).exists()
    return bool(building_folders(folder)) and unfinished


def change_every_page(attempt):
    notice = ClosureNotice.for_site(Site.objects.get(is_default_site=True))
    notice.notice_text = f"This website is a static repository (notice {attempt})."
    notice.save()


def test_a_worker_killed_mid_update_leaves_the_copy_intact_and_the_next_update_recovers(
    demo_site, task_worker, folder, settings
):
    settings.STATIC_EXPORT_COALESCE_SECONDS = 0.5
    task_worker.start()
    turn_on(folder)
    task_worker.wait_for(up_to_date(folder), WAIT, "the first update")

    for attempt in range(5):  # The update takes about a second: if it finished first, try again.
        before = tree(folder)
        change_every_page(attempt)  # The notice is on every page: the update renders them all.
        if kill_mid_update(task_worker, folder):
            break
        task_worker.start()
        task_worker.wait_for(up_to_date(folder), WAIT, "the update after a late kill")
    else:
        pytest.fail("The worker was never killed mid-update.")

    assert tree(folder) == before
    copy = StaticCopy.objects.get(folder=str(folder))
    assert copy.running_since is not None  # Its lock is still held by the dead worker.

    task_worker.start()
    case_study = publish(CaseStudyPage.objects.get(), "Written after the crash")
    copy = task_worker.wait_for(up_to_date(folder, case_study.last_published_at), WAIT, "the next update")

    assert "Written after the crash" in page_html(folder, case_study)
    assert f"(notice {attempt})" in page_html(folder, case_study)
    latest, interrupted = copy.updates.all()[:2]
    assert latest.status == StaticCopyUpdate.Status.COMPLETE
    assert interrupted.status == StaticCopyUpdate.Status.FAILED
    assert interrupted.failure.startswith("Interrupted: its worker")
    assert copy.worker == "" and copy.last_failure == ""
    assert not building_folders(folder)
