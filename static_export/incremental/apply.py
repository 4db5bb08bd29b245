"""Applying a plan: link the previous archive's files that stay into the build, point the build at
the whole site, run the export's stages narrowed to what changed, and describe the result as the
State the next incremental export starts from."""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cms.core.models import PaginatedListingMixin

from ..archive.files import all_files, place_files
from ..archive.layout import page_file
from ..assets import copy_assets
from ..exporter import asset_folders, build_stages
from ..quality import check_archive_gates, check_archive_links, check_archive_privacy
from ..search_index import title_entry, write_archive_search
from ..views import ArchivePagesAPIDetailView, ArchivePagesAPIListingView, page_urls
from .snapshot import page_signature, route_items
from .state import PageRecord, State


@dataclass(frozen=True)
class KeptPage:
    """A page the incremental export does not re-render: enough to link to it and list it in sitemap.xml."""

    pk: int
    last_published_at: object


def listing_folder(label):
    return f"api/v2/pages/listing/{label}/"


def walk_files(root, folder):
    """The files under ``folder`` of the archive at ``root``, as archive paths."""
    return [f"{folder.rstrip('/')}/{name}" for name in all_files(Path(root) / folder)]


def link_previous(output, build_dir, plan, asset_folders):
    """Hard-link the previous archive's files that stay as they are into the build; returns the
    previous page files left out (their pages are re-rendered or gone)."""
    keep, dropped = files_to_keep(output, plan, asset_folders)
    place_files(keep, output, build_dir, os.link)
    return dropped


def files_to_keep(output, plan, folders):
    """(the previous archive's files that stay as they are, the previous page files left out):
    each kept page's files, every file in ``folders`` (uploads, static files: pruned later), and
    the API listings of page types nothing changed in."""
    keep, dropped = [], set()
    for page_id, record in plan.previous.pages.items():
        rendered_urls = plan.partial.get(page_id)
        if rendered_urls is not None:
            kept = [page_file(url) for url in record.urls if url not in rendered_urls]
            keep.extend(kept)
            dropped.update(set(record.files) - set(kept))
        elif page_id in plan.replaced_ids:
            dropped.update(record.files)
        else:
            keep.extend(record.files)
    for folder in folders:
        keep += walk_files(output, folder)
    listing = "api/v2/pages/listing/"
    for label in os.listdir(output / listing) if (output / listing).is_dir() else []:
        if (output / listing / label).is_dir() and label not in plan.api_models:
            keep += walk_files(output, listing_folder(label))
    return keep, dropped


def prepare_build(archive, plan, snapshot):
    """Point the build at the whole site: kept pages resolve as links and appear in sitemaps."""
    previous, replaced = plan.previous.pages, plan.replaced_ids
    for page_id, record in previous.items():
        if page_id in replaced:
            continue
        kept = KeptPage(page_id, snapshot.pages[page_id]["last_published_at"])
        for url in record.urls:
            archive.page_urls[url] = kept
    archive.page_ids = set(snapshot.pages)
    for page in archive.pages:
        if (rendered_urls := plan.partial.get(page.pk)) is not None:
            archive.kept_urls.update(url for url in page_urls(page) if url not in rendered_urls)
    rendered = {page.pk: page for page in archive.pages}
    types = snapshot.page_types
    archive.changed_types = {types[pid] for pid in plan.changed_ids if pid in types}
    ordered = sorted(snapshot.pages, key=lambda pid: snapshot.pages[pid]["path"])
    archive.title_entries = [
        title_entry(rendered[pid]) if pid in rendered else previous[pid].search for pid in ordered
    ]


def incremental_stages(archive, plan, dropped):
    """The export's stages, narrowed to what changed: the same names as a full export's."""
    stages = dict(build_stages(archive))

    def assets():
        present = {path: source for path, source in archive.assets.items() if archive.has_file(path)}
        for path in present:
            del archive.assets[path]
        copy_assets(archive)
        prune_assets(archive, plan, present)

    def written():
        return archive.written | set(archive.file_refs)

    def links():
        # A file no longer in the archive may be named by a page kept as it was: check every file then.
        gone = {name for name in dropped if not archive.has_file(name)} | archive.pruned
        check_archive_links(archive, None if gone else written())
        kept = (
            record.external for pid, record in plan.previous.pages.items() if pid not in plan.replaced_ids
        )
        archive.report.external_links = sorted(set(archive.report.external_links).union(*kept))

    stages.update(
        api=lambda: write_api(archive, plan),
        assets=assets,
        links=links,
        privacy=lambda: check_archive_privacy(archive, written()),
        gates=lambda: check_archive_gates(archive, written()),
        # An update in place leaves the Pagefind index to a task of its own (pipeline.reindex_search).
        search=lambda: write_archive_search(archive, pagefind=not archive.options.in_place),
    )
    return list(stages.items())


def write_api(archive, plan):
    """The API files of the re-rendered pages, and the listings of the page types affected."""
    ArchivePagesAPIDetailView(archive=archive).build_queryset()
    labels = [label for label in plan.api_models if label in plan.present_models]
    listings = UpdatedListings(archive, [None, *labels], items=lambda *args: items(*args))

    def items(label, rendered):
        """The listing's items: the previous listing's, with the re-rendered pages' serialized anew."""
        previous = previous_listing(plan.output, label)
        listings.previous_ids[label] = [item["id"] for item in previous]
        kept = {item["id"]: item for item in previous if item["id"] not in plan.replaced_ids}
        fresh = {page.pk: listings.serialize_page(label, page) for page in rendered}
        return [fresh.get(page_id) or kept[page_id] for page_id in sorted(kept.keys() | fresh.keys())]

    listings.build()


