"""Incremental export: after an edit, re-render only the pages that show or link to what changed.

Every export writes ``DIR-state.json`` beside the archive ``DIR`` (outside it, so the archive stays
byte-identical to a full export): the base URL, capture time and software fingerprint, a signature of
each exported page's row (revision, title, URL, place in the tree…), the files each page wrote and
what their links resolved to (pages and uploads), and digests of the non-page data pages show.

``export_archive(..., incremental=True)`` compares the site with that state. Pages to re-render:
each page that changed, appeared or disappeared; every page whose files linked to one of them (the
state records listings, home, menus, breadcrumbs, related pages and rich-text links as they were
rendered); their parents (listings, whose pagination shifts); pages that Wagtail's ReferenceIndex
says refer to them or to a changed person, image or document (a page not yet live, a featured page);
and the home page (latest news). The site-wide files (sitemaps, feed, 404, search, API listings of
the affected page types, redirects) are always rewritten. Everything else is hard-linked from the
previous archive into the new build, so the swap stays atomic. It falls back to a full export, and
says why, when there is no usable state, the base URL, capture time or software differs, site-wide
data changed (organisations, sites, settings, redirects, tags, collections, or a deleted person,
image or document), or more than half the pages would be re-rendered anyway.
"""

import hashlib
import importlib.metadata
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page, ReferenceIndex, Site

from cms.core.models import Organisation, PaginatedListingMixin, Person

from .archive.files import all_files
from .archive.layout import page_file
from .assets import copy_assets
from .exporter import asset_folders, build_stages
from .quality import check_archive_gates, check_archive_links, check_archive_privacy
from .search_index import title_entry
from .views import ArchivePagesAPIDetailView, ArchivePagesAPIListingView, page_urls

STATE_VERSION = 1
# The page row fields a page's own files and the pages showing it depend on, besides its content
# (which a new live revision brings).
PAGE_FIELDS = (
    "path",
    "depth",
    "url_path",
    "slug",
    "title",
    "seo_title",
    "search_description",
    "show_in_menus",
    "content_type_id",
    "live_revision_id",
    "last_published_at",
    "first_published_at",
    "go_live_at",
    "expire_at",
)
MAX_SHARE = 0.5  # Above this share of pages to re-render, a full export is as quick and simpler.
SOURCE_SUFFIXES = {".py", ".html", ".css", ".js", ".txt", ".json", ".xml"}


def traced_models():
    """Non-page data whose changes are traced to the pages showing it through the ReferenceIndex."""
    return [Person, get_image_model(), get_document_model()]


def site_wide_models():
    """Non-page data shown site-wide or not traced by the ReferenceIndex: a change means a full export."""
    return [Organisation, Site, Redirect, Tag, Collection, CollectionViewRestriction, *settings_registry]


def state_path(output):
    return output.parent / f"{output.name}-state.json"


def load_state(output):
    try:
        return json.loads(state_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def digest(value):
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:20]


def software_fingerprint():
    """Installed packages and versions, plus a hash of the project's own source and template files."""
    hasher = hashlib.sha256()
    packages = sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    )
    hasher.update("\n".join(packages).encode("utf-8"))
    root = Path(settings.BASE_DIR)
    packages = (path for path in root.iterdir() if (path / "__init__.py").is_file() and path.name != "tests")
    for package in sorted(packages):
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(name for name in dirs if name != "__pycache__")
            for name in sorted(files):
                path = Path(folder, name)
                if path.suffix in SOURCE_SUFFIXES:
                    hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
                    hasher.update(path.read_bytes())
    return hasher.hexdigest()


@dataclass
class Snapshot:
    """What the export reads, taken before it renders anything: an edit made during the export is
    then seen as a change by the next one."""

    software: str
    pages: dict  # page id -> row (PAGE_FIELDS)
    tables: dict  # model label -> digest of all its rows
    objects: dict  # model label -> {pk: digest of its row}


def take_snapshot(site, pages_queryset):
    pages = {row["id"]: row for row in pages_queryset.values("id", *PAGE_FIELDS)}
    tables = {
        model._meta.label: digest(list(model.objects.order_by("pk").values_list()))
        for model in site_wide_models()
    }
    objects = {
        model._meta.label: {str(row[0]): digest(row) for row in model.objects.order_by("pk").values_list()}
        for model in traced_models()
    }
    return Snapshot(software_fingerprint(), pages, tables, objects)


def page_signature(row):
    return digest([row[name] for name in PAGE_FIELDS])


def parent_ids(rows):
    by_path = {row["path"]: page_id for page_id, row in rows.items()}
    return {page_id: by_path.get(row["path"][: -Page.steplen]) for page_id, row in rows.items()}


