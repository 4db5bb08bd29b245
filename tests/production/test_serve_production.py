"""`make serve-production` (scripts/serve-production.sh, Procfile.production), run as an operator runs
it: honcho starts nginx, gunicorn and the task worker; the worker writes the static copy, which nginx
then serves, while Django answers the admin; Ctrl-C stops all three.

On a database and folders of the test's own (cms.settings.test_serving), with Static publishing
pointed at a folder of the test's, so nothing is written into the project."""

import os
import re
import signal
import subprocess

from tests.production.serving import HTTPS, ROOT, alive, free_port, manage, request, serving_env, wait_until


def nginx_processes(master):
    """nginx's master and its worker processes."""
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False)
    return {master, *(int(pid) for pid in children.stdout.split())}


def test_serve_production_serves_the_copy_the_worker_writes_and_ctrl_c_stops_everything(serving_folder):
    folder = serving_folder
    port, django_port = free_port(), free_port()
    copy = folder / "static-site"
    env = serving_env(
        folder,
        PRODUCTION_SETTINGS="cms.settings.test_serving",
        PORT=str(port),
        DJANGO_PORT=str(django_port),
        NGINX_RUN_DIR=str(folder / "run"),
        WEB_CONCURRENCY="2",
    )
    manage(env, "load_demo_content")
    # Continuous publishing into this test's folder: on, as an editor would have set it, before
    # start_archiving (which would otherwise turn it on for the project's own static-site/).
    manage(
        env,
        "shell",
        "-c",
        "from static_export.models import StaticPublishing as S; "
        f"S.objects.filter(pk=S.objects.create(folder='{copy}').pk).update(enabled=True)",
    )
    log = folder / "serve-production.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [ROOT / "scripts" / "serve-production.sh"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def waited(condition, timeout, what):
        try:
            return wait_until(condition, timeout, what)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text()}") from None

    try:
        # Until the worker has written the copy, nginx sends every page to Django.
        waited(lambda: (copy / "index.html").is_file(), 240, "the worker writing the copy")
        home = waited(
            lambda: (r := request(port, "/", headers=HTTPS)).headers["Cache-Control"] == "no-cache" and r,
            30,
            "nginx serving the copy",
        )
        assert home.status == 200
        assert 'name="dcterms.created"' in home.text  # The copy's page, captured by the worker.
        assert home.headers["Content-Security-Policy"]
        login = request(port, "/admin/login/", headers=HTTPS)
        assert login.status == 200 and "csrfmiddlewaretoken" in login.text
        assert request(port, "/", headers={}).status == 301  # HTTPS enforced, as on a server.

        started = r"(web|django|worker|publisher|indexer)\.1 started \(pid=(\d+)\)"
        pids = dict(re.findall(started, log.read_text()))
        assert set(pids) == {"web", "django", "worker", "publisher", "indexer"}, log.read_text()
        processes = nginx_processes(int(pids["web"])) | {
            int(pid) for name, pid in pids.items() if name != "web"
        }

        server.send_signal(signal.SIGINT)  # Ctrl-C in the terminal.
        server.wait(timeout=60)
        wait_until(lambda: not any(alive(pid) for pid in processes), 30, "every process to stop")
        for probe in (port, django_port):
            try:
                request(probe, "/", timeout=2)
            except OSError:
                continue
            raise AssertionError(f"something still answers on port {probe}")
    finally:
        if server.poll() is None:  # The test failed: stop what the script started.
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
