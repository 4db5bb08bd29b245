"""The public site served from the static copy: a real nginx with the project's configuration
(deploy/nginx.conf.template, written by `manage.py nginx_config`) in front of a real gunicorn with the
production settings, on a database with the demo content, a private page and an admin, and a static
copy written by `manage.py export_archive`.

Every request says it came through the TLS terminator (X-Forwarded-Proto: https) unless the test is
about plain http, and carries a User-Agent of its own, by which nginx's access log says who answered
it: the copy, or Django."""

import json
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.production.serving import (
    HTTPS,
    free_port,
    manage,
    request,
    serving_env,
    start_gunicorn,
    start_nginx,
    wait_until,
    write_nginx_config,
)

ADMIN_PASSWORD = "correct-horse-battery"
PAGE_PASSWORD = "open-sesame"
CASE_STUDY = "/case-studies/using-e-learning-to-tackle-loneliness-in-students/"
NEWS_RELEASE = "/news/new-nhs-training-aims-to-address-loneliness-and-social-isolation/"

# Run in `manage.py shell` after the demo content: what the tests need besides it; prints facts.
SETUP = f"""
from django.contrib.auth import get_user_model
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from site_pages.models import HomePage, StandardPage

home = HomePage.objects.get()
private = home.add_child(instance=StandardPage(title="Private notes", slug="private-notes"))
private.save_revision().publish()
PageViewRestriction.objects.create(page=private, restriction_type="password", password="{PAGE_PASSWORD}")
get_user_model().objects.create_superuser("admin", "admin@example.org", "{ADMIN_PASSWORD}")
image = get_image_model().objects.first()
print("thumbnail", image.get_rendition("max-165x165").url)
print("original", image.file.name)
print("document", get_document_model().objects.first().file.name)
print("case_study", Page.objects.get(slug="using-e-learning-to-tackle-loneliness-in-students").pk)
"""


@dataclass
class Site:
    folder: Path
    copy: Path
    nginx_port: int
    django_port: int
    facts: dict = field(default_factory=dict)

    def get(self, path, method="GET", headers=None, body=None, https=True):
        """A request to nginx; returns (response, who answered: "copy" or "django")."""
        agent = f"test-{uuid.uuid4()}"
        response = request(
            self.nginx_port,
            path,
            method=method,
            headers={**(HTTPS if https else {}), "User-Agent": agent, **(headers or {})},
            body=body,
        )
        return response, self.answered_by(agent)

    def django(self, path, headers=None):
        """A request to gunicorn directly, as the page was served before nginx."""
        return request(self.django_port, path, headers={**HTTPS, **(headers or {})})

    def answered_by(self, agent):
        log = self.folder / "run" / "access.log"

        def line():
            lines = [entry for entry in log.read_text().splitlines() if agent in entry]
            return lines[-1] if lines else None

        return wait_until(line, 10, f"nginx's log line for {agent}", interval=0.05).split()[-1]

    def django_log(self):
        return (self.folder / "gunicorn-access.log").read_text()


@pytest.fixture(scope="module")
def site(serving_folder):
    folder = serving_folder
    nginx_port, django_port = free_port(), free_port()
    # Behind a TLS terminator and nginx, both appending to X-Forwarded-For.
    env = serving_env(folder, AXES_IPWARE_PROXY_COUNT="2")
    manage(env, "load_demo_content", "--with-closure-notice")
    facts = dict(line.split(" ", 1) for line in manage(env, "shell", stdin=SETUP).splitlines() if " " in line)
    copy = folder / "static-site"
    manage({**env, "DJANGO_TASK_WORKER": "1"}, "export_archive", "--output", str(copy))
    config = write_nginx_config(env, nginx_port, django_port, folder / "run", copy)
    gunicorn = start_gunicorn(env, django_port, folder)
    nginx = start_nginx(config, nginx_port)
    try:
        yield Site(folder, copy, nginx_port, django_port, facts)
    finally:
        nginx.stop()
        gunicorn.stop()


def test_a_public_page_comes_from_the_static_copy_not_django(site):
    page = site.copy / "news" / "index.html"
    original = page.read_bytes()
    try:
        page.write_bytes(original.replace(b"</body>", b"<p>Changed on disk</p></body>"))
        response, answered_by = site.get("/news/")
    finally:
        page.write_bytes(original)

    assert response.status == 200
    assert "<p>Changed on disk</p>" in response.text
    assert answered_by == "copy"
    assert '"GET /news/ ' not in site.django_log()