@dataclass
class Plan:
    """Full export (``reason`` says why) or incremental: the pages to re-render and what to keep."""

    reason: str = ""
    output: Path = None  # The previous archive
    previous: dict = None
    render_ids: set = field(default_factory=set)
    partial: dict = field(default_factory=dict)  # listing page id -> the URLs of it to re-render
    changed_ids: set = field(default_factory=set)
    removed_ids: set = field(default_factory=set)
    api_models: list = field(default_factory=list)  # labels whose API listings are rewritten
    present_models: set = field(default_factory=set)  # labels of the page types the site has now

    @property
    def replaced_ids(self):
        """Pages whose previous files are not kept: re-rendered or gone."""
        return self.render_ids | self.removed_ids

    @property
    def incremental(self):
        return not self.reason

    def summary(self):
        if not self.incremental:
            return {"mode": "full", "reason": self.reason}
        return {
            "mode": "incremental",
            "changed_pages": sorted(self.changed_ids),
            "removed_pages": sorted(self.removed_ids),
            "rendered_pages": sorted(self.render_ids),
            "partly_rendered_pages": {str(pid): len(urls) for pid, urls in sorted(self.partial.items())},
        }


def plan_export(output, site, base_url, captured_at, snapshot):
    """Whether the previous archive at ``output`` can be updated in place of a full export, and how."""
    state = load_state(output)
    if state is None:
        return Plan(f"no previous export state at {state_path(output)}")
    if not (output / "index.html").is_file():
        return Plan(f"no previous archive at {output}")
    checks = [
        ("version", STATE_VERSION, "the export state is from another version of the exporter"),
        ("site", site.pk, "the default site is another one"),
        ("base_url", base_url, f"the base URL differs (previous {state.get('base_url')})"),
        (
            "captured_at",
            captured_at.isoformat(),
            f"captured-at differs (previous {state.get('captured_at')})",
        ),
        ("software", snapshot.software, "the software changed (packages or the project's source files)"),
    ]
    for key, value, reason in checks:
        if state.get(key) != value:
            return Plan(reason)
    if changed := [label for label, value in snapshot.tables.items() if state["tables"].get(label) != value]:
        return Plan(f"site-wide data changed: {', '.join(changed)}")

    previous = {int(page_id): record for page_id, record in state["pages"].items()}
    rows = snapshot.pages
    changed = {pid for pid in rows if pid in previous and previous[pid]["sig"] != page_signature(rows[pid])}
    added, removed = set(rows) - set(previous), set(previous) - set(rows)
    touched = changed | added | removed

    changed_objects = []
    for model in traced_models():
        before, now = state["objects"].get(model._meta.label, {}), snapshot.objects[model._meta.label]
        if set(before) - set(now):
            return Plan(f"a {model._meta.verbose_name} was deleted")
        changed_objects += [(model, pk) for pk, value in now.items() if before.get(pk) != value]

    # Pages showing a changed person, image or document change too, and so do the pages showing them
    # (a listing shows each case study's author).
    touched |= referring_pages(changed_objects) & set(rows)
    render = set(touched - removed)
    referrers = {}
    for page_id, record in previous.items():
        for target in record["refs"]:
            referrers.setdefault(target, set()).add(page_id)
    parents = parent_ids(rows)
    for page_id in touched:
        render |= referrers.get(page_id, set())
        render |= {parents.get(page_id), previous.get(page_id, {}).get("parent")}
    render |= referring_pages([(Page, pk) for pk in touched])
    render.add(site.root_page_id)
    render &= set(rows)
    if len(render) > MAX_SHARE * len(rows):
        return Plan(f"{len(render)} of {len(rows)} pages show what changed, so all are exported")

    labels = {pid: model_label(row["content_type_id"]) for pid, row in rows.items()}
    affected_types = {previous[pid]["type"] for pid in removed} | {labels[pid] for pid in render}
    moved = removed | {pid for pid in changed if rows[pid]["url_path"] != previous[pid].get("url_path")}
    return Plan(
        output=output,
        previous=state,
        render_ids=render,
        partial=listing_updates(render, touched, moved, previous),
        changed_ids=changed | added,
        removed_ids=removed,
        api_models=sorted(affected_types),
        present_models=set(labels.values()),
    )


