"""The plan: a pure function from the previous export's State and the site's Snapshot to a Plan — a
full export with its reason, or the pages to re-render and what to keep. No database, no files."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from .snapshot import PAGE_LABEL, Snapshot, page_signature
from .state import State

MAX_SHARE = 0.5  # Above this share of pages to re-render, a full export is as quick and simpler.


@dataclass(frozen=True)
class PlanOptions:
    """What this export is asked for, beside what the site holds."""

    base_url: str
    captured_at: datetime.datetime
    max_share: float = MAX_SHARE


@dataclass
class Plan:
    """Full export (``reason`` says why) or incremental: the pages to re-render and what to keep."""

    reason: str = ""
    output: Path | None = None  # The previous archive
    previous: State | None = None
    render_ids: set[int] = field(default_factory=set)
    partial: dict[int, set[str]] = field(default_factory=dict)  # listing id -> its URLs to re-render
    changed_ids: set[int] = field(default_factory=set)
    removed_ids: set[int] = field(default_factory=set)
    api_models: list[str] = field(default_factory=list)  # labels whose API listings are rewritten
    present_models: set[str] = field(default_factory=set)  # labels of the page types the site has now

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


def plan_export(previous: State, snapshot: Snapshot, options: PlanOptions) -> Plan:
    """Whether the archive ``previous`` describes can be updated in place of a full export, and how."""
    if reason := full_export_reason(previous, snapshot, options):
        return Plan(reason)
    rows, pages = snapshot.pages, previous.pages
    changed = {pid for pid in rows if pid in pages and pages[pid].sig != page_signature(rows[pid])}
    added, removed = set(rows) - set(pages), set(pages) - set(rows)
    touched = changed | added | removed
    changed_objects = []
    for label, now in snapshot.objects.items():
        before = previous.objects.get(label, {})
        if set(before) - set(now):
            return Plan(f"a {snapshot.object_names.get(label, label)} was deleted")
        changed_objects += [(label, pk) for pk, value in now.items() if before.get(pk) != value]

    # Pages showing a changed person, image or document change too, and so do the pages showing them
    # (a listing shows each case study's author).
    touched |= referring_pages(snapshot.referrers, changed_objects) & set(rows)
    render = pages_to_render(previous, snapshot, touched)
    if len(render) > options.max_share * len(rows):
        return Plan(f"{len(render)} of {len(rows)} pages show what changed, so all are exported")

    labels = snapshot.page_types
    affected_types = {pages[pid].type for pid in removed} | {labels[pid] for pid in render}
    moved = removed | {pid for pid in changed if rows[pid]["url_path"] != pages[pid].url_path}
    return Plan(
        previous=previous,
        render_ids=render,
        partial={} if moved else listing_updates(render, touched, previous, snapshot),
        changed_ids=changed | added,
        removed_ids=removed,
        api_models=sorted(affected_types),
        present_models=set(labels.values()),
    )


def full_export_reason(previous, snapshot, options):
    """Why the previous export cannot be built on, or ""."""
    checks = [
        (previous.site, snapshot.site_id, "the default site is another one"),
        (previous.base_url, options.base_url, f"the base URL differs (previous {previous.base_url})"),
        (
            previous.captured_at,
            options.captured_at,
            f"captured-at differs (previous {previous.captured_at.isoformat()})",
        ),
        (
            previous.software,
            snapshot.software,
            "the software changed (packages or the project's source files)",
        ),
    ]
    for before, now, reason in checks:
        if before != now:
            return reason
    if changed := [label for label, value in snapshot.tables.items() if previous.tables.get(label) != value]:
        return f"site-wide data changed: {', '.join(changed)}"
    return ""


def pages_to_render(previous, snapshot, touched):
    """The pages still on the site that show or link to a touched page, their parents (listings,
    whose pagination shifts), the touched pages themselves, and the home page (latest news)."""
    rows, pages = snapshot.pages, previous.pages
    render = set(touched)
    referrers = {}
    for page_id, record in pages.items():
        for target in record.refs:
            referrers.setdefault(target, set()).add(page_id)
    parents = snapshot.parent_ids()
    for page_id in touched:
        render |= referrers.get(page_id, set())
        render |= {parents.get(page_id), pages[page_id].parent if page_id in pages else None}
    render |= referring_pages(snapshot.referrers, [(PAGE_LABEL, pk) for pk in touched])
    render |= below(rows, set(rows) - set(pages))
    render.add(snapshot.root_page_id)
    return render & set(rows)


def below(rows, page_ids):
    """The pages below ``page_ids``: a page that appears (published, or no longer expired) is in
    their breadcrumbs, though none of them linked to it before, when it was not in the archive."""
    prefixes = tuple(rows[page_id]["path"] for page_id in page_ids)
    return {pid for pid, row in rows.items() if prefixes and row["path"].startswith(prefixes)}


def listing_updates(render, touched, previous, snapshot):
    """The listings re-rendered only because items they show changed, each with the URLs of its
    pages (``page/2/``, a topic's pages…) to render: those whose items changed, moved or show a
    changed page. {page id: URLs}; every other page is rendered whole.

    A listing is rendered whole when its own row changed, its pages were added or removed, or it
    links to a changed page other than as an item (a menu, its intro). (Nor is any listing rendered
    in part when a changed page moved or went: the caller asks for none then.)
    """
    partial = {}
    for pid in sorted(render - touched):
        old, new = previous.pages[pid].routes if pid in previous.pages else None, snapshot.routes.get(pid)
        if not old or new is None:
            continue
        shown = {item for ids in [*old.values(), *new.values()] for item in ids}
        if set(new) != set(old) or not touched & set(previous.pages[pid].refs) <= shown:
            continue
        partial[pid] = {url for url, ids in new.items() if ids != old[url] or touched & set(ids)}
    return partial


def referring_pages(referrers, objects):
    """Ids of the pages that refer to ``objects`` ((label, pk) pairs), directly or through other
    non-page objects (a person whose photo is a changed image), by the snapshot's reference graph."""
    frontier, seen, pages = set(objects), set(), set()
    while frontier:
        seen |= frontier
        found = set().union(*(referrers.get(item, ()) for item in frontier))
        pages |= {pk for label, pk in found if label == PAGE_LABEL}
        frontier = {item for item in found if item[0] != PAGE_LABEL} - seen
    return pages
