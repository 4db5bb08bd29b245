"""Make sure the site has a superuser, without ever keeping a password in the repository."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass
class AdminResult:
    username: str
    created: bool
    password_changed: bool
    generated_password: str | None = None

    @property
    def message(self):
        if self.generated_password:
            return (
                f"Created superuser “{self.username}” with password: {self.generated_password}\n"
                "It is shown only this once: keep it somewhere safe, or set ADMIN_PASSWORD and run again."
            )
        if self.created:
            return f"Created superuser “{self.username}” with the password from ADMIN_PASSWORD."
        if self.password_changed:
            return f"Superuser “{self.username}” exists; password set from ADMIN_PASSWORD."
        return f"Superuser “{self.username}” already exists; nothing changed."


def ensure_admin(username="admin", password=None, email="admin@example.org"):
    """Create the superuser if missing; with ``password``, make sure it is theirs.

    Without a password an existing user is left exactly as it is, and a new one gets a random
    password, returned in ``generated_password`` so the caller can show it once.
    """
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()

    if user is None:
        generated = None if password else secrets.token_urlsafe(18)
        User.objects.create_superuser(username, email=email, password=password or generated)
        return AdminResult(username, created=True, password_changed=True, generated_password=generated)

    if not password:
        return AdminResult(username, created=False, password_changed=False)

    changed = not user.check_password(password)
    if changed or not (user.is_superuser and user.is_staff and user.is_active):
        if changed:
            user.set_password(password)
        user.is_superuser = user.is_staff = user.is_active = True
        user.save()
    return AdminResult(username, created=False, password_changed=changed)
