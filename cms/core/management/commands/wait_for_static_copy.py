import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from static_export.models import StaticCopy, StaticPublishing


class Command(BaseCommand):
    help = (
        "Wait until the static copy holds every change made so far (its update finished, none queued), "
        "e.g. before a load test of nginx; with --idle, until no background task is queued or running."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait at most")
        parser.add_argument("--idle", action="store_true", help="also wait for the task queue to be empty")

    def handle(self, *args, **options):
        deadline = time.monotonic() + options["timeout"]
        while True:
            state = copy_state()
            busy = options["idle"] and tasks_pending()
            if state.startswith("ready") and not busy:
                self.stdout.write(f"The static copy {state[len('ready: ') :]}.")
                return
            if state.startswith("failed"):
                raise CommandError(f"The static copy's last update failed: {state[len('failed: ') :]}")
            if time.monotonic() > deadline:
                what = "background tasks still running" if state.startswith("ready") else state
                raise CommandError(f"Gave up after {options['timeout']:g} s: {what}.")
            time.sleep(1)


def copy_state():
    publishing = StaticPublishing.objects.first()
    if publishing is None or not publishing.enabled:
        return "failed: continuous publishing is off (Settings → Static publishing)"
    folder = publishing.folder_path()
    copy = StaticCopy.objects.filter(folder=str(folder)).first()
    if copy is None or copy.update_queued or copy.running_since:
        return f"waiting: the copy in {folder} is being updated"
    if copy.content_as_of is None or (copy.changed_at and copy.changed_at > copy.content_as_of):
        if copy.last_failure:
            return f"failed: {copy.last_failure}"
        return f"waiting: the copy in {folder} is behind and no update is queued"
    if not (folder / "index.html").is_file():
        return f"failed: {folder} has no index.html"
    return f"ready: in {folder} holds the content as of {copy.content_as_of:%Y-%m-%d %H:%M:%S %Z}"


def tasks_pending():
    return DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()
