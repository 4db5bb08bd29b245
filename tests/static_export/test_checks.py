"""The archive-only link check that every export (and later verification) runs."""

from static_export.checks import check_links, external_links


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


def test_link_check_accepts_a_consistent_archive_and_lists_external_links_without_fetching(tmp_path):
    write(
        tmp_path,
        "index.html",
        '<a href="https://example.org/a">A</a> <img srcset="i.png 1x, i.png 2x" alt="">',
    )
    write(tmp_path, "i.png", "not really a png")

    assert check_links(tmp_path) == []
    assert external_links(tmp_path) == ["https://example.org/a"]
