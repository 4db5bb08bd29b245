"""Continuous publishing: each change to what the site shows queues one update of the static copy (and a
burst queues one), the update brings the copy up to date or records why it could not, and the copy is
never damaged. Here tasks run in-process (the immediate backend) or are only queued (the dummy backend);
test_static_publishing_worker.py runs them in a real worker."""

import datetime
import io
import time

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction, Site

from case_studies.models import CaseStudyPage
from cms.core.models import ClosureNotice, Organisation, Person
from resources.models import LearningProgrammePage, ProgrammeDownload
from site_pages.models import NewsReleasePage, StandardPage
from static_export.archive.layout import page_file
from static_export.copy_lock import CopyLock
from static_export.models import StaticCopy, StaticCopyUpdate, StaticPublishing
from static_export.publishing import enqueue, request_update, retry, update_static_copy
from tests.factories import (
    CaseStudyIndexPageFactory,
    CaseStudyPageFactory,
    DocumentFactory,
    ImageFactory,
    NewsIndexPageFactory,
    NewsReleasePageFactory,
    StandardPageFactory,
)

from .static_copy import DUMMY_TASKS, page_html, queued_tasks, the_copy, tree, turn_on

pytestmark = pytest.mark.django_db

COALESCE = settings.STATIC_EXPORT_COALESCE_SECONDS  # The delay of an update after the first change.


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "static-site"


@pytest.fixture
def queue_only(settings):
    """Tasks are queued and not run (django-tasks' dummy backend), so a test sees what was queued."""
    settings.TASKS = DUMMY_TASKS


@pytest.fixture
def content(home_page):
    """One of each thing the static copy shows, quicker to make than the demo site."""
    CaseStudyPageFactory(parent=CaseStudyIndexPageFactory(parent=home_page))
    StandardPageFactory(parent=home_page, slug="about")
    StandardPageFactory(parent=home_page, slug="about-this-archive")
    NewsReleasePageFactory(parent=NewsIndexPageFactory(parent=home_page))
    ImageFactory()
    DocumentFactory()


@pytest.fixture
def publishing_on(content, folder, queue_only):
    """Continuous publishing on, with nothing queued yet."""
    publishing = turn_on(folder)
    StaticCopy.objects.update(update_queued=False, reasons=[])
    return publishing


def publish(page, title):
    page.title = title
    page.save_revision().publish()
    return page


def test_with_publishing_off_a_change_costs_one_query_and_queues_nothing(
    content, queue_only, django_capture_on_commit_callbacks
):
    with CaptureQueriesContext(connection) as queries:
        assert request_update("Page published: Home") is False
    assert len(queries) == 1

    with django_capture_on_commit_callbacks(execute=True):
        publish(CaseStudyPage.objects.get(), "A new title")

    assert queued_tasks() == []
    assert not StaticCopy.objects.exists()
    assert not StaticPublishing.objects.exists()  # Asking never creates the setting, off or on.


def publish_a_page():
    publish(CaseStudyPage.objects.get(), "A new title")


def unpublish_a_page():
    NewsReleasePage.objects.get().unpublish()


def move_a_page():
    StandardPage.objects.get(slug="about-this-archive").move(
        StandardPage.objects.get(slug="about"), pos="last-child"
    )


def delete_a_page():
    NewsReleasePage.objects.get().delete()


def save(model):
    def change():
        model.objects.first().save()

    return change


def delete(model):
    def change():
        model.objects.first().delete()

    return change


def add_a_redirect():
    Redirect.objects.create(old_path="/old-news", redirect_link="/news/")


def save_a_site_setting():
    ClosureNotice.for_site(Site.objects.get(is_default_site=True)).save()


def make_a_page_private():
    PageViewRestriction.objects.create(page=NewsReleasePage.objects.get(), restriction_type="login")


def make_a_collection_private():
    root = Collection.get_first_root_node()
    CollectionViewRestriction.objects.create(collection=root, restriction_type="login")


@pytest.mark.parametrize(
    "change, reason",
    [
        (publish_a_page, "Page published: A new title"),
        (unpublish_a_page, "Page unpublished: "),
        (move_a_page, "Page moved: "),
        (delete_a_page, "Page deleted: "),
        (save(Person), "Person saved: "),
        (delete(Person), "Person deleted: "),
        (save(Organisation), "Organisation saved: "),
        (delete(Organisation), "Organisation deleted: "),
        (save(get_image_model()), "Image saved: "),
        (delete(get_image_model()), "Image deleted: "),
        (save(get_document_model()), "Document saved: "),
        (delete(get_document_model()), "Document deleted: "),
        (add_a_redirect, "Redirect saved: "),
        (delete(Redirect), "Redirect deleted: "),
        (save(Site), "Site saved: "),
        (save_a_site_setting, "Setting saved: Closure notice"),
        (save(StaticPublishing), "Setting saved: Static publishing"),
        (make_a_page_private, "Privacy changed: Page view restrictions"),
        (make_a_collection_private, "Privacy changed: Collection view restrictions"),
    ],
)
def test_each_kind_of_change_queues_one_update_a_few_seconds_later(
    publishing_on, folder, django_capture_on_commit_callbacks, change, reason
):
    if change.__qualname__.startswith("delete") and "Redirect" in reason:
        add_a_redirect()
        StaticCopy.objects.update(update_queued=False, reasons=[])

    with django_capture_on_commit_callbacks(execute=True):
        change()

    copy = the_copy(folder)
    assert queued_tasks() == [("update_static_copy", [copy.pk], COALESCE)]
    assert copy.update_queued
    assert any(recorded.startswith(reason) for recorded in copy.reasons), copy.reasons


