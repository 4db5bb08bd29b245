"""The quality gates every export runs: leaked markup, the Nu Html Checker and axe-core."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

from static_export.archive.gates import (
    GATES,
    MissingTool,
    check_accessibility,
    check_html,
    check_leaked_markup,
    pages_to_audit,
)
from static_export.exporter import ArchiveBuild, ExportError
from static_export.pipeline import export_archive
from tests.factories import StandardPageFactory, paragraph

from .conftest import BASE_URL, CAPTURED_AT, HOSTILE_RICH_TEXT


def write(root, name, body, title="A page"):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><h1>{title}</h1>{body}</main></body></html>\n",
        encoding="utf-8",
    )


def problems_by_file(problems):
    found = {}
    for problem in problems:
        found.setdefault(problem.file, []).append(problem.message)
    return found


@pytest.mark.django_db
def test_the_demo_archive_passes_every_gate_on_the_default_strict_path(demo_site, tmp_path):
    archive = tmp_path / "archive"

    report = export_archive(archive, base_url=BASE_URL, captured_at=CAPTURED_AT)

    assert "gates" in report.stages
    assert not [warning for warning in report.warnings if "gates" in warning.lower()]
    assert (archive / "index.html").is_file()


@pytest.mark.django_db
def test_axe_audits_one_page_of_each_type_and_sub_route_plus_the_404_and_sitemap(demo_site, export):
    archive, _report = export()
    build = ArchiveBuild(archive, Site.objects.get(is_default_site=True), BASE_URL, CAPTURED_AT)

    pages = pages_to_audit(build.page_urls, build.extra_files, archive)

    topic_pages = [name for name in pages if name.startswith("case-studies/topic/")]
    assert len(topic_pages) == 1
    sessions = [name for name in pages if name.count("/") == 3 and name.startswith("learning-programmes/")]
    assert len(sessions) == 1
    for name in (
        "index.html",
        "about/index.html",
        "news/index.html",
        "case-studies/index.html",
        "learning-programmes/index.html",
        "learning-programmes/tackling-loneliness-and-social-isolation/index.html",
        "case-studies/using-e-learning-to-tackle-loneliness-in-students/index.html",
        "news/new-nhs-training-aims-to-address-loneliness-and-social-isolation/index.html",
        "404.html",
        "sitemap/index.html",
    ):
        assert name in pages
    assert len(pages) == len(set(pages)) < len(build.page_urls) + 2


@pytest.mark.django_db
def test_leaked_markup_fails_the_export_naming_the_page_and_keeps_the_previous_archive(demo_site, export):
    previous, _report = export("archive")
    home = Site.objects.get(is_default_site=True).root_page
    StandardPageFactory(
        parent=home,
        title="Leaky page",
        slug="leaky",
        body=[
            paragraph("<p>Sign up: [gravityform id=1 title=true]</p>"),
            paragraph("<p>Welcome to {{ page.title }}</p>"),
            paragraph("<p>None</p>"),
        ],
    )

    with pytest.raises(ExportError) as failure:
        export("archive")

    message = str(failure.value)
    assert "leaky/index.html (“Leaky page | What Works Wellbeing”)" in message
    assert "unrendered shortcode “[gravityform id=1 title=true]”" in message
    assert "template syntax “{{ page.title }}" in message
    assert "“None” shown as text" in message
    assert "leaky" not in {path.name for path in previous.iterdir()}


@pytest.mark.django_db
def test_the_export_command_fails_on_a_gate_and_skip_gates_exports_unchecked(demo_site, tmp_path):
    home = Site.objects.get(is_default_site=True).root_page
    StandardPageFactory(
        parent=home, title="Form", slug="form", body=[paragraph("<p>[contact-form-7 id=9]</p>")]
    )
    output = tmp_path / "archive"
    arguments = ["--output", str(output), "--base-url", BASE_URL, "--captured-at", "2024-04-30T17:00:00Z"]

    with pytest.raises(CommandError, match=r"form/index.html .*\[contact-form-7 id=9\]"):
        call_command("export_archive", *arguments)
    assert not output.exists()

    call_command("export_archive", "--skip-gates", *arguments)
    assert "[contact-form-7 id=9]" in (output / "form/index.html").read_text()


def test_leaked_markup_check_finds_each_kind_of_leak(tmp_path):
    write(tmp_path, "shortcode/index.html", "<p>[caption id=&quot;a1&quot; width=300]A photo[/caption]</p>")
    write(
        tmp_path, "richtext/index.html", '<p><a linktype="page" id="3">Home</a><embed embedtype="image"/></p>'
    )
    write(tmp_path, "escaped/index.html", "<p>&lt;p&gt;Hello&lt;/p&gt;</p>")
    write(tmp_path, "repr/index.html", "<p>&lt;Person: Ann Smith&gt;</p><p>StreamValue([])</p>")
    write(tmp_path, "none/index.html", '<img src="a.png" alt="None"><dd>None</dd>')
    write(tmp_path, "tag/index.html", "<p>{% if page.live %}Live{% endif %}</p>")
    write(tmp_path, "error/index.html", "<p>Traceback (most recent call last):</p>")
    write(tmp_path, "news/index.html", "", title="Page not found | What Works Wellbeing")

    found = problems_by_file(check_leaked_markup(tmp_path))

    assert set(found) == {
        "shortcode/index.html (“A page”)",
        "richtext/index.html (“A page”)",
        "escaped/index.html (“A page”)",
        "repr/index.html (“A page”)",
        "none/index.html (“A page”)",
        "tag/index.html (“A page”)",
        "error/index.html (“A page”)",
        "news/index.html (“Page not found | What Works Wellbeing”)",
    }
    assert found["shortcode/index.html (“A page”)"] == [
        'unrendered shortcode “[caption id="a1" width=300]”',
        "unrendered shortcode “[/caption]”",
    ]
    assert any(
        "Python repr “<Person: Ann Smith>”" in message for message in found["repr/index.html (“A page”)"]
    )
    assert '“None” as a value “alt="None"”' in found["none/index.html (“A page”)"]


def test_leaked_markup_check_matches_raw_rich_text_in_any_letter_case_and_alphabet(tmp_path):
    write(tmp_path, "ascii/index.html", '<p><A LinkType="page" id="3">Home</A></p>')
    write(tmp_path, "welsh/index.html", '<p>Croeso i’r archif</p><EMBED EmbedType="image"/>')

    found = problems_by_file(check_leaked_markup(tmp_path))

    assert found == {
        "ascii/index.html (“A page”)": ['raw Wagtail rich text “LinkType="page" id="3"”'],
        "welsh/index.html (“A page”)": ['raw Wagtail rich text “<EMBED EmbedType="image"/>”'],
    }


def test_leaked_markup_check_leaves_footnotes_prose_json_ld_and_ordinary_links_alone(tmp_path):
    write(
        tmp_path,
        "index.html",
        '<script type="application/ld+json">{"@graph": [{"name": "{{x}}", "about": {"@id": "#a"}}]}</script>'
        "<p>Loneliness rose [1] in students [sic], [see table 2].</p><p>None of them said no.</p>"
        '<a href="https://example.org/?q=javascript:&amp;onload=1">A</a> <a href="mailto:a@example.org">B</a>'
        '<a href="news/index.html#data:">C</a><img alt="D" src="javascript.png" srcset="data.png 2x">'
        "<p>JavaScript: the good parts. Data: 2021.</p>",
    )
    write(tmp_path, "404.html", "", title="Page not found | What Works Wellbeing")

    assert check_leaked_markup(tmp_path) == []


def test_leaked_markup_check_fails_scripts_that_are_not_the_archives_own(tmp_path):
    write(tmp_path, "inline/index.html", "<p>Hi</p><script>document.title = 'owned'</script>")
    write(tmp_path, "module/index.html", '<script type="module">import("./x.js")</script>')
    write(tmp_path, "external/index.html", '<script src="https://cdn.example.com/x.js"></script>')
    write(tmp_path, "rooted/index.html", '<script src="//cdn.example.com/x.js"></script>')
    write(tmp_path, "outside/index.html", '<script src="../../elsewhere/x.js"></script>')
    write(tmp_path, "body/index.html", '<script src="../search/archive-search.js">alert(1)</script>')
    write(tmp_path, "json/index.html", '<script type="application/json">{}</script>')
    # Ours: a JSON-LD data block, and scripts from files inside the archive with no body.
    write(
        tmp_path,
        "search/index.html",
        '<script type="application/ld+json">{"name": "\\u003C/script\\u003E"}</script>'
        '<script src="../pagefind/pagefind-ui.js"></script>\n<script src="archive-search.js"></script>',
    )

    found = problems_by_file(check_leaked_markup(tmp_path))

    assert found == {
        "inline/index.html (“A page”)": [
            "a script that is not the archive's own “<script>document.title = 'owned'”"
        ],
        "module/index.html (“A page”)": [
            'a script that is not the archive\'s own “<script type="module">import("./x.js")”'
        ],
        "external/index.html (“A page”)": [
            'a script that is not the archive\'s own “<script src="https://cdn.example.com/x.js">”'
        ],
        "rooted/index.html (“A page”)": [
            'a script that is not the archive\'s own “<script src="//cdn.example.com/x.js">”'
        ],
        "outside/index.html (“A page”)": [
            'a script that is not the archive\'s own “<script src="../../elsewhere/x.js">”'
        ],
        "body/index.html (“A page”)": [
            'a script that is not the archive\'s own “<script src="../search/archive-search.js">alert(1)”'
        ],
        "json/index.html (“A page”)": [
            'a script that is not the archive\'s own “<script type="application/json">{}”'
        ],
    }


def test_leaked_markup_check_fails_event_handlers_on_any_tag_however_written(tmp_path):
    write(tmp_path, "img/index.html", '<img src="x.png" alt="" onerror="document.title=1">')
    write(tmp_path, "svg/index.html", "<svg/onload=alert(1)></svg>")
    write(tmp_path, "case/index.html", '<a href="a.html" OnMouseOver="alert(1)">A</a>')
    # No space after a quoted value, and a ">" inside one: browsers still read the handler.
    write(tmp_path, "packed/index.html", '<p title="a>b"onclick=alert(1)>A</p>')
    # In a comment to a naive reader, but the comment ends first, so the image is live.
    write(tmp_path, "comment/index.html", '<!-- <a title=" --> <img src=x onerror=alert(1)> <!-- "> -->')
    write(tmp_path, "fine/index.html", '<p class="on" title="based on=that">Turn it on. Once only.</p>')

    found = problems_by_file(check_leaked_markup(tmp_path))

    assert found == {
        "img/index.html (“A page”)": [
            'an event handler (onerror) “<img src="x.png" alt="" onerror="document.title=1">”'
        ],
        "svg/index.html (“A page”)": ["an event handler (onload) “<svg/onload=alert(1)>”"],
        "case/index.html (“A page”)": [
            'an event handler (onmouseover) “<a href="a.html" OnMouseOver="alert(1)">”'
        ],
        "packed/index.html (“A page”)": ['an event handler (onclick) “<p title="a>b"onclick=alert(1)>”'],
        "comment/index.html (“A page”)": ["an event handler (onerror) “<img src=x onerror=alert(1)>”"],
    }


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="javascript:alert(1)">A</a>',
        '<a href="JaVaScRiPt:alert(1)">A</a>',
        '<a href=" \x01\x1f javascript:alert(1)">A</a>',
        '<a href="java\tscr\nipt:alert(1)">A</a>',
        '<a href="java&#x09;script:alert(1)">A</a>',
        '<a href="&#106;ava&#x73;cript&colon;alert(1)">A</a>',
        '<a href="jav&Tab;ascript&#58;alert(1)">A</a>',
        "<a href=vbscript:msgbox(1)>A</a>",
        '<iframe title="A" src="data:text/html,%3Cscript%3Ealert(1)%3C/script%3E"></iframe>',
        '<form action="javascript:alert(1)"><button>Go</button></form>',
        '<button formaction="javascript:alert(1)">Go</button>',
        '<video poster="javascript:alert(1)"></video>',
        '<svg><a xlink:href="javascript:alert(1)"><text>A</text></a></svg>',
        '<img alt="A" src="a.png" srcset="a.png 1x, data:image/svg+xml,%3Csvg%3E%3C/svg%3E 2x">',
        '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
    ],
)
def test_leaked_markup_check_fails_script_and_data_urls_however_obfuscated(tmp_path, markup):
    write(tmp_path, "index.html", markup)

    [problem] = check_leaked_markup(tmp_path)

    assert problem.file == "index.html (“A page”)"
    assert re.match(r"a “(javascript|vbscript|data):” URL in [\w:-]+ “<\w+ ", problem.message), (
        problem.message
    )


@pytest.mark.django_db
def test_rich_text_saved_without_the_admins_cleaning_fails_the_export_naming_the_page(demo_site, export):
    home = Site.objects.get(is_default_site=True).root_page
    StandardPageFactory(
        parent=home, title="Imported page", slug="imported", body=[paragraph(HOSTILE_RICH_TEXT)]
    )

    with pytest.raises(ExportError) as failure:
        export("archive")

    failures = str(failure.value).splitlines()
    page = "  [markup] imported/index.html (“Imported page | What Works Wellbeing”): "
    assert failures[0] == "3 quality gate failures in the archive:"
    assert failures[1].startswith(
        f"{page}a script that is not the archive's own “<script>window.inlineScriptRan"
    )
    assert failures[2].startswith(
        f'{page}an event handler (onerror) “<img src="https://images.invalid/x.png" alt="" o'
    )
    assert failures[3].startswith(
        f'{page}a “javascript:” URL in href “<a id="hostile-link" href="JavaScript:window.linkRan'
    )


def test_vnu_names_the_file_and_the_error(tmp_path):
    write(tmp_path, "good/index.html", "<p>Fine.</p>")
    write(
        tmp_path, "broken/index.html", "<p><div>A block inside a paragraph.</div></p><span id=a id=a>x</span>"
    )

    found = problems_by_file(check_html(tmp_path))

    assert list(found) == ["broken/index.html"]
    assert any(
        "No “p” element in scope but a “p” end tag seen" in message for message in found["broken/index.html"]
    )
    assert any("Duplicate attribute “id”" in message for message in found["broken/index.html"])


def test_vnu_checks_every_file_when_the_pages_are_split_across_several_jvms(tmp_path, monkeypatch):
    monkeypatch.setattr("static_export.archive.gates.VNU_BATCH", 2)
    for number in range(5):
        write(tmp_path, f"page-{number}/index.html", "<p>Fine.</p>")
    for name in ("page-0/index.html", "page-4/index.html"):
        write(tmp_path, name, "<span id=a id=a>x</span>")

    found = problems_by_file(check_html(tmp_path))

    assert sorted(found) == ["page-0/index.html", "page-4/index.html"]


def test_axe_names_the_page_and_the_violation(tmp_path):
    write(tmp_path, "good.html", '<img src="a.png" alt="A teal square">')
    write(tmp_path, "bad.html", '<img src="a.png"><a href="x.html"></a>')

    found = problems_by_file(check_accessibility(tmp_path, ["good.html", "bad.html"]))

    assert list(found) == ["bad.html"]
    assert any(message.startswith("image-alt (critical)") for message in found["bad.html"])
    assert any(message.startswith("link-name (serious)") for message in found["bad.html"])


def test_a_missing_tool_is_named_with_the_command_that_installs_it(tmp_path, settings):
    write(tmp_path, "index.html", "<p>Fine.</p>")
    settings.VNU_JAR = tmp_path / "node_modules/vnu-jar/build/dist/vnu.jar"
    settings.AXE_CORE_JS = tmp_path / "node_modules/axe-core/axe.min.js"

    with pytest.raises(MissingTool, match=r"vnu\.jar.* is missing at .*: run `make npm`"):
        check_html(tmp_path)
    with pytest.raises(MissingTool, match=r"axe-core .* is missing at .*: run `make npm`"):
        check_accessibility(tmp_path, ["index.html"])


def test_the_report_names_every_check_and_gate_with_its_tool_version_and_findings(demo_site, export):
    archive, report = export(gates=GATES)

    saved = json.loads((archive.parent / f"{archive.name}-report.json").read_text())
    runs = {run["name"]: run for run in saved["checks"]}
    assert list(runs) == ["search index", "links", "privacy", "markup", "html", "accessibility"]
    assert runs["search index"]["tool"] == "Pagefind" and runs["search index"]["version"] == "1.5.2"
    indexed = sum("data-pagefind-body" in page.read_text() for page in archive.rglob("*.html"))
    assert runs["search index"]["files"] == indexed > 0
    assert (
        runs["html"]["version"]
        == json.loads(Path("node_modules/vnu-jar/package.json").read_text())["version"]
    )
    axe = json.loads(Path("node_modules/axe-core/package.json").read_text())["version"]
    assert re.fullmatch(rf"axe-core {re.escape(axe)}, Chromium \d+\.[\d.]+", runs["accessibility"]["version"])
    html_files = sum(1 for _ in archive.rglob("*.html"))
    assert runs["markup"]["files"] == runs["html"]["files"] == html_files
    assert runs["links"]["files"] > html_files and runs["privacy"]["files"] == report.files
    assert all(run["problems"] == [] for run in runs.values())