def listing_updates(render, touched, moved, previous):
    """The listings re-rendered only because items they show changed, each with the URLs of its
    pages (``page/2/``, a topic's pages…) to render: those whose items changed, moved or show a
    changed page. {page id: URLs}; every other page is rendered whole.

    A listing is rendered whole when its own row changed, its pages were added or removed, it links
    to a changed page other than as an item (a menu, its intro), or a changed page moved or went.
    """
    candidates = [pid for pid in render - touched if previous.get(pid, {}).get("routes")]
    partial = {}
    for page in Page.objects.filter(pk__in=candidates).specific() if not moved else []:
        old = previous[page.pk]["routes"]
        new = route_items(page)
        shown = {pid for ids in [*old.values(), *new.values()] for pid in ids}
        if set(new) != set(old) or not touched & set(previous[page.pk]["refs"]) <= shown:
            continue
        partial[page.pk] = {url for url, ids in new.items() if ids != old[url] or touched & set(ids)}
    return partial


def route_items(listing_page):
    """{URL: ids of the items it shows} for each route of a listing page, as the export state keeps it."""
    return {listing_page.url + route.path: list(route.item_ids) for route in listing_page.routes()}


def model_label(content_type_id):
    return ContentType.objects.get_for_id(content_type_id).model_class()._meta.label


def referring_pages(objects):
    """Ids of pages that the ReferenceIndex says refer to ``objects`` ((model, pk) pairs), directly or
    through other non-page objects (a person whose photo is a changed image)."""
    page_type = ContentType.objects.get_for_model(Page).pk
    frontier = {(ReferenceIndex._get_base_content_type(model).pk, str(pk)) for model, pk in objects}
    seen, pages = set(), set()
    while frontier:
        condition = Q()
        for content_type in {content_type for content_type, _pk in frontier}:
            ids = [pk for other, pk in frontier if other == content_type]
            condition |= Q(to_content_type_id=content_type, to_object_id__in=ids)
        seen |= frontier
        found = set(ReferenceIndex.objects.filter(condition).values_list("base_content_type_id", "object_id"))
        pages |= {int(pk) for content_type, pk in found if content_type == page_type}
        frontier = {item for item in found if item[0] != page_type} - seen
    return pages


# Building ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptPage:
    """A page the incremental export does not re-render: enough to link to it and list it in sitemap.xml."""

    pk: int
    last_published_at: object


def listing_folder(label):
    return f"api/v2/pages/listing/{label}/"


def link_previous(output, build_dir, plan, asset_folders):
    """Hard-link the previous archive's files that stay as they are into the build; returns the
    previous page files left out (their pages are re-rendered or gone)."""
    keep, dropped = [], set()
    for page_id, record in plan.previous["pages"].items():
        rendered_urls = plan.partial.get(int(page_id))
        if rendered_urls is not None:
            kept = [page_file(url) for url in record["urls"] if url not in rendered_urls]
            keep.extend(kept)
            dropped.update(set(record["files"]) - set(kept))
        elif int(page_id) in plan.replaced_ids:
            dropped.update(record["files"])
        else:
            keep.extend(record["files"])
    for folder in asset_folders:
        keep += walk_files(output, folder)
    listing = "api/v2/pages/listing/"
    for label in os.listdir(output / listing) if (output / listing).is_dir() else []:
        if (output / listing / label).is_dir() and label not in plan.api_models:
            keep += walk_files(output, listing_folder(label))
    made = set()
    for name in keep:
        folder = os.path.dirname(name)
        if folder not in made:
            os.makedirs(build_dir / folder, exist_ok=True)
            made.add(folder)
        os.link(output / name, build_dir / name)
    return dropped


def walk_files(root, folder):
    """The files under ``folder`` of the archive at ``root``, as archive paths."""
    return [f"{folder.rstrip('/')}/{name}" for name in all_files(Path(root) / folder)]


def prepare_build(archive, plan, snapshot):
    """Point the build at the whole site: kept pages resolve as links and appear in sitemaps."""
    previous, replaced = plan.previous["pages"], plan.replaced_ids
    for page_id, record in previous.items():
        page_id = int(page_id)
        if page_id in replaced:
            continue
        kept = KeptPage(page_id, snapshot.pages[page_id]["last_published_at"])
        for url in record["urls"]:
            archive.page_urls[url] = kept
    archive.page_ids = set(snapshot.pages)
    for page in archive.pages:
        if (rendered_urls := plan.partial.get(page.pk)) is not None:
            archive.kept_urls.update(url for url in page_urls(page) if url not in rendered_urls)
    rendered = {page.pk: page for page in archive.pages}
    ordered = sorted(snapshot.pages, key=lambda pid: snapshot.pages[pid]["path"])
    archive.title_entries = [
        title_entry(rendered[pid]) if pid in rendered else previous[str(pid)]["search"] for pid in ordered
    ]