def test_a_burst_of_changes_queues_one_update_with_every_reason(
    publishing_on, folder, django_capture_on_commit_callbacks
):
    case_study = CaseStudyPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(10):
            publish(case_study, f"Title {number}")
        Person.objects.first().save()

    copy = the_copy(folder)
    assert queued_tasks() == [("update_static_copy", [copy.pk], COALESCE)]
    assert copy.reasons[:2] == ["Page published: Title 0", "Page published: Title 1"]
    assert copy.reasons[-1].startswith("Person saved: ")


def test_turning_publishing_on_queues_the_first_update_and_off_queues_nothing(
    content, folder, queue_only, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publishing = turn_on(folder)
    assert queued_tasks() == [("update_static_copy", [the_copy(folder).pk], COALESCE)]

    StaticCopy.objects.update(update_queued=False)
    publishing.enabled = False
    with django_capture_on_commit_callbacks(execute=True):
        publishing.save()
    assert len(queued_tasks()) == 1


def test_an_update_brings_the_copy_up_to_date_and_records_what_it_did(
    demo_site, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder)
    case_study = CaseStudyPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        publish(case_study, "Students and loneliness: what we learned")

    copy = the_copy(folder)
    assert "Students and loneliness: what we learned" in page_html(folder, case_study)
    first, second = reversed(copy.updates.all())
    assert first.status == second.status == StaticCopyUpdate.Status.COMPLETE
    assert first.report["incremental"]["mode"] == "full"
    assert second.report["incremental"]["mode"] == "incremental"
    assert second.pages_rendered < first.pages_rendered
    assert second.reasons == ["Page published: Students and loneliness: what we learned"]
    assert copy.content_as_of == second.started_at >= case_study.last_published_at
    assert not copy.update_queued and copy.running_since is None and copy.last_failure == ""
    # The full update indexed every page; the incremental one left that to the search task, which
    # then ran (here, at once) and indexed the copy as the update left it.
    assert not any(check["name"] == "search index" for check in second.report["checks"])
    assert any(check["name"] == "search index" for check in first.report["checks"])
    assert copy.search_as_of == copy.content_as_of and not copy.search_queued and copy.search_failure == ""


def test_a_failed_update_records_why_leaves_the_copy_and_the_next_change_retries(
    demo_site, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder)
        document = DocumentFactory(title="Facilitator notes")
    before = tree(folder)
    stored = default_storage.open(document.file.name).read()
    default_storage.delete(document.file.name)  # As a failed disk or a careless clean-up leaves it.

    programme = LearningProgrammePage.objects.get()
    programme.downloads.add(ProgrammeDownload(document=document, description="For whoever runs a session."))
    with django_capture_on_commit_callbacks(execute=True):
        publish(programme, "Tackling loneliness, with facilitator notes")

    programme.refresh_from_db()  # The publish itself went through.
    assert programme.live and programme.title == "Tackling loneliness, with facilitator notes"
    assert tree(folder) == before
    copy = the_copy(folder)
    failed = copy.updates.first()
    assert failed.status == StaticCopyUpdate.Status.FAILED
    assert f"Could not export document {document.pk} “Facilitator notes”" in failed.failure
    assert copy.last_failure == failed.failure and copy.running_since is None
    assert copy.content_as_of < programme.last_published_at

    default_storage.save(document.file.name, io.BytesIO(stored))
    with django_capture_on_commit_callbacks(execute=True):
        Person.objects.first().save()

    copy.refresh_from_db()
    assert copy.updates.first().status == StaticCopyUpdate.Status.COMPLETE
    assert copy.last_failure == "" and copy.content_as_of > programme.last_published_at
    assert "Tackling loneliness, with facilitator notes" in page_html(folder, programme)
    assert "Facilitator notes" in page_html(folder, programme)


def test_retry_queues_an_update_at_once_even_when_one_is_queued(
    publishing_on, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_update("Page published: Home")
        copy = retry("Update asked for by admin")

    assert queued_tasks() == [
        ("update_static_copy", [copy.pk], COALESCE),
        ("update_static_copy", [copy.pk], 0),
    ]
    assert the_copy(folder).reasons == ["Page published: Home", "Update asked for by admin"]


def test_with_publishing_off_retry_queues_nothing(content, queue_only):
    assert retry() is None
    assert queued_tasks() == []


def test_an_update_that_finds_another_holding_the_lock_queues_itself_again(
    publishing_on, folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_update("Page published: Home")
    copy = the_copy(folder)
    assert CopyLock(copy.pk).acquire()  # As an update running in a live process holds it.

    assert update_static_copy.call(copy.pk) == "busy"

    # Queued again at least a second later, so a worker that cannot take the lock does not spin on it.
    assert queued_tasks() == [
        ("update_static_copy", [copy.pk], COALESCE),
        ("update_static_copy", [copy.pk], 1),
    ]
    assert the_copy(folder).update_queued
    assert not StaticCopyUpdate.objects.exists()


def test_a_task_whose_changes_an_earlier_one_took_does_nothing(publishing_on, folder):
    copy = the_copy(folder)  # Nothing queued: as after an earlier task took the changes.

    assert update_static_copy.call(copy.pk) == "nothing to do"

    assert not StaticCopyUpdate.objects.exists()
    assert the_copy(folder).running_since is None


BUCKET = "static-site"


def test_each_update_is_published_to_s3_when_a_destination_is_set(
    content, folder, moto_s3, django_capture_on_commit_callbacks
):
    endpoint, client = moto_s3
    client.create_bucket(Bucket=BUCKET)
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder, s3_destination=f"s3://{BUCKET}/www", s3_endpoint_url=endpoint)
    case_study = CaseStudyPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        publish(case_study, "Published all the way to the bucket")

    key = f"www/{page_file(case_study.url)}"
    body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert "Published all the way to the bucket" in body
    assert the_copy(folder).last_failure == ""


def test_a_failed_publish_to_s3_is_recorded_and_the_copy_is_not_counted_up_to_date(
    content, folder, moto_s3, django_capture_on_commit_callbacks
):
    endpoint, client = moto_s3  # No bucket: publishing to it fails.
    with django_capture_on_commit_callbacks(execute=True):
        turn_on(folder, s3_destination=f"s3://{BUCKET}/www", s3_endpoint_url=endpoint)

    copy = the_copy(folder)
    assert copy.last_failure.startswith(
        f"The copy in {folder} was updated, but publishing it to s3://{BUCKET}/www"
    )
    assert "NoSuchBucket" in copy.last_failure
    assert copy.content_as_of is None  # The folder has it; the bucket, which the public sees, does not.
    assert (folder / "index.html").is_file()

    client.create_bucket(Bucket=BUCKET)
    with django_capture_on_commit_callbacks(execute=True):
        retry()

    copy.refresh_from_db()
    assert copy.last_failure == "" and copy.content_as_of is not None
    assert client.get_object(Bucket=BUCKET, Key="www/index.html")["ContentType"].startswith("text/html")


def test_a_queued_flag_left_by_a_lost_task_is_taken_over(
    publishing_on, folder, settings, django_capture_on_commit_callbacks
):
    settings.STATIC_EXPORT_STALE_LOCK_SECONDS = 60
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    StaticCopy.objects.update(update_queued=True, queued_at=long_ago)  # Its task never ran.

    with django_capture_on_commit_callbacks(execute=True):
        request_update("Page published: Home")

    assert queued_tasks() == [("update_static_copy", [the_copy(folder).pk], COALESCE)]
    assert the_copy(folder).queued_at > long_ago


def test_an_update_that_cannot_be_queued_leaves_the_flag_clear_for_the_next_change(
    publishing_on, folder, settings, django_capture_on_commit_callbacks
):
    copy = the_copy(folder)
    StaticCopy.objects.update(update_queued=True)
    settings.TASKS = {"default": {**DUMMY_TASKS["default"], "QUEUES": ["elsewhere"]}}  # Refuses it.

    enqueue(copy.pk, delay=2)  # As the change's commit does.

    assert not the_copy(folder).update_queued
    settings.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        request_update("Person saved: Libby Potter")
    assert queued_tasks() == [("update_static_copy", [copy.pk], COALESCE)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_that_comes_due_during_an_update_gets_an_update_of_its_own(home_page, folder):
    """In-process tasks (the immediate backend) with every change committed at once, as in `runserver`
    without a worker: the update publishes a page that came due, whose own update finds the lock held,
    so the update holding it queues the next one when it finishes."""
    case_study = CaseStudyPageFactory(parent=CaseStudyIndexPageFactory(parent=home_page), live=False)
    case_study.title = "Due while the copy updates"
    case_study.go_live_at = timezone.now() + datetime.timedelta(seconds=1)
    case_study.save_revision().publish()  # Scheduled: it goes live a second from now.
    time.sleep(1.1)

    turn_on(folder)  # Its first update publishes the page that is now due, as Wagtail's scheduler would.

    case_study.refresh_from_db()
    copy = the_copy(folder)
    assert case_study.live
    assert copy.content_as_of >= case_study.last_published_at  # A second update began after it.
    assert {update.status for update in copy.updates.all()} == {StaticCopyUpdate.Status.COMPLETE}
    assert "Due while the copy updates" in page_html(folder, case_study)