class UpdatedListings(ArchivePagesAPIListingView):
    """An incremental export's API listings. Updating in place, a listing's files whose items are the
    previous file's, unchanged and in the same places, are kept where they are rather than written
    again: editing one page rewrites one file of each listing showing it, not the whole listing."""

    def __init__(self, archive, labels, items):
        super().__init__(archive, labels, items=items)
        self.previous_ids = {}  # label -> the ids the previous listing had, in order
        self.kept_in_place = {}  # label -> whether its pages are the previous listing's, in place

    def jobs(self):
        jobs = super().jobs()
        if not self.archive.options.in_place:
            return jobs
        unchanged = [job for job in jobs if self.unchanged(*job)]
        self.archive.kept_files.update(self.get_build_path(number, label) for label, number in unchanged)
        return [job for job in jobs if job not in set(unchanged)]

    def unchanged(self, label, number):
        return self.same_places(label) and all(isinstance(item, dict) for item in self.chunk(label, number))

    def same_places(self, label):
        """Whether the listing has the pages the previous one had, in the same order."""
        if label not in self.kept_in_place:
            ids = [item["id"] if isinstance(item, dict) else item.page.pk for item in self.listed[label]]
            self.kept_in_place[label] = ids == self.previous_ids.get(label)
        return self.kept_in_place[label]


def previous_listing(output, label):
    """Every item of a listing in the previous archive (None: the listing of all pages)."""
    folder = Path(output) / (listing_folder(label) if label else "api/v2/pages/listing/")
    if not folder.is_dir():
        return []  # A page type new to the site.
    names = sorted((name for name in os.listdir(folder) if name.endswith(".json")), key=lambda n: int(n[:-5]))
    return [item for name in names for item in json.loads((folder / name).read_text("utf-8"))["items"]]


def prune_assets(archive, plan, present):
    """Keep the uploads and static files some page still names; a full export would copy no others."""
    needed = set(archive.assets) | {path for refs in archive.file_refs.values() for path in refs["assets"]}
    for page_id, record in plan.previous.pages.items():
        if page_id not in plan.replaced_ids:
            needed.update(record.assets)
    stylesheets = {**plan.previous.stylesheets, **stylesheet_refs(archive)}
    for name in [path for path in needed if path in stylesheets]:
        needed |= set(stylesheets[name])
    archive.pruned = set()

    for folder in asset_folders():
        built = walk_files(archive.build_dir, folder)
        for name in sorted({*built, *(kept for kept in archive.kept_files if kept.startswith(folder))}):
            if name in needed:
                continue
            if name in archive.kept_files:
                archive.kept_files.discard(name)  # Left where it is until the update removes it.
            else:
                os.unlink(archive.build_dir / name)
            archive.pruned.add(name)
    for path in needed:
        archive.assets.setdefault(path, present.get(path, ("kept", path)))
        if path.startswith("documents/"):
            archive.documents.add(int(path.split("/")[1]))


def stylesheet_refs(archive):
    return {name: sorted(refs["assets"]) for name, refs in archive.file_refs.items() if name.endswith(".css")}


# The state ----------------------------------------------------------------------------------------


def build_state(archive, snapshot, plan):
    """The state of the archive just built, for the next incremental export."""
    urls = {}
    for url, page in archive.page_urls.items():
        if not isinstance(page, KeptPage):
            urls.setdefault(page.pk, []).append(url)
    previous = plan.previous.pages if plan.incremental else {}
    pages = {
        page.pk: page_record(archive, page, urls.get(page.pk, []), previous.get(page.pk), plan)
        for page in archive.pages
    }
    for page_id, record in previous.items():
        if page_id in snapshot.pages and page_id not in pages:
            pages[page_id] = record
    parents = snapshot.parent_ids()
    for page_id, record in pages.items():
        row = snapshot.pages[page_id]
        record.sig, record.url_path, record.parent = (
            page_signature(row),
            row["url_path"],
            parents.get(page_id),
        )
    stylesheets = {**(plan.previous.stylesheets if plan.incremental else {}), **stylesheet_refs(archive)}
    return State(
        site=archive.site.pk,
        base_url=archive.base_url,
        captured_at=archive.captured_at,
        software=snapshot.software,
        tables=snapshot.tables,
        objects=snapshot.objects,
        stylesheets=stylesheets,
        pages=dict(sorted(pages.items())),
    )


def page_record(archive, page, urls, before, plan):
    """What a rendered page wrote and what its files linked to (``before``: its previous record)."""
    files = [page_file(url) for url in urls] + [f"api/v2/pages/{page.pk}.json"]
    refs = [archive.file_refs.get(name, {"pages": (), "assets": (), "warnings": ()}) for name in files]
    record = PageRecord(
        type=type(page)._meta.label,
        urls=urls,
        files=files,
        refs=sorted({pid for ref in refs for pid in ref["pages"]}),
        assets=sorted({path for ref in refs for path in ref["assets"]}),
        warnings=[warning for ref in refs for warning in ref["warnings"]],
        external=sorted({url for name in files for url in archive.external_links.get(name, ())}),
        search=title_entry(page),
        routes=route_items(page) if isinstance(page, PaginatedListingMixin) else None,
    )
    if page.pk in plan.partial:  # Its kept files link to what they linked to before.
        record.refs = sorted(set(record.refs) | set(before.refs))
        record.assets = sorted(set(record.assets) | set(before.assets))
        record.external = sorted(set(record.external) | set(before.external))
        record.warnings = list(dict.fromkeys(before.warnings + record.warnings))
    return record
