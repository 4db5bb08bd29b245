"""A document in a private collection is absent from every public output, however a page refers to it."""

import json

import pytest
from wagtail.models import Collection, CollectionViewRestriction

from resources.models import LearningProgrammePage
from site_pages.models import NewsIndexPage
from static_export.exporter import ExportError
from static_export.quality import check_archive_privacy
from tests.factories import (
    DocumentFactory,
    NewsReleasePageFactory,
    ProgrammeDownloadFactory,
    StandardPageFactory,
    document_link,
    paragraph,
)

from .archive_files import files

pytestmark = pytest.mark.django_db

TITLE = "Minutes of the closed board meeting"
DESCRIPTION = "SECRET-DESCRIPTION-TOKEN"


@pytest.fixture
def private_document(demo_site):
    """A document in a collection below one with a login restriction (privacy applies all the way down)."""
    board_papers = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(collection=board_papers, restriction_type="login")
    minutes = board_papers.add_child(name="Minutes")
    return DocumentFactory(
        collection=minutes,
        title=TITLE,
        file__filename="closed-board-minutes.pdf",
        file__data=b"%PDF-1.4 PRIVATE-CONTENT-TOKEN",
    )


@pytest.fixture
def public_document(demo_site):
    return DocumentFactory(title="Public annual report", file__filename="annual-report.pdf")


@pytest.fixture
def pages_referring_to_it(private_document, public_document):
    """A news release with a document block, a page with a rich-text link, and a programme download."""
    news = NewsReleasePageFactory(
        parent=NewsIndexPage.objects.get(),
        title="Release naming a private document",
        body=[
            document_link(private_document, description=DESCRIPTION),
            document_link(public_document),
        ],
    )
    standard = StandardPageFactory(
        parent=news.get_parent().get_parent(),
        title="Page linking to a private document",
        body=[paragraph(f'<p>Read <a linktype="document" id="{private_document.pk}">the minutes</a>.</p>')],
    )
    programme = LearningProgrammePage.objects.live().first()
    ProgrammeDownloadFactory(page=programme, document=private_document, description=DESCRIPTION)
    ProgrammeDownloadFactory(page=programme, document=public_document)
    programme.save_revision().publish()
    return [news, standard, LearningProgrammePage.objects.get(pk=programme.pk)]


def traces(private_document):
    folder = f"documents/{private_document.pk}/"
    return [TITLE, DESCRIPTION, folder, "closed-board-minutes", "PRIVATE-CONTENT"]


def test_live_pages_and_api_never_name_a_private_document(client, private_document, pages_referring_to_it):
    for page in pages_referring_to_it:
        for url in (page.url, f"/api/v2/pages/{page.pk}/"):
            response = client.get(url)
            assert response.status_code == 200, url
            for trace in traces(private_document):
                assert trace not in response.content.decode(), f"{trace} on {url}"
    documents = client.get("/api/v2/documents/").json()
    assert private_document.pk not in [item["id"] for item in documents["items"]]
    assert client.get(f"/api/v2/documents/{private_document.pk}/").status_code == 404
    # What is public stays: the public document's block, the programme's public download, the link's words.
    assert "Public annual report" in client.get(pages_referring_to_it[0].url).content.decode()
    assert "annual-report.pdf" in client.get(pages_referring_to_it[2].url).content.decode()
    assert "the minutes" in client.get(pages_referring_to_it[1].url).content.decode()
    downloads = client.get(f"/api/v2/pages/{pages_referring_to_it[2].pk}/").json()["downloads"]
    titles = [download["document"]["title"] for download in downloads]
    assert "Public annual report" in titles and TITLE not in titles


def test_no_archive_file_names_a_private_document(private_document, pages_referring_to_it, export):
    archive, _report = export()

    for name in files(archive):
        content = (archive / name).read_bytes().decode("utf-8", errors="replace")
        for trace in traces(private_document):
            assert trace not in content, f"{trace} leaked into {name}"
            assert trace not in name
    for page in pages_referring_to_it:
        detail = json.loads((archive / f"api/v2/pages/{page.pk}.json").read_text())
        assert detail["title"] == page.title
    release = archive / "news/release-naming-a-private-document/index.html"
    assert "Public annual report" in release.read_text()


def test_the_privacy_check_catches_any_trace_of_a_private_document(
    private_document, pages_referring_to_it, export, settings
):
    archive, _report = export(name="archive")
    page = archive / "news/release-naming-a-private-document/index.html"
    html = page.read_text()
    build = type("Build", (), {"build_dir": archive})  # The check needs only the folder.

    for leaked in (
        f"<p>{TITLE}</p>",  # Its title as text, as the document block showed it.
        f'<a href="../../documents/{private_document.pk}/closed-board-minutes.pdf">Read</a>',
        f'"download_url": "https://example.org/documents/{private_document.pk}/closed-board-minutes.pdf"',
    ):
        page.write_text(html.replace("</main>", leaked + "</main>"))
        with pytest.raises(ExportError) as raised:
            check_archive_privacy(build)
        message = str(raised.value)
        assert "news/release-naming-a-private-document/index.html" in message
        assert f"document {private_document.pk}" in message and "Board papers" in message

    page.write_text(html)
    check_archive_privacy(build)  # Clean again: nothing to report.
    copied = archive / f"documents/{private_document.pk}/closed-board-minutes.pdf"
    copied.parent.mkdir(parents=True)
    copied.write_bytes(b"%PDF-1.4")
    with pytest.raises(ExportError, match=f"documents/{private_document.pk}/closed-board-minutes.pdf"):
        check_archive_privacy(build)


def test_a_release_naming_only_private_documents_still_exports(private_document, export):
    NewsReleasePageFactory(
        parent=NewsIndexPage.objects.get(), title="Only private", body=[document_link(private_document)]
    )
    archive, _report = export()
    release = (archive / "news/only-private/index.html").read_text()
    assert "<h1" in release and "document-link" not in release
