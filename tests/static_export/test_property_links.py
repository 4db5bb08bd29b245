"""Property: the link rewriter and the link check agree on odd URLs, and a rewritten link opens, from
disk, the very file the live link named.

URLs are drawn from a grammar of what pages hold: root-absolute, origin-absolute and relative links
to files with unicode, spaces and literal percent signs in their names, each character percent-encoded
or not, with ``.`` and ``..`` segments, query strings and fragments; and links the archive must leave
alone: other sites, protocol-relative, ``mailto:``, ``tel:``, ``data:``, ``javascript:``, fragments.
"""

import io
import posixpath
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from django.core.files.storage import default_storage
from hypothesis import example, given, settings
from hypothesis import strategies as st
from wagtail.models import Site

from static_export.archive.checks import check_links
from static_export.archive.layout import page_file
from static_export.archive.links import LinkRewriter
from static_export.exporter import ArchiveBuild
from tests.hypothesis_profiles import examples

from .conftest import BASE_URL, CAPTURED_AT

ORIGIN = "http://localhost"
# The archive: page URLs (folders) and files, with the names that trip URL handling up.
PAGES = ["/", "/news/", "/news/café-ü/", "/Ευεξία/", "/a/b/c/", "/100%-wellbeing/", "/news/page/2/"]
FILES = ["/static/a b.css", "/media/images/x%20y.png", "/documents/5/report (final).pdf", "/static/#.js"]
TARGETS = PAGES + FILES


def resolve(path):
    """The archive file answering a root-absolute URL path (unquoted), as the export's resolve does."""
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if path in PAGES:
        return page_file(path)
    return path[1:] if path in FILES else None


def rewriter():
    return LinkRewriter([ORIGIN], resolve, BASE_URL)


@st.composite
def encoded(draw, path):
    """``path`` as a link may spell it: each character as it is or percent-encoded (a literal "%",
    "#" or "?" always encoded, or it would mean something else)."""
    spelled = []
    for character in path:
        must = character in "%#? "
        if must or (character != "/" and draw(st.booleans())):
            spelled.append(quote(character, safe=""))
        else:
            spelled.append(character)
    return "".join(spelled)


@st.composite
def internal_links(draw):
    """(a link to one of TARGETS, the target): root-absolute, on the origin, or relative to the page."""
    target = draw(st.sampled_from(TARGETS + ["/gone/", "/static/missing.css"]))
    segments = target.strip("/").split("/") if target != "/" else []
    detour = draw(st.sampled_from(["", "./", "x/../", "news/../", "../"]))  # Undone by normalising
    path = "/" + detour + "/".join(segments) + ("/" if target.endswith("/") and segments else "")
    link = draw(encoded(path))
    tail = draw(st.sampled_from(["", "?q=1", "?q=a%20b&x=%2F", "#top", "#sec-ü", "?a=1#b"]))
    form = draw(st.sampled_from(["root", "origin", "relative"]))
    if form == "origin":
        link = ORIGIN + link
    return link + tail, target, form


EXTERNAL = st.sampled_from(
    [
        "https://example.org/news/",
        "//cdn.example.org/x.js",
        "mailto:someone@example.org?subject=Hi%20there",
        "tel:+44-20-7946-0000",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "#main-content",
        "?page=2",
        "https://localhost.example.org/news/",
        "http://localhost:8000/news/",
    ]
)


def as_browsers_read(url):
    """A URL's path as browsers request it: ``.``, ``..`` and their encodings (``%2e%2e``) undone."""
    path = unquote(urlsplit(url).path)
    folder = path.endswith(("/", "/.", "/.."))
    path = posixpath.normpath("/" + path.lstrip("/"))
    return path + "/" if folder and path != "/" else path


def browser_opens(from_file, href):
    """The archive file a browser opens for ``href`` on the page ``from_file``, loaded from disk."""
    base = "file:///archive/" + quote(from_file)
    path = unquote(urlsplit(urljoin(base, href)).path).removeprefix("/archive/")
    return path + "index.html" if path.endswith("/") or path == "" else path


def relative_target(target, from_file):
    """How a relative link from ``from_file`` spells the root-absolute ``target``."""
    relative = posixpath.relpath(target, "/" + posixpath.dirname(from_file))
    return relative + ("/" if target.endswith("/") and relative != "." else "")


