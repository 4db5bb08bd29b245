"""An operator starts the site with the production settings."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

MANAGE = str(settings.BASE_DIR / "manage.py")


def production_env(tmp_path, **overrides):
    """The environment a real server has: nothing of the test run's, only what production reads."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "www.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(env, *args):
    return subprocess.run(
        [sys.executable, MANAGE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=None), "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the SECRET_KEY environment variable for production." in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = manage(production_env(tmp_path, ALLOWED_HOSTS=""), "check")

    assert result.returncode != 0
    assert "Set the ALLOWED_HOSTS environment variable for production." in result.stderr


def test_check_deploy_reports_no_issues(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert result.stderr == ""


def test_check_deploy_reports_no_issues_with_media_on_s3(tmp_path):
    env = production_env(tmp_path, AWS_STORAGE_BUCKET_NAME="wellbeing-media", AWS_S3_REGION_NAME="eu-west-2")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_media_goes_to_s3_only_when_a_bucket_is_named(tmp_path):
    show = "from django.core.files.storage import storages; print(type(storages['default']).__name__)"
    local = manage(production_env(tmp_path), "shell", "-c", show)
    s3 = manage(production_env(tmp_path, AWS_STORAGE_BUCKET_NAME="wellbeing-media"), "shell", "-c", show)

    assert local.stdout.split()[-1] == "FileSystemStorage"
    assert s3.stdout.split()[-1] == "S3Storage"


def test_the_local_http_switch_turns_off_only_the_https_settings(tmp_path):
    show = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.CSRF_COOKIE_SECURE)"
    real = manage(production_env(tmp_path), "shell", "-c", show)
    local = manage(production_env(tmp_path, DJANGO_INSECURE_LOCAL_HTTP="1"), "shell", "-c", show)

    assert real.stdout.split()[-2:] == ["True", "True"]
    assert local.stdout.split()[-2:] == ["False", "False"]


def test_the_task_worker_switch_turns_off_only_the_https_redirect(tmp_path):
    show = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.CSRF_COOKIE_SECURE)"
    worker = manage(production_env(tmp_path, DJANGO_TASK_WORKER="1"), "shell", "-c", show)

    assert worker.stdout.split()[-2:] == ["False", "True"]


def test_behind_proxies_login_throttling_reads_the_visitors_address(tmp_path):
    show = (
        "from django.conf import settings as s; print(s.AXES_IPWARE_PROXY_COUNT, s.AXES_CLIENT_IP_CALLABLE)"
    )
    behind = manage(production_env(tmp_path, AXES_IPWARE_PROXY_COUNT="2"), "shell", "-c", show)
    direct = manage(production_env(tmp_path), "shell", "-c", show)

    assert behind.stdout.split()[-2:] == ["2", "cms.client_ip.client_ip"]
    assert direct.stdout.split()[-1] == "None"
