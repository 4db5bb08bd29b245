"""verify_archive: fixity against the bag, internal links and privacy, from the archive alone."""

import io
import os
import shutil
import tracemalloc

import bagit
import pytest
from django.core.management import CommandError, call_command

from static_export.archive.checks import check_private
from static_export.archive.verify import verify_archive

pytestmark = pytest.mark.django_db


def verify(path):
    """(exit status, report) of ``manage.py verify_archive PATH``, as a user would see them."""
    try:
        call_command("verify_archive", str(path), stdout=(out := io.StringIO()))
    except CommandError as exc:
        return 1, str(exc)
    return 0, out.getvalue()


def copy_package(archive, name):
    """A copy of the archive folder and its bag, to tamper with."""
    copy = archive.with_name(name)
    shutil.copytree(archive, copy)
    shutil.copytree(archive.with_name(archive.name + ".bag"), copy.with_name(name + ".bag"))
    return copy


def test_verify_passes_an_untouched_archive_and_names_each_tampered_file(demo_site, export):
    archive, _report = export("site", package=True)

    status, report = verify(archive)
    assert status == 0
    assert "Fixity: OK" in report and "The archive is intact." in report
    assert verify(archive.with_name("site.bag"))[0] == 0

    flipped = copy_package(archive, "flipped")
    page = flipped / "about/index.html"
    content = bytearray(page.read_bytes())
    content[100] ^= 0x01
    page.write_bytes(bytes(content))
    status, report = verify(flipped)
    assert status == 1
    assert "about/index.html has changed since it was captured" in report
    assert "Fixity: 1 problems" in report

    deleted = copy_package(archive, "deleted")
    (deleted / "robots.txt").unlink()
    status, report = verify(deleted)
    assert status == 1
    assert "robots.txt is missing" in report

    added = copy_package(archive, "added")
    (added / "news/planted.html").write_text("<p>Not captured</p>")
    status, report = verify(added)
    assert status == 1
    assert "news/planted.html was not in the archive when it was captured" in report


def test_verify_checks_the_bag_itself_including_its_tag_files(demo_site, export):
    archive, _report = export("site", package=True)
    bag = copy_package(archive, "copy").with_name("copy.bag")
    (bag / "data/sitemap.xml").unlink()
    with open(bag / "bag-info.txt", "a") as info:
        info.write("Contact-Name: Someone Else\n")

    status, report = verify(bag)

    assert status == 1
    assert "sitemap.xml is missing" in report
    assert "bag-info.txt has changed since it was captured" in report


def test_verify_reports_broken_links_and_private_content(demo_site, export):
    archive, _report = export("site", package=True)
    (archive / "sitemap.xml").unlink()
    (archive / "about/index.html").write_text(
        '<a href="../gone/index.html">Gone</a><form><input type="password" name="password"></form>'
    )

    status, report = verify(archive)

    assert status == 1
    assert "about/index.html: ../gone/index.html does not resolve to a file in the archive" in report
    assert "about/index.html: contains a password field" in report
    assert "sitemap.xml is missing" in report


