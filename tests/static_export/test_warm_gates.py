"""The quality gates' tools kept warm in a long-lived worker (static_export/archive/warm.py): the same
findings as the cold path, one JVM and one Chromium for many calls, pages served to axe from a sparse
build folder with the live copy's files behind it, and the calling thread's database left usable."""

import http.client
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from static_export.archive.gates import GATES, MissingTool, check_accessibility, check_html, run_gates
from static_export.archive.page_server import serve_pages
from static_export.archive.warm import WarmTools, warm_tools
from static_export.pipeline import export_archive

from .conftest import BASE_URL, CAPTURED_AT
from .test_gates import problems_by_file, write

LOW_CONTRAST_CSS = ".faint { color: #bbbbbb; background: #ffffff; }\n"


@pytest.fixture(scope="module")
def tools():
    """One set of warm tools for the module, as a worker keeps one for hours; stopped at the end."""
    with WarmTools() as warm:
        yield warm


def styled_page(root, name, stylesheet, body):
    """A valid page linking ``stylesheet`` (a path relative to the page)."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>Styled</title>'
        f'<link rel="stylesheet" href="{stylesheet}"></head>'
        f"<body><main><h1>Styled</h1>{body}</main></body></html>\n",
        encoding="utf-8",
    )


def descendants():
    """{pid: command line} of every process descended from this one (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            parents[int(entry.name)] = (int(stat.rpartition(")")[2].split()[1]), command)
    found, frontier = {}, {os.getpid()}
    while frontier:
        frontier = {pid for pid, (parent, _command) in parents.items() if parent in frontier}
        found.update({pid: parents[pid][1] for pid in frontier})
    return found


def jvms():
    return {pid for pid, command in descendants().items() if b"nu.validator.servlet.Main" in command}


def browsers():
    """Chromium's main processes (its renderers and helpers have a --type= switch)."""
    return {
        pid
        for pid, command in descendants().items()
        if command[0].endswith(b"chromium") and not any(arg.startswith(b"--type=") for arg in command)
    }


def wait_for_exit(pid):
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists() or b"(java)" not in Path(f"/proc/{pid}/stat").read_bytes():
            return
        time.sleep(0.05)


def broken_pages(root):
    write(root, "good/index.html", "<p>Fine.</p>")
    write(root, "broken/index.html", "<p><div>A block inside a paragraph.</div></p><span id=a id=a>x</span>")
    write(root, "tables/index.html", '<table><tr><td rowspan="2">a</td><td>b</td></tr><tr><td colspan="2">c')
    # French text under lang="en-GB": the language detector only warns, so neither path reports it.
    french = "Ceci est un paragraphe écrit en français du début à la fin. " * 8
    write(root, "french/index.html", f"<p>{french}</p>")
    # No declared encoding: the command line reads every file as UTF-8, and so must the service.
    undeclared = '<html lang="en-GB"><head><title>Café</title></head><body><p>Café</p></body></html>'
    (root / "undeclared.html").write_text(f"<!DOCTYPE html>\n{undeclared}\n")


def test_warm_vnu_finds_the_same_errors_as_the_command_line(tools, tmp_path):
    broken_pages(tmp_path)

    warm = tools.check_html(tmp_path)

    assert warm == check_html(tmp_path)
    found = problems_by_file(warm)
    assert sorted(found) == ["broken/index.html", "tables/index.html"]
    assert "line 2: Duplicate attribute “id”." in found["broken/index.html"]
    assert any("has no cells beginning in it" in message for message in found["tables/index.html"])
    only = ["broken/index.html", "good/index.html", "style.css"]
    in_broken = warm[: len(found["broken/index.html"])]
    assert tools.check_html(tmp_path, only) == check_html(tmp_path, only) == in_broken


def test_a_page_over_the_services_default_2_mib_is_checked_as_on_the_command_line(tools, tmp_path):
    long_text = "<p>A paragraph of a long page.</p>\n" * 80_000
    write(tmp_path, "long/index.html", long_text + "<p><div>x</div></p>")
    assert (tmp_path / "long/index.html").stat().st_size > 2 * 1024 * 1024

    warm = tools.check_html(tmp_path)

    assert warm == check_html(tmp_path)
    assert [problem.message for problem in warm] == [
        "line 80002: No “p” element in scope but a “p” end tag seen."
    ]


def test_run_gates_with_warm_tools_reports_what_the_cold_run_reports(tools, tmp_path):
    broken_pages(tmp_path)
    write(tmp_path, "no-alt.html", '<img src="a.png"><a href="x.html"></a>')
    pages = ["good/index.html", "no-alt.html"]
    cold_runs, warm_runs = [], []

    cold = run_gates(tmp_path, GATES, pages, runs=cold_runs)
    warm = run_gates(tmp_path, GATES, pages, runs=warm_runs, tools=tools)

    assert warm == cold
    assert {problem.gate for problem in warm} == {"html", "accessibility"}
    assert warm_runs == cold_runs  # The same tools and versions (vnu, axe, Chromium), files, findings.


def test_a_second_run_uses_the_same_jvm_and_browser(tools, tmp_path):
    write(tmp_path, "index.html", "<p>Fine.</p>")
    run_gates(tmp_path, GATES, ["index.html"], tools=tools)
    jvm, browser, starts, launches = jvms(), browsers(), tools.vnu.starts, tools.browser.launches
    assert jvm == {tools.vnu.pid} and len(browser) == 1
    same_browser = tools.browser.run(lambda browser: browser)

    started = time.monotonic()
    run_gates(tmp_path, GATES, ["index.html"], tools=tools)
    took = time.monotonic() - started

    assert jvms() == jvm and browsers() == browser
    assert (tools.vnu.starts, tools.browser.launches) == (starts, launches)
    assert tools.browser.run(lambda browser: browser) is same_browser
    assert took < 10, f"a warm run of one page took {took:.1f} s"


def test_warm_axe_finds_the_same_violations_as_the_cold_path(tools, tmp_path):
    write(tmp_path, "good.html", '<img src="a.png" alt="A teal square">')
    write(tmp_path, "bad.html", '<img src="a.png"><a href="x.html"></a>')
    pages = ["good.html", "bad.html"]

    warm = tools.check_accessibility(tmp_path, pages)

    assert warm == check_accessibility(tmp_path, pages)
    found = problems_by_file(warm)
    assert list(found) == ["bad.html"]
    assert any(message.startswith("image-alt (critical)") for message in found["bad.html"])
    assert any(message.startswith("link-name (serious)") for message in found["bad.html"])


def test_a_page_is_audited_with_the_stylesheet_only_the_fallback_folder_holds(tools, tmp_path):
    live, build, whole = tmp_path / "live", tmp_path / "build", tmp_path / "whole"
    (live / "static").mkdir(parents=True)
    (live / "static" / "site.css").write_text(LOW_CONTRAST_CSS)
    styled_page(build, "news/item/index.html", "../../static/site.css", '<p class="faint">Faint text.</p>')
    shutil.copytree(live, whole)
    shutil.copytree(build, whole, dirs_exist_ok=True)  # What the live copy becomes once published.
    page = ["news/item/index.html"]

    with_fallback = tools.check_accessibility(build, page, fallback=live)

    assert [problem.message.split(":")[0] for problem in with_fallback] == ["color-contrast (serious)"], (
        with_fallback
    )
    assert with_fallback == check_accessibility(whole, page)  # As from file://, on the whole archive.
    assert tools.check_accessibility(build, page) == []  # Without the stylesheet, black on white.
    with pytest.raises(ValueError, match="warm tools only"):
        run_gates(build, ["accessibility"], page, fallback=live)


def test_nothing_one_audit_leaves_in_the_browser_changes_the_next(tools, tmp_path):
    # A page that remembers its visit, and a page showing an image without alt text if it finds a
    # memory of a visit: in local or session storage, or a cookie.
    remember = "localStorage.x = sessionStorage.x = document.cookie = 'x=1'"
    write(tmp_path, "a/remember.html", f"<script>{remember}</script>")
    write(
        tmp_path,
        "a/recall.html",
        "<script>if (localStorage.x || sessionStorage.x || document.cookie) "
        "document.write('<img src=a.png>')</script>",
    )
    pages = ["a/remember.html", "a/recall.html"]
    first = tools.check_accessibility(tmp_path, pages)
    assert [problem.file for problem in first] == ["a/recall.html"]  # It does remember, within one audit.
    reused = [tools.check_accessibility(tmp_path, ["a/recall.html"]) for _ in range(3)]

    assert reused == [[], [], []] == [check_accessibility(tmp_path, ["a/recall.html"])] * 3


def test_the_page_server_serves_only_files_inside_the_build_and_fallback_folders(tmp_path):
    build, live = tmp_path / "build", tmp_path / "live"
    write(build, "news/index.html", "<p>New.</p>", title="From the build")
    write(live, "news/index.html", "<p>Old.</p>", title="From the live copy")
    write(live, "about/index.html", "<p>About.</p>", title="About")
    (tmp_path / "secret.txt").write_text("private")
    (build / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (build / "outside").symlink_to(tmp_path)
    (live / "escape.txt").write_text("not served: the build's link is refused, not looked up here")

    def get(root_url, path):
        connection = http.client.HTTPConnection(root_url.split("/")[2], timeout=10)
        connection.request("GET", path)  # Sent as written: urllib would tidy "..".
        answer = connection.getresponse()
        return answer.status, answer.read().decode(), answer.getheader("Location")

    with serve_pages(build, live) as root_url:
        assert "From the build" in get(root_url, "/news/")[1]
        assert "From the build" in get(root_url, "/news/index.html?v=2")[1]
        assert "About" in get(root_url, "/about/")[1]
        assert get(root_url, "/about")[:3:2] == (301, "/about/")
        for path in [
            "/../secret.txt",
            "/news/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/news/%2E%2E/%2E%2E/secret.txt",
            "//etc/passwd",
            "/escape.txt",
            "/outside/secret.txt",
            "/missing.html",
            f"/{tmp_path}/secret.txt",
        ]:
            status, body, _location = get(root_url, path)
            assert status == 404 and "private" not in body and "not served" not in body, path


def test_after_the_jvm_is_killed_the_next_check_starts_another(tools, tmp_path):
    broken_pages(tmp_path)
    before = tools.check_html(tmp_path)
    killed, starts = tools.vnu.pid, tools.vnu.starts

    os.kill(killed, signal.SIGKILL)
    wait_for_exit(killed)

    assert tools.check_html(tmp_path) == before
    assert tools.vnu.pid not in (None, killed) and tools.vnu.starts == starts + 1
    assert jvms() == {tools.vnu.pid}


def test_after_chromium_is_killed_the_next_audit_launches_another(tools, tmp_path):
    write(tmp_path, "bad.html", '<img src="a.png">')
    before = tools.check_accessibility(tmp_path, ["bad.html"])
    (killed,) = browsers()
    launches = tools.browser.launches

    os.kill(killed, signal.SIGKILL)

    assert tools.check_accessibility(tmp_path, ["bad.html"]) == before
    assert tools.browser.launches == launches + 1 and killed not in browsers()


@pytest.mark.django_db
def test_auditing_with_the_warm_browser_leaves_the_database_usable_in_this_thread(tools, tmp_path):
    write(tmp_path, "bad.html", '<img src="a.png">')
    get_user_model().objects.create(username="before")

    found = run_gates(tmp_path, ["accessibility"], ["bad.html"], tools=tools)

    assert [problem.message.split(" ")[0] for problem in found] == ["image-alt"]
    assert get_user_model().objects.filter(username="before").count() == 1


def test_tools_started_ahead_are_ready_before_the_first_check(tmp_path):
    write(tmp_path, "index.html", "<p>Fine.</p>")
    with WarmTools() as ahead:
        started = time.monotonic()
        ahead.start()
        assert time.monotonic() - started < 1  # It does not wait for them.
        while (ahead.vnu.pid is None or ahead.browser.launches == 0) and time.monotonic() - started < 60:
            time.sleep(0.1)
        assert ahead.vnu.pid in jvms() and ahead.browser.launches == 1

        assert run_gates(tmp_path, GATES, ["index.html"], tools=ahead) == []
        assert (ahead.vnu.starts, ahead.browser.launches) == (1, 1)


def test_a_vnu_that_cannot_start_is_named(tmp_path, settings):
    write(tmp_path, "index.html", "<p>Fine.</p>")
    running = jvms()
    settings.VNU_JAR = tmp_path / "vnu.jar"
    with WarmTools() as broken:
        with pytest.raises(MissingTool, match=r"vnu\.jar.* is missing at .*: run `make npm`"):
            broken.check_html(tmp_path)
        settings.VNU_JAR.write_bytes(b"not a jar")
        not_vnu = r"service \(.*vnu\.jar\) did not start: .*nu\.validator\.servlet\.Main"
        with pytest.raises(MissingTool, match=not_vnu):
            broken.check_html(tmp_path)
    assert jvms() == running


def test_each_process_has_its_own_warm_tools_even_a_forked_one():
    parent = warm_tools()
    assert warm_tools() is parent and parent.pid == os.getpid()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # The child: report whether it got tools of its own, then leave at once.
        mine = warm_tools()
        os.write(writing, b"own" if mine is not parent and mine.pid == os.getpid() else b"parent's")
        os._exit(0)
    os.close(writing)
    answer = os.read(reading, 100)
    os.waitpid(child, 0)
    assert answer == b"own"
    assert warm_tools() is parent


@pytest.mark.django_db
def test_a_sparse_build_before_the_live_copy_is_audited_as_the_whole_archive_from_disk(
    tools, demo_site, tmp_path
):
    live = tmp_path / "live"
    export_archive(live, base_url=BASE_URL, captured_at=CAPTURED_AT, skip_gates=True)
    # Fade the text, so what axe finds depends on each page reaching the stylesheet by its relative link.
    css = live / "static" / "css" / "site.css"
    css.write_text(css.read_text() + "\nmain p { color: #bbbbbb !important; }\n")
    pages = [
        "index.html",
        "news/index.html",
        "learning-programmes/tackling-loneliness-and-social-isolation/spotting-who-is-at-risk/index.html",
        "404.html",
    ]
    build = tmp_path / "build"  # What an update writes: the pages alone, no stylesheet, image or index.
    for name in [*pages, "search/index.html"]:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(live / name, build / name)

    warm = tools.check_accessibility(build, pages, fallback=live)

    assert warm == check_accessibility(live, pages)
    assert {problem.file for problem in warm if problem.message.startswith("color-contrast")} == set(pages)
    # The search page is the one page that differs, by design (search/archive-search.js): over HTTP it
    # searches with Pagefind, from disk a title search of its own. Pagefind's script,
    # WebAssembly and index all come from the live copy here, and it finds pages.
    with serve_pages(build, live) as root_url:

        def search(browser):
            tab = browser.new_page()
            try:
                tab.goto(f"{root_url}search/index.html?q=loneliness")
                tab.wait_for_selector("#archive-search-found li", timeout=30_000)
                return tab.locator("#archive-search-found li").count()
            finally:
                tab.close()

        assert tools.browser.run(search) > 0
