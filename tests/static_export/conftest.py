import datetime
import socket
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from cms.core.demo_content import load_demo_content
from static_export.pipeline import export_archive

BASE_URL = "https://www.whatworkswellbeing.org"
CAPTURED_AT = datetime.datetime(2024, 4, 30, 17, 0, tzinfo=datetime.UTC)
# Rich text as an import or a script could save it through the ORM, which the admin's cleaning never
# sees: an inline script, an event handler and a javascript: link, each leaving a mark if it runs. (The
# link rewriter unlinks an entity-encoded "java&#x09;script:" as a missing page, so this one is plain.)
HOSTILE_RICH_TEXT = (
    "<p>Imported.</p><script>window.inlineScriptRan = true</script>"
    '<p><img src="https://images.invalid/x.png" alt="" onerror="window.onerrorRan = true"></p>'
    '<p><a id="hostile-link" href="JavaScript:window.linkRan = true">A link</a></p>'
)


@pytest.fixture
def demo_site(db):
    load_demo_content(with_closure_notice=True)


@pytest.fixture
def archivist(django_user_model):
    """A member of the Archivists group (migration 0003): may freeze, verify and delete snapshots."""
    from .archive_admin import person_in  # It imports this module's constants.

    return person_in(django_user_model, "Archivists", "archie")


@pytest.fixture
def editor(django_user_model):
    """A member of Wagtail's Editors group: may see snapshots, not freeze, verify or delete them."""
    from .archive_admin import person_in  # It imports this module's constants.

    return person_in(django_user_model, "Editors", "eddie")


@pytest.fixture
def export(tmp_path):
    """Export the site into a fresh folder under tmp_path; returns (folder, report)."""
    counter = iter(range(1000))

    def run(name=None, **kwargs):
        output = tmp_path / (name or f"archive-{next(counter)}")
        kwargs.setdefault("base_url", BASE_URL)
        kwargs.setdefault("captured_at", CAPTURED_AT)
        # The leaked-markup gate is cheap, so every test export runs it; vnu and axe (seconds each)
        # run on the full default path in test_gates.py and the browser tests.
        kwargs.setdefault("gates", ("markup",))
        return output, export_archive(output, **kwargs)

    return run


@pytest.fixture
def moto_s3(monkeypatch):
    """A fresh S3 endpoint on loopback (moto in server mode: real HTTP, spoken to by boto3 exactly as a
    real bucket would be), with no buckets; yields (endpoint_url, client)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Credentials for the local endpoint only; moto accepts any.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local-test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per process, not per server: start each test from an empty store.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    yield endpoint, boto3.client("s3", endpoint_url=endpoint)
    server.stop()
