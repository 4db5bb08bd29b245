"""The archive-only link check that every export (and later verification) runs."""

import os
import sys
import unicodedata

import pytest

from static_export.archive.checks import check_links, check_private, external_links, link_report
from static_export.archive.files import MAX_CHECKED_BYTES, all_files, walk_archive
from static_export.archive.gates import GateProblem
from static_export.archive.layout import printable


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_link_check_names_root_absolute_and_unresolved_references(tmp_path):
    write(
        tmp_path,
        "index.html",
        '<a href="news/">News</a> <img src="/media/x.png" alt=""> <a href="gone/">Gone</a>'
        '<a href="./">Home</a>',
    )
    write(
        tmp_path,
        "news/index.html",
        '<link rel="stylesheet" href="../static/site.css"><a href="#top">Top</a> <a href="..">Up</a>'
        '<a href="../news/./">Here</a> <a href="../static/">A folder</a>',
    )
    write(tmp_path, "static/site.css", "body { background: url(missing.png) }")

    problems = {(problem.file, problem.url) for problem in check_links(tmp_path)}

    assert problems == {
        ("index.html", "/media/x.png"),
        ("index.html", "gone/"),
        ("static/site.css", "missing.png"),
        ("news/index.html", ".."),
        ("news/index.html", "../static/"),
    }


def test_link_check_follows_css_imports_as_the_rewriter_does(tmp_path):
    write(tmp_path, "index.html", '<link rel="stylesheet" href="static/site.css">')
    write(tmp_path, "static/site.css", "@import \"fonts.css\";\n@import 'gone.css';\nbody { color: black }")
    write(tmp_path, "static/fonts.css", "@import url(more/missing.css);")

    problems = {(problem.file, problem.url) for problem in check_links(tmp_path)}

    assert problems == {("static/site.css", "gone.css"), ("static/fonts.css", "more/missing.css")}


def test_link_check_accepts_a_consistent_archive_and_lists_external_links_without_fetching(tmp_path):
    write(
        tmp_path,
        "index.html",
        '<a href="https://example.org/a">A</a> <img srcset="i.png 1x, i.png 2x" alt="">',
    )
    write(tmp_path, "i.png", "not really a png")

    assert check_links(tmp_path) == []
    assert external_links(tmp_path) == ["https://example.org/a"]


def test_link_check_gives_the_same_answer_split_across_worker_processes(tmp_path, monkeypatch):
    for number in range(6):
        write(tmp_path, f"page-{number}/index.html", f'<a href="../page-{number + 1}/">Next</a>')
    write(tmp_path, "page-6/index.html", '<a href="https://example.org/b">B</a> <link href="/static/x.css">')
    write(
        tmp_path, "page-2/index.html", '<a href="https://example.org/a">A</a> <a href="../page-9/">Nine</a>'
    )
    write(tmp_path, "page-3/index.html", '<img src="../media/used.png" alt="">')
    write(tmp_path, "media/used.png", "png")
    write(tmp_path, "media/unused.png", "png")
    monkeypatch.setattr("static_export.archive.files.PARALLEL_FROM", 2)  # A few files per worker process.

    problems, external = link_report(tmp_path)

    assert [(problem.file, problem.url) for problem in problems] == [
        ("page-2/index.html", "../page-9/"),
        ("page-6/index.html", "/static/x.css"),
    ]
    assert {name: urls for name, urls in external.items() if urls} == {
        "page-2/index.html": ["https://example.org/a"],
        "page-6/index.html": ["https://example.org/b"],
    }
    assert [str(problem) for problem in check_private(tmp_path)] == [
        "media/unused.png: is an upload that no page, stylesheet, feed or API file uses"
    ]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("news/café-ü/Ευεξία.html", "news/café-ü/Ευεξία.html"),
        ("x\nFixity: OK\nThe archive is intact.", "x\\nFixity: OK\\nThe archive is intact."),
        ("a\\nb\r\tc", "a\\\\nb\\r\\tc"),
        ("\x00\x1b[31mred\x7f\x85\x9f", "\\x00\\x1b[31mred\\x7f\\x85\\x9f"),
        ("one\u2028two\u2029three", "one\\u2028two\\u2029three"),
        ("invoice\u202efdp.exe \u2066x\u2069 \u200f", "invoice\\u202efdp.exe \\u2066x\\u2069 \\u200f"),
        ("undecodable-\udcff", "undecodable-\\udcff"),
    ],
)
def test_printable_escapes_what_could_forge_or_reorder_a_report_line(text, shown):
    assert printable(text) == shown


