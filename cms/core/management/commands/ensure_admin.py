import os

from django.core.management.base import BaseCommand

from cms.core.admin_user import ensure_admin


class Command(BaseCommand):
    help = (
        "Make sure a superuser exists. Its password comes from ADMIN_PASSWORD; without it, a new user "
        "gets a random password that is printed once, and an existing user is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username="admin", **options):
        result = ensure_admin(username=username, password=os.environ.get("ADMIN_PASSWORD") or None)
        self.stdout.write(result.message)