def test_verify_says_when_there_is_no_bag_to_check_against(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("<p>Hello</p>")

    status, report = verify(tmp_path / "site")

    assert status == 1
    assert f"expected a BagIt bag at {tmp_path / 'site.bag'}" in report


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def bagged_site(tmp_path, files):
    """A site folder of ``files`` ({archive path: text}) with a bag beside it, as export_archive --package
    leaves them (SHA-256 and SHA-512 manifests), without a database."""
    site = tmp_path / "site"
    for name, text in files.items():
        write(site, name, text)
    shutil.copytree(site, tmp_path / "site.bag")
    bagit.make_bag(str(tmp_path / "site.bag"), checksums=["sha256", "sha512"])
    return site


def test_verify_shows_a_file_name_that_looks_like_report_lines_as_one_escaped_line(tmp_path):
    site = bagged_site(tmp_path, {"index.html": "<p>Home</p>"})
    (site / "x\nFixity: OK\nThe archive is intact.").write_text("planted")

    status, report = verify(site)

    assert status == 1
    lines = report.splitlines()
    assert "  x\\nFixity: OK\\nThe archive is intact. was not in the archive when it was captured" in lines
    assert "Fixity: OK" not in lines and "The archive is intact." not in lines


def test_verify_fails_symbolic_links_and_never_reads_through_them(tmp_path):
    site = bagged_site(
        tmp_path, {"index.html": "<p>Home</p>", "about/index.html": "<p>A</p>", "news/index.html": "<p>N</p>"}
    )
    # The same news page outside the archive, so following the link would pass its fixity check.
    shutil.move(site / "news", tmp_path / "news-elsewhere")
    (site / "news").symlink_to(tmp_path / "news-elsewhere")
    (site / "about/index.html").unlink()
    (site / "about/index.html").symlink_to("/etc/passwd")
    (site / "passwd").symlink_to("/etc/passwd")

    status, report = verify(site)

    assert status == 1
    assert report.splitlines()[1:6] == [
        "Fixity: 4 problems",
        "  about/index.html is a symbolic link (to /etc/passwd); it was not followed",
        f"  news is a symbolic link (to {tmp_path / 'news-elsewhere'}); it was not followed",
        "  news/index.html is missing",
        "  passwd is a symbolic link (to /etc/passwd); it was not followed",
    ]
    assert "root:" not in report


def test_verify_refuses_a_bag_whose_payload_folder_is_a_symbolic_link(tmp_path):
    bag = bagged_site(tmp_path, {"index.html": "<p>Home</p>"}).with_name("site.bag")
    shutil.move(bag / "data", tmp_path / "payload-elsewhere")
    (bag / "data").symlink_to(tmp_path / "payload-elsewhere")

    status, report = verify(bag)

    assert status == 1
    assert report == f"{bag / 'data'} is a symbolic link; it was not followed."


def test_verify_reports_a_fifo_without_waiting_on_it(tmp_path):
    site = bagged_site(tmp_path, {"index.html": "<p>Home</p>"})
    os.mkfifo(site / "pipe.html")  # Opening it to read would wait for a writer for ever.

    status, report = verify(site)

    assert status == 1
    assert "  pipe.html is a FIFO; it was not read" in report.splitlines()


def test_verify_hashes_a_large_file_in_chunks_with_flat_memory(tmp_path):
    size = 64 * 1024 * 1024
    site = tmp_path / "site"
    site.mkdir()
    with open(site / "film.mp4", "wb") as film:
        film.truncate(size)  # Sparse: 64 MiB of zeros without writing them.
    site = bagged_site(tmp_path, {"index.html": '<video src="film.mp4"></video>'})
    with open(site / "film.mp4", "r+b") as film:  # Its last byte changed: all of it must be read.
        film.seek(size - 1)
        film.write(b"\x01")

    tracemalloc.start()
    try:
        verification = verify_archive(site)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert [str(problem) for problem in verification.fixity] == ["film.mp4 has changed since it was captured"]
    assert peak < size / 16


def test_privacy_check_names_admin_files_logged_in_markup_noindex_and_unused_uploads(tmp_path):
    write(tmp_path, "index.html", '<img src="media/images/used.png" alt="">')
    write(tmp_path, "media/images/used.png", "png")
    write(tmp_path, "media/original_images/unused.png", "png")
    write(tmp_path, "documents/7/board-minutes.pdf", "pdf")
    write(tmp_path, "static/wagtailadmin/css/core.css", "")
    write(tmp_path, "draft/index.html", '<meta name="robots" content="noindex"><div id="wagtail-userbar">')
    write(
        tmp_path,
        "old/index.html",
        '<meta http-equiv="refresh" content="0; url=../"><meta name="robots" content="noindex">',
    )
    write(tmp_path, "contact/index.html", '<input type="hidden" name="csrfmiddlewaretoken" value="x">')

    problems = {str(problem) for problem in check_private(tmp_path)}

    assert problems == {
        "media/original_images/unused.png: is an upload that no page, stylesheet, feed or API file uses",
        "documents/7/board-minutes.pdf: is an upload that no page, stylesheet, feed or API file uses",
        "static/wagtailadmin/css/core.css: is an admin file",
        "draft/index.html: contains the Wagtail userbar",
        "draft/index.html: asks search engines not to index it (noindex)",
        "contact/index.html: contains a CSRF token from a logged-in session",
    }


def test_privacy_check_finds_uploads_named_anywhere_and_markup_in_any_letter_case(tmp_path):
    # Uploads named in a stylesheet, in API JSON and URL-quoted; one named only as a longer file's prefix.
    write(tmp_path, "static/site.css", "body { background: url(../media/images/hero.png) }")
    write(tmp_path, "api/v2/pages/3.json", '{"url": "documents/3/annual-report.pdf"}')
    write(
        tmp_path, "index.html", '<a href="media/images/caf%C3%A9%20menu.png">Menu</a> media/images/a.png.bak'
    )
    for name in ("images/hero.png", "images/café menu.png", "images/a.png", "images/unused.png"):
        write(tmp_path, f"media/{name}", "png")
    write(tmp_path, "documents/3/annual-report.pdf", "pdf")
    # Upper case, in an ASCII page and in a page with other alphabets, where the quick test cannot help.
    write(tmp_path, "ascii/index.html", '<INPUT TYPE="PASSWORD"><link href="static/WagtailAdmin/x.css">')
    write(tmp_path, "greek/index.html", '<p>Ευεξία</p><div class="Wagtail-Userbar">')

    problems = {str(problem) for problem in check_private(tmp_path)}

    assert problems == {
        "media/images/unused.png: is an upload that no page, stylesheet, feed or API file uses",
        "ascii/index.html: contains a password field",
        "ascii/index.html: contains the Wagtail admin's files",
        "greek/index.html: contains the Wagtail userbar",
    }


def test_verify_says_when_the_bag_has_lost_its_manifests(tmp_path):
    site = bagged_site(tmp_path, {"index.html": "<p>Home</p>"})
    for manifest in ("manifest-sha256.txt", "manifest-sha512.txt"):
        (tmp_path / "site.bag" / manifest).unlink()

    status, report = verify(site)

    assert status == 1
    assert report == (
        f"{tmp_path / 'site.bag'} has lost its checksums: manifest-sha256.txt and manifest-sha512.txt "
        "are missing, so no file can be checked."
    )