def test_printable_keeps_every_character_on_one_line_and_can_be_read_back():
    # Every code point at once (Hypothesis is not installed): nothing that breaks a line, controls
    # or reorders text survives, and the escaping is unambiguous, so one name cannot pass for another.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    shown = printable(every)

    assert len(f"a{shown}b".splitlines()) == 1
    bidi_controls = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    assert not [
        character
        for character in shown
        if unicodedata.category(character) in {"Cc", "Cs", "Zl", "Zp"}
        or unicodedata.bidirectional(character) in bidi_controls
    ]
    assert shown.encode("ascii", "backslashreplace").decode("unicode_escape") == every


def test_problems_show_file_names_and_urls_escaped(tmp_path):
    write(tmp_path, "x\nindex.html: OK.html", '<a href="gone\n/">Gone</a>')
    write(tmp_path, "admin/\u202elmth.html", "<p>Admin</p>")

    problems = [str(problem) for problem in check_links(tmp_path) + check_private(tmp_path)]

    assert problems == [
        "x\\nindex.html: OK.html: gone\\n/ does not resolve to a file in the archive",
        "admin/\\u202elmth.html: is an admin file",
    ]


def test_gate_problems_show_file_names_escaped():
    problem = GateProblem("markup", "x\nindex.html", "contains “{{ title }}”")

    assert str(problem) == "x\\nindex.html: contains “{{ title }}”"


def test_walk_lists_regular_files_and_reports_links_and_fifos_without_following_them(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "secret.html", '<input type="password"> <a href="gone.html">Gone</a>')
    archive = tmp_path / "archive"
    write(archive, "index.html", '<a href="secret.html">S</a> <a href="elsewhere/secret.html">E</a>')
    (archive / "secret.html").symlink_to(outside / "secret.html")
    (archive / "elsewhere").symlink_to(outside)
    (archive / "dangling.css").symlink_to(archive / "nowhere.css")

    files, skipped = walk_archive(archive)

    assert files == ["index.html"] == all_files(archive)
    assert [str(problem) for problem in skipped] == [
        f"dangling.css is a symbolic link (to {archive / 'nowhere.css'}); it was not followed",
        f"elsewhere is a symbolic link (to {outside}); it was not followed",
        f"secret.html is a symbolic link (to {outside / 'secret.html'}); it was not followed",
    ]
    # Nothing outside the archive is read: its links are broken, the page beyond them unchecked.
    assert [str(problem) for problem in check_links(archive)] == [
        "index.html: secret.html does not resolve to a file in the archive",
        "index.html: elsewhere/secret.html does not resolve to a file in the archive",
    ]
    assert check_private(archive) == []


def test_checks_refuse_a_file_swapped_for_a_symbolic_link_or_fifo_after_listing(tmp_path):
    # Named explicitly (as an incremental export does), so only the opening itself can refuse them.
    (tmp_path / "linked.html").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "pipe.html")

    problems = [str(problem) for problem in check_private(tmp_path, only=["linked.html", "pipe.html"])]

    assert problems == [
        "linked.html is a symbolic link (to /etc/passwd); it was not followed",
        "pipe.html is a FIFO; it was not read",
    ]


def test_checks_report_a_file_too_large_to_check_instead_of_reading_it(tmp_path):
    write(tmp_path, "index.html", '<a href="huge.html">Huge</a>')
    with open(tmp_path / "huge.html", "wb") as huge:
        huge.truncate(MAX_CHECKED_BYTES + 1)  # Sparse: no time spent writing it.

    problems = [str(problem) for problem in check_links(tmp_path) + check_private(tmp_path)]

    too_large = f"huge.html is too large to check ({MAX_CHECKED_BYTES + 1} bytes)"
    assert problems == [too_large, too_large]