def test_head_answers_as_get_does_without_a_body(site):
    got, _ = site.get(CASE_STUDY)
    head, answered_by = site.get(CASE_STUDY, method="HEAD")
    admin, admin_answered_by = site.get("/admin/login/", method="HEAD")

    assert (head.status, head.body, answered_by) == (200, b"", "copy")
    assert head.headers["Content-Length"] == str(len(got.body))
    assert head.headers["ETag"] == got.headers["ETag"]
    assert (admin.status, admin.body, admin_answered_by) == (200, b"", "django")


def policy(header):
    return {part.split()[0]: set(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_the_copy_is_served_with_the_security_headers_django_sends(site):
    copied, answered_by = site.get("/")
    live = site.django("/")

    assert answered_by == "copy"
    same = ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy")
    for name in same:
        assert copied.headers[name] == live.headers[name], name
    assert copied.headers["Strict-Transport-Security"] == live.headers["Strict-Transport-Security"]
    assert live.headers["Strict-Transport-Security"].startswith("max-age=")
    # The same policy, but the copy's search page runs Pagefind's WebAssembly.
    expected = policy(live.headers["Content-Security-Policy"])
    expected["script-src"].add("'wasm-unsafe-eval'")
    assert policy(copied.headers["Content-Security-Policy"]) == expected
    assert len(copied.headers.get_all("Content-Security-Policy")) == 1


def test_a_public_document_comes_from_the_copy_with_the_headers_wagtail_sends(site):
    path = next(f"/{p.relative_to(site.copy)}" for p in (site.copy / "documents").rglob("*.pdf"))
    copied, answered_by = site.get(path)
    live = site.django(path)

    assert (copied.status, answered_by) == (200, "copy")
    assert copied.body == live.body
    assert copied.headers["Content-Type"] == live.headers["Content-Type"] == "application/pdf"
    assert copied.headers["Content-Security-Policy"] == live.headers["Content-Security-Policy"]
    assert copied.headers["Content-Security-Policy"] == "default-src 'none'"
    assert copied.headers["X-Content-Type-Options"] == "nosniff"
    assert copied.headers["Content-Disposition"] == "inline"
    assert live.headers["Content-Disposition"].startswith("inline")


def test_pages_are_revalidated_and_fingerprinted_static_files_kept_a_year(site):
    fingerprinted = site.copy / "static" / "css" / "site.0123456789ab.css"
    shutil.copy(site.copy / "static" / "css" / "site.css", fingerprinted)
    try:
        static, _ = site.get("/static/css/site.0123456789ab.css")
    finally:
        fingerprinted.unlink()
    page, _ = site.get(NEWS_RELEASE)
    plain, _ = site.get("/static/css/site.css")
    image, _ = site.get(next(f"/{p.relative_to(site.copy)}" for p in (site.copy / "media").rglob("*.png")))

    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["ETag"] and page.headers["Last-Modified"]
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    assert image.headers["Cache-Control"] == "public, max-age=86400"


def test_an_unchanged_page_is_answered_not_modified(site):
    page, _ = site.get("/news/")
    again, answered_by = site.get("/news/", headers={"If-None-Match": page.headers["ETag"]})

    assert (again.status, again.body, answered_by) == (304, b"", "copy")


def test_the_copy_is_compressed_for_browsers_that_ask_and_django_is_not(site):
    page, _ = site.get("/", headers={"Accept-Encoding": "gzip"})
    admin, _ = site.get("/admin/login/", headers={"Accept-Encoding": "gzip"})

    assert page.headers["Content-Encoding"] == "gzip"
    assert admin.headers["Content-Encoding"] is None  # A page with a CSRF token: no BREACH.


def test_plain_http_is_redirected_to_https_as_django_redirects_it(site):
    host = {"Host": f"127.0.0.1:{site.nginx_port}"}
    for path in ("/news/", "/admin/", "/no-such-page/"):
        response, answered_by = site.get(path, https=False)
        django = request(site.django_port, path, headers=host)

        assert (response.status, answered_by) == (301, "copy"), path
        assert (
            response.headers["Location"]
            == django.headers["Location"]
            == f"https://127.0.0.1:{site.nginx_port}{path}"
        )


def same_path(value):
    """A URL of the API as the path it names: the frozen API's page files are its detail URLs."""
    path = urlsplit(value).path
    return re.sub(r"^/api/v2/pages/(\d+)\.json$", r"/api/v2/pages/\1/", path)


def normalised(value, key=None):
    if isinstance(value, dict):
        return {k: normalised(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if key in ("detail_url", "url", "download_url") and isinstance(value, str):
        return same_path(value)
    return value


def urls(value, key=None):
    if isinstance(value, dict):
        return [url for k, v in value.items() for url in urls(v, k)]
    if isinstance(value, list):
        return [url for item in value for url in urls(item)]
    return [value] if key in ("detail_url", "url", "download_url") else []


@pytest.mark.parametrize("page", ["home", "case_study"])
def test_the_frozen_api_answers_for_each_page_as_the_live_api_does(site, page):
    path = "/api/v2/pages/{}/".format(site.facts["case_study"] if page == "case_study" else 3)
    response, answered_by = site.get(path)
    live = site.django(path)

    assert (response.status, answered_by) == (200, "copy")
    assert response.headers["Content-Type"] == live.headers["Content-Type"] == "application/json"
    frozen = json.loads(response.body)
    assert normalised(frozen) == normalised(json.loads(live.body))
    # Every link into this site is absolute, as the live API's are, and answers through nginx.
    origin = f"https://127.0.0.1:{site.nginx_port}/"
    ours = [url for url in urls(frozen) if url.startswith(origin)]
    assert ours and all(site.get(urlsplit(url).path)[0].status == 200 for url in ours)
    assert not [url for url in urls(frozen) if not url.startswith(("https://", "http://"))]


def test_api_listings_and_queries_and_unknown_pages_go_to_django(site):
    for path in ("/api/v2/pages/", "/api/v2/pages/?type=site_pages.NewsReleasePage", "/api/v2/images/"):
        response, answered_by = site.get(path)
        assert (response.status, answered_by) == (200, "django"), path
        assert "total_count" in json.loads(response.body)["meta"]
    response, answered_by = site.get("/api/v2/pages/99999/")
    assert (response.status, answered_by) == (404, "django")


def test_the_admin_comes_from_django_and_logging_in_through_nginx_works(site):
    login, answered_by = site.get("/admin/login/")
    assert (login.status, answered_by) == (200, "django")
    token = re.search(r"csrftoken=([^;]+)", login.headers["Set-Cookie"])[1]
    origin = f"https://127.0.0.1:{site.nginx_port}"

    response, answered_by = site.get(
        "/admin/login/",
        method="POST",
        headers={
            "Cookie": f"csrftoken={token}",
            "Origin": origin,
            "Referer": f"{origin}/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode({"username": "admin", "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token}),
    )
    assert (response.status, answered_by) == (302, "django"), response.text[:2000]
    session = re.search(r"sessionid=([^;]+)", " ".join(response.headers.get_all("Set-Cookie")))[1]
    assert "Secure" in " ".join(response.headers.get_all("Set-Cookie"))
    dashboard, _ = site.get("/admin/", headers={"Cookie": f"sessionid={session}"})
    assert dashboard.status == 200 and "Dashboard" in dashboard.text


def test_a_private_page_is_not_in_the_copy_and_django_asks_for_its_password(site):
    assert not (site.copy / "private-notes").exists()
    form, answered_by = site.get("/private-notes/")
    assert (form.status, answered_by) == (200, "django")
    action = re.search(r'action="(/_util/authenticate_with_password/[^"]+)"', form.text)[1]
    token = re.search(r"csrftoken=([^;]+)", form.headers["Set-Cookie"])[1]

    response, answered_by = site.get(
        action,
        method="POST",
        headers={
            "Cookie": f"csrftoken={token}",
            "Origin": f"https://127.0.0.1:{site.nginx_port}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode(
            {"password": PAGE_PASSWORD, "return_url": "/private-notes/", "csrfmiddlewaretoken": token}
        ),
    )
    assert (response.status, answered_by) == (302, "django")
    session = re.search(r"sessionid=([^;]+)", response.headers["Set-Cookie"])[1]
    page, answered_by = site.get("/private-notes/", headers={"Cookie": f"sessionid={session}"})
    assert (page.status, answered_by) == (200, "django")
    assert "<h1>Private notes</h1>" in page.text


def test_a_url_the_copy_lacks_gets_djangos_answer(site):
    missing, answered_by = site.get("/no-such-page/")
    no_slash, no_slash_answered_by = site.get("/news")

    assert (missing.status, answered_by) == (404, "django")
    assert missing.text == site.django("/no-such-page/").text
    assert (no_slash.status, no_slash_answered_by) == (301, "django")
    assert no_slash.headers["Location"] == "/news/"


def test_query_strings_and_posts_go_to_django_but_the_copys_search_page_reads_its_own(site):
    campaign, campaign_answered_by = site.get("/?utm_source=newsletter")
    search, search_answered_by = site.get("/search/?q=loneliness")
    archive_search, archive_answered_by = site.get("/search/index.html?q=loneliness")
    post, post_answered_by = site.get("/news/", method="POST", body=b"")

    assert (campaign.status, campaign_answered_by) == (200, "django")
    assert 'name="dcterms.created"' not in campaign.text  # Rendered now, not captured.
    assert (search.status, search_answered_by) == (200, "django")
    assert "for “loneliness”" in search.text  # The live search's summary of its results.
    assert (archive_search.status, archive_answered_by) == (200, "copy")
    assert "<h1>Search the archive</h1>" in archive_search.text
    assert (post.status, post_answered_by) == (403, "django")  # Django's CSRF check.


def test_renditions_not_in_the_copy_come_from_the_media_folder_but_never_its_originals_or_documents(site):
    thumbnail = site.facts["thumbnail"]
    assert not (site.copy / thumbnail.lstrip("/")).exists()
    response, answered_by = site.get(thumbnail)
    assert (response.status, answered_by) == (200, "copy")
    assert response.headers["Content-Type"] == "image/png"

    for name in (site.facts["original"], site.facts["document"]):
        assert (site.folder / "media" / name).is_file()
        response, answered_by = site.get(f"/media/{name}")
        assert (response.status, answered_by) == (404, "django"), name


def test_login_throttling_counts_each_visitors_address_through_nginx(site):
    login, _ = site.get("/admin/login/")
    token = re.search(r"csrftoken=([^;]+)", login.headers["Set-Cookie"])[1]

    def attempt(address):
        response, _ = site.get(
            "/admin/login/",
            method="POST",
            headers={
                "X-Forwarded-For": address,  # As the TLS terminator in front of nginx says.
                "Cookie": f"csrftoken={token}",
                "Origin": f"https://127.0.0.1:{site.nginx_port}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body=urlencode({"username": "throttled", "password": "wrong", "csrfmiddlewaretoken": token}),
        )
        return response.status

    statuses = [attempt("203.0.113.7") for _ in range(6)]
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429, statuses
    assert attempt("203.0.113.8") == 200  # Another visitor is not locked out.


def readers(site, paths, seconds, threads=4):
    """Fetch ``paths`` in turn from several threads for ``seconds``; returns every (path, status,
    body, who answered)."""
    results, stop = [], time.monotonic() + seconds

    def read():
        while time.monotonic() < stop:
            for path in paths:
                response = request(site.nginx_port, path, headers={**HTTPS, "User-Agent": "reader"})
                results.append((path, response.status, response.body))

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for worker in workers:
        worker.start()
    return workers, results


def test_a_page_replaced_by_rename_while_requested_is_always_served_whole(site):
    page = site.copy / "news" / "index.html"
    original = page.read_bytes()
    # Large enough that a partly written file would be caught: each version about 400 KB.
    filler = (b"A" * 400_000, b"B" * 400_000, b"C" * 400_000)
    versions = [original.replace(b"</body>", b"<!--" + text + b"--></body>") for text in filler]
    workers, results = readers(site, ["/news/"], seconds=4)
    replaced = 0
    try:
        while any(worker.is_alive() for worker in workers):
            for version in versions:
                temporary = page.with_name(f".index.html.{replaced}")
                temporary.write_bytes(version)
                temporary.replace(page)
                replaced += 1
    finally:
        for worker in workers:
            worker.join()
        page.write_bytes(original)

    assert replaced > 20 and len(results) > 20
    assert [status for _, status, _ in results] == [200] * len(results)
    whole = {original, *versions}  # The first requests may come before the first replacement.
    assert [len(body) for _, _, body in results if body not in whole] == []


def test_a_swap_of_the_whole_copy_never_answers_404_nor_half_a_page(site):
    """The copy's update swaps its whole folder in two renames (static_export/archive/files.py): for
    a moment there is no folder, and nginx sends the request to Django, which has the page too."""
    spare = site.copy.with_name("static-site-next")
    shutil.copytree(site.copy, spare)
    aside = site.copy.with_name("static-site-previous")
    workers, results = readers(site, ["/", "/news/", CASE_STUDY, "/static/css/site.css"], seconds=4)
    swaps = 0
    try:
        while any(worker.is_alive() for worker in workers):
            site.copy.rename(aside)  # As swap_into_place: the old copy aside, then the new one in.
            spare.rename(site.copy)
            aside.rename(spare)
            swaps += 1
    finally:
        for worker in workers:
            worker.join()
        shutil.rmtree(spare)

    assert swaps > 20 and len(results) > 20
    assert {status for _, status, _ in results} == {200}
    pages = [body for path, _, body in results if not path.endswith(".css")]
    assert all(body.rstrip().endswith(b"</html>") for body in pages)


def test_before_the_copy_exists_django_answers_everything(site, tmp_path):
    port = free_port()
    env = serving_env(site.folder)
    config = write_nginx_config(env, port, site.django_port, tmp_path / "run", tmp_path / "not-yet-written")
    nginx = start_nginx(config, port)
    try:
        response = request(port, "/news/", headers=HTTPS)
    finally:
        nginx.stop()

    assert response.status == 200
    assert 'name="dcterms.created"' not in response.text  # Django's page, not the copy's.
    assert "<h1>News</h1>" in response.text
