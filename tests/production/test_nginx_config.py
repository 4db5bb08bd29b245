"""`manage.py nginx_config` writes nginx's configuration from the template and the settings: it serves
the folder continuous publishing keeps up to date, and nothing when publishing is off."""

import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from cms.nginx import NginxOptions, render
from static_export.models import StaticPublishing
from tests.production.serving import nginx_binary


def publishing(folder, enabled):
    """The setting, saved without its signal (which would queue an update of the copy)."""
    setting = StaticPublishing.objects.create(folder=str(folder))
    StaticPublishing.objects.filter(pk=setting.pk).update(enabled=enabled)


def write_config(run_dir, *args):
    err = StringIO()
    out = StringIO()
    call_command("nginx_config", "--run-dir", str(run_dir), *args, stdout=out, stderr=err)
    return (run_dir / "nginx.conf").read_text(), out.getvalue(), err.getvalue()


def test_nginx_serves_the_folder_continuous_publishing_keeps_up_to_date(db, tmp_path):
    publishing(tmp_path / "copy", enabled=True)

    config, out, _ = write_config(tmp_path / "run")

    assert f"root {tmp_path / 'copy'};" in config
    assert out.strip() == str(tmp_path / "run" / "nginx.conf")
    assert "{{" not in config


def test_when_continuous_publishing_is_off_nginx_sends_everything_to_django(db, tmp_path):
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "index.html").write_text("an old copy, no longer updated")
    publishing(tmp_path / "copy", enabled=False)

    config, _, err = write_config(tmp_path / "run")

    empty = tmp_path / "run" / "no-static-copy"
    assert f"root {empty};" in config
    assert empty.is_dir() and not any(empty.iterdir())
    assert "Continuous publishing is off" in err


@pytest.mark.parametrize("https", [True, False])
def test_nginx_accepts_the_configuration(settings, tmp_path, https):
    settings.SECURE_SSL_REDIRECT = https
    settings.SECURE_HSTS_SECONDS = 3600 if https else 0
    config, _, _ = write_config(
        tmp_path / "run", "--copy", str(tmp_path / "copy"), "--access-log", str(tmp_path / "access.log")
    )

    run_dir = tmp_path / "run"
    result = subprocess.run(
        [nginx_binary(), "-t", "-p", str(run_dir), "-c", str(run_dir / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert ("return 301 https://" in config) == https
    assert ('https "max-age=3600";' in config) == https


def test_paths_nginx_would_misread_are_refused(tmp_path):
    options = NginxOptions("127.0.0.1:8001", "127.0.0.1:8002", tmp_path / "my copy", tmp_path / "run")

    with pytest.raises(ValueError, match="nginx cannot be given the path"):
        render(options)