@settings(max_examples=examples(ci=30))
@given(link=internal_links(), from_url=st.sampled_from(PAGES))
@example(link=("/news/../a/b/c/", "/a/b/c/", "root"), from_url="/news/")
@example(link=("/static/%2e%2e/%2e%2e/a/b/c/", "/a/b/c/", "root"), from_url="/")
def test_an_internal_link_opens_from_disk_the_file_it_named_live(link, from_url):
    url, target, form = link
    from_file = page_file(from_url)
    if form == "relative":
        url = (
            relative_target(url.split("?")[0].split("#")[0], from_file)
            + url[len(url.split("?")[0].split("#")[0]) :]
        )
    html = f'<a href="{url}">A</a>'

    result = rewriter().rewrite_html(html, from_file)

    live_path = as_browsers_read(urljoin(ORIGIN + from_url, url))  # What a browser asks the live site for
    expected = resolve(live_path)
    if expected is None:
        assert result.text == "<a>A</a>" and [problem.url for problem in result.problems] == [url]
        return
    href = result.text.split('"')[1]
    assert result.problems == []
    assert not href.startswith("/") and not urlsplit(href).scheme, href
    assert browser_opens(from_file, href) == expected, href
    assert urlsplit(href).fragment == urlsplit(url).fragment


@settings(max_examples=examples(ci=20))
@given(url=EXTERNAL, from_url=st.sampled_from(PAGES))
def test_links_to_other_sites_and_other_schemes_are_left_exactly_as_they_were(url, from_url):
    html = f'<a href="{url}">A</a><img alt="" src="{url}">'

    result = rewriter().rewrite_html(html, page_file(from_url))

    assert result.problems == [] and result.text == html


@pytest.fixture
def on_disk(tmp_path):
    for target in TARGETS:
        path = tmp_path / resolve(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<p>Here.</p>" if path.suffix == ".html" else "x")
    return tmp_path


def test_the_link_check_accepts_whatever_the_rewriter_resolved_and_names_what_it_did_not(on_disk):
    @settings(max_examples=examples(ci=30))
    @given(
        links=st.lists(
            st.one_of(internal_links(), EXTERNAL.map(lambda url: (url, None, "external"))), max_size=6
        )
    )
    def property(links):
        page = on_disk / "a/b/c/index.html"
        html = "".join(f'<img alt="" src="{url}">' for url, _target, _form in links)
        result = rewriter().rewrite_html(html, "a/b/c/index.html")
        page.write_text(result.text)

        problems = check_links(on_disk, only=["a/b/c/index.html"])

        fatal = [problem.url for problem in result.problems]
        assert [problem.url for problem in problems] == [url for url in fatal if not urlsplit(url).scheme]

    property()


@pytest.mark.django_db
def test_the_exports_resolver_never_raises_or_reaches_outside_the_archive(home_page, tmp_path, request):
    """Through the export's own resolve (static files, uploads, documents): an odd URL is resolved to
    a file in one of the archive's folders, or reported; never a traceback, never a path with ``..``."""
    request.getfixturevalue("settings").STATIC_ROOT = tmp_path / "static-root"
    default_storage.save("images/x.png", io.BytesIO(b"png"))
    build = ArchiveBuild(tmp_path / "build", Site.objects.get(is_default_site=True), BASE_URL, CAPTURED_AT)
    prefixes = ["/static/", "/media/", "/documents/1/", "/", ORIGIN + "/media/"]
    tricks = st.sampled_from(["..", "%2e%2e", ".%2E", "%2E.", "", ".", "etc", "passwd", "x.png", "images"])

    @settings(max_examples=examples(ci=40))
    @given(prefix=st.sampled_from(prefixes), parts=st.lists(tricks, min_size=1, max_size=6))
    @example(prefix="/static/", parts=["%2e%2e", "%2e%2e", "%2e%2e", "etc", "passwd"])
    @example(prefix="/media/", parts=["%2e%2e", "%2e%2e", "etc", "passwd"])
    def property(prefix, parts):
        url = prefix + "/".join(parts)
        result = build.rewriter.rewrite_html(f'<img alt="" src="{url}">', "index.html")
        href = result.text.split('src="')[1].split('"')[0]
        if result.problems:  # Reported, and the export stops on it (an image is needed).
            assert [problem.url for problem in result.problems] == [url]
        elif urlsplit(href).scheme or urlsplit(href).netloc:  # Another host ("//./x"): not the archive's
            assert result.text == f'<img alt="" src="{url}">'
        else:
            opened = Path(browser_opens("index.html", href))
            assert ".." not in opened.parts and (build.build_dir / opened).resolve().is_relative_to(
                build.build_dir.resolve()
            ), href

    property()
