"""A real `manage.py db_worker`, in its own process, on the test database: the way `make run` runs
background tasks. Tests enqueue through the database backend and watch what the worker does."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "static-copy", "search"]}
}


def database_url(settings_dict):
    """The test database (not the project's) as a DATABASE_URL for another process."""
    name = settings_dict["NAME"]
    if "sqlite" in settings_dict["ENGINE"]:
        if str(name).startswith(("file:", ":memory:")):
            raise RuntimeError("the worker needs the test database on disk: see DATABASES TEST NAME")
        return f"sqlite:///{name}"
    user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict.get("HOST") or "", settings_dict.get("PORT") or ""
    return f"postgres://{credentials}{host}{':' + str(port) if port else ''}/{name}"


class Worker:
    """``start()`` a db_worker; ``wait_for(condition)`` polls until it holds; ``stop()`` or ``kill()``."""

    def __init__(self, log_path, env):
        self.log_path, self.env, self.process = log_path, env, None

    def start(self, *args):
        self.log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--queue-name",
                "*",  # Every queue, in this one worker (Procfile runs one worker per queue).
            ]
            + list(args),
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def run_batch(self, timeout=120):
        """Run every task queued now, then return (a worker started with --batch)."""
        self.start("--batch")
        try:
            self.process.wait(timeout=timeout)
        finally:
            self.stop()
        assert self.process.returncode == 0, self.output()

    def wait_for(self, condition, timeout=120, what="the worker"):
        deadline = time.monotonic() + timeout
        while not (result := condition()):
            assert self.process is None or self.process.poll() is None, (
                f"{what}: worker stopped\n{self.output()}"
            )
            assert time.monotonic() < deadline, f"{what}: not done after {timeout} s\n{self.output()}"
            time.sleep(0.2)
        return result

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        """Kill the worker without warning, as a crash or an out-of-memory kill would."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()


def worker_for_this_test(tmp_path, settings, **folders):
    """A Worker on this test's database, media and the given folders (environment names → paths)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test_worker",
        "DATABASE_URL": database_url(connection.settings_dict),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **{name: str(path) for name, path in folders.items()},
    }
    return Worker(tmp_path / "worker.log", env)