def incremental_stages(archive, plan, dropped):
    """The export's stages, narrowed to what changed: the same names as a full export's."""
    stages = dict(build_stages(archive))

    def api():
        ArchivePagesAPIDetailView(archive=archive).build_queryset()
        labels = [label for label in plan.api_models if label in plan.present_models]
        listings = ArchivePagesAPIListingView(archive, [None, *labels], items=lambda *args: items(*args))

        def items(label, rendered):
            """The listing's items: the previous listing's, with the re-rendered pages' serialized anew."""
            kept = {
                item["id"]: item
                for item in previous_listing(plan.output, label)
                if item["id"] not in plan.replaced_ids
            }
            fresh = {page.pk: listings.serialize_page(label, page) for page in rendered}
            return [fresh.get(page_id) or kept[page_id] for page_id in sorted(kept.keys() | fresh.keys())]

        listings.build()

    def assets():
        present = {
            path: source for path, source in archive.assets.items() if (archive.build_dir / path).exists()
        }
        for path in present:
            del archive.assets[path]
        copy_assets(archive)
        prune_assets(archive, plan, present)

    def written():
        return archive.written | set(archive.file_refs)

    def links():
        # A file no longer in the archive may be named by a page kept as it was: check every file then.
        gone = {name for name in dropped if not (archive.build_dir / name).exists()} | archive.pruned
        check_archive_links(archive, None if gone else written())
        replaced = plan.replaced_ids
        kept = (
            record["external"]
            for page_id, record in plan.previous["pages"].items()
            if int(page_id) not in replaced
        )
        found = set(archive.report.external_links).union(*kept)
        archive.report.external_links = sorted(found)

    stages.update(
        api=api,
        assets=assets,
        links=links,
        privacy=lambda: check_archive_privacy(archive, written()),
        gates=lambda: check_archive_gates(archive, written()),
    )
    return list(stages.items())


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
    replaced = plan.replaced_ids
    for page_id, record in plan.previous["pages"].items():
        if int(page_id) not in replaced:
            needed.update(record["assets"])
    stylesheets = {**plan.previous["stylesheets"], **stylesheet_refs(archive)}
    for name in [path for path in needed if path in stylesheets]:
        needed |= set(stylesheets[name])
    archive.pruned = set()

    for folder in asset_folders():
        for name in walk_files(archive.build_dir, folder):
            if name not in needed:
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
    rows = snapshot.pages
    parents = parent_ids(rows)
    urls = {}
    for url, page in archive.page_urls.items():
        if not isinstance(page, KeptPage):
            urls.setdefault(page.pk, []).append(url)
    previous = plan.previous["pages"] if plan.incremental else {}
    pages = {}
    for page in archive.pages:
        files = [page_file(url) for url in urls.get(page.pk, [])] + [f"api/v2/pages/{page.pk}.json"]
        refs = [archive.file_refs.get(name, {"pages": (), "assets": (), "warnings": ()}) for name in files]
        record = {
            "type": type(page)._meta.label,
            "urls": urls.get(page.pk, []),
            "files": files,
            "refs": sorted({pid for ref in refs for pid in ref["pages"]}),
            "assets": sorted({path for ref in refs for path in ref["assets"]}),
            "warnings": [warning for ref in refs for warning in ref["warnings"]],
            "external": sorted({url for name in files for url in archive.external_links.get(name, ())}),
            "search": title_entry(page),
        }
        if isinstance(page, PaginatedListingMixin):
            record["routes"] = route_items(page)
        if page.pk in plan.partial:  # Its kept files link to what they linked to before.
            before = previous[str(page.pk)]
            for key in ("refs", "assets", "external"):
                record[key] = sorted(set(record[key]) | set(before[key]))
            record["warnings"] = list(dict.fromkeys(before["warnings"] + record["warnings"]))
        pages[str(page.pk)] = record
    for page_id, record in previous.items():
        if int(page_id) in rows and page_id not in pages:
            pages[page_id] = record
    for page_id, record in pages.items():
        row = rows[int(page_id)]
        record["sig"] = page_signature(row)
        record["url_path"] = row["url_path"]
        record["parent"] = parents.get(int(page_id))
    stylesheets = {**(plan.previous["stylesheets"] if plan.incremental else {}), **stylesheet_refs(archive)}
    return {
        "version": STATE_VERSION,
        "site": archive.site.pk,
        "base_url": archive.base_url,
        "captured_at": archive.captured_at.isoformat(),
        "software": snapshot.software,
        "tables": snapshot.tables,
        "objects": snapshot.objects,
        "stylesheets": stylesheets,
        "pages": dict(sorted(pages.items(), key=lambda item: int(item[0]))),
    }


def write_state(output, state):
    path = state_path(output)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, default=str, separators=(",", ":")) + "\n", encoding="utf-8")
    os.replace(temporary, path)
