"""The export's checks of the finished build, each a stage: internal links, privacy (including every
document the CMS keeps private) and the quality gates. They run the archive layer's checks, which
need only files, with what the database knows."""

from dataclasses import asdict

from wagtail.documents import get_document_model

from cms.core.privacy import private_collection_ids

from .archive.checks import CheckRun, PrivateDocument, check_private, link_report
from .archive.errors import ExportError
from .archive.files import all_files, only_files
from .archive.gates import MissingTool, pages_to_audit, run_gates
from .archive.layout import page_file
from .archive.warm import warm_tools
from .site_files import HTML_SITEMAP_URL


def check_archive_links(archive, only=None):
    """Broken internal references in the archive, or in the files of ``only`` (archive paths), and
    any reference to the media storage's own URL (an S3 bucket's) left in them."""
    if archive.base_dir is None:
        problems, archive.external_links = link_report(archive.build_dir, only, archive.media_urls)
        checked = only_files(all_files(archive.build_dir) if only is None else only, {".html", ".css"})
    else:  # An update in place: what it built is in the build, what it keeps is where it was.
        present = archive.present_files()
        built = [name for name in (present if only is None else only) if name not in archive.kept_files]
        kept = sorted(archive.kept_files) if only is None else []
        problems, archive.external_links = link_report(archive.build_dir, built, archive.media_urls, present)
        if kept:
            more, external = link_report(archive.base_dir, kept, archive.media_urls, present)
            problems += more
            archive.external_links.update(external)
        checked = only_files(built + kept, {".html", ".css"})
    record(archive, CheckRun("links", "link check (static_export)", "", len(checked), problems))
    archive.report.external_links = sorted({url for urls in archive.external_links.values() for url in urls})
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ExportError(f"{len(problems)} broken internal references in the archive:\n{listed}{more}")


def check_archive_gates(archive, only=None):
    """Leaked markup, vnu and axe (see gates.py); ``gates`` option narrows them, ``skip_gates`` skips.

    ``only``: the files (archive paths) an incremental export wrote; axe audits one page per type of
    them, and not the HTML sitemap: an incremental export runs the same software as the full export
    that audited it, so only page titles in its links can differ (auditing 10,000 links takes seconds).
    """
    names = () if archive.options.skip_gates else archive.options.gates
    if not names:
        archive.warnings.append("Quality gates skipped (--skip-gates): nobody checked this archive.")
        return
    try:
        page_urls = archive.page_urls
        if only is not None:
            page_urls = {url: page for url, page in page_urls.items() if page_file(url) in only}
        pages = pages_to_audit(page_urls, archive.extra_files, archive.build_dir)
        if only is not None:
            pages.remove(archive.extra_files[HTML_SITEMAP_URL])
        tools = fallback = None
        if archive.options.in_place and only is not None:  # An update of a live copy: warm tools.
            tools, fallback = warm_tools(), archive.base_dir
            if archive.changed_types is not None:
                pages = pages_of_types(page_urls, archive.changed_types, pages)
        runs = []
        problems = run_gates(archive.build_dir, names, pages, only, runs, tools=tools, fallback=fallback)
        for run in runs:
            record(archive, run)
    except MissingTool as exc:
        raise ExportError(f"A quality gate cannot run. {exc}") from exc
    if problems:
        listed = "\n".join(f"  [{problem.gate}] {problem}" for problem in problems[:30])
        more = f"\n  … and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise ExportError(f"{len(problems)} quality gate failures in the archive:\n{listed}{more}")


def pages_of_types(page_urls, types, chosen):
    """Of the pages chosen for axe (one per page type and route), those of the page types ``types``
    (model labels): an update re-renders listings and the home page only because what they list
    changed, so the templates to audit are those of the pages that changed."""
    of_type = {page_file(url) for url, page in page_urls.items() if type(page)._meta.label in types}
    return [name for name in chosen if name in of_type]


def check_archive_privacy(archive, only=None):
    problems = check_private(archive.build_dir, only, private_documents())
    checked = len(all_files(archive.build_dir) if only is None else only)
    record(archive, CheckRun("privacy", "privacy check (static_export)", "", checked, problems))
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise ExportError(f"{len(problems)} signs of private content in the archive:\n{listed}")


def record(archive, run):
    """Add a check's run to the export's report (DIR-report.json), its problems as text."""
    if getattr(archive, "report", None) is not None:
        archive.report.checks.append({**asdict(run), "problems": [str(problem) for problem in run.problems]})


def private_documents():
    """Every document in a private collection, as the archive's privacy check looks for it."""
    documents = get_document_model().objects.filter(collection__in=private_collection_ids())
    return [
        PrivateDocument(
            document.pk,
            document.title,
            f"document {document.pk} “{document.title}”, which is private "
            f"(collection “{collection_path(document.collection)}”)",
        )
        for document in documents.select_related("collection").order_by("pk")
    ]


def collection_path(collection):
    """“Board papers › Minutes”: the collection below the root, with those above it."""
    return " › ".join(ancestor.name for ancestor in collection.get_ancestors(inclusive=True)[1:])
