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

The layers, each its own module: ``snapshot`` (everything read from the database, before anything
renders), ``state`` (the state file: typed records, JSON only at the file boundary), ``plan`` (a pure
function from the previous state and the snapshot to a Plan) and ``apply`` (the build the plan asks
for, and the new state). This module joins them for the pipeline.
"""

from .apply import build_state, files_to_keep, incremental_stages, link_previous, prepare_build
from .plan import MAX_SHARE, Plan, PlanOptions
from .plan import plan_export as make_plan
from .snapshot import Snapshot, software_fingerprint
from .snapshot import take_snapshot as read_snapshot
from .state import STATE_VERSION, State, UnusableState, load_state, read_state, state_path, write_state

__all__ = [
    "MAX_SHARE",
    "STATE_VERSION",
    "Plan",
    "Snapshot",
    "State",
    "build_state",
    "files_to_keep",
    "incremental_stages",
    "link_previous",
    "load_state",
    "plan_export",
    "prepare_build",
    "software_fingerprint",
    "state_path",
    "take_snapshot",
    "write_state",
]


def take_snapshot(site, pages_queryset, planning=True):
    """Read the site before anything renders; ``planning``: also what an incremental plan needs
    (``software_fingerprint`` is looked up here, so a test can stand in another)."""
    return read_snapshot(site, pages_queryset, software=software_fingerprint(), planning=planning)


def plan_export(output, site, base_url, captured_at, snapshot, previous=None):
    """Whether the previous archive at ``output`` can be updated in place of a full export, and how:
    reads the state beside it (unless given it, ``previous``), then plans without the database (plan.py)."""
    try:
        previous = previous or read_state(output)
    except UnusableState as unusable:
        return Plan(str(unusable))
    if not (output / "index.html").is_file():
        return Plan(f"no previous archive at {output}")
    plan = make_plan(previous, snapshot, PlanOptions(base_url, captured_at, max_share=MAX_SHARE))
    plan.output = output
    return plan
