"""The export state: what an export leaves beside its archive ``DIR`` in ``DIR-state.json`` (outside
it, so the archive stays byte-identical to a full export) for the next incremental export.

Typed values with integer ids in memory; JSON only at the file boundary (``to_json``/``from_json``).
A state file of another ``version`` is not read: the next export is then a full one, and says why.
"""

import datetime
import json
import os
from dataclasses import dataclass, field, fields

STATE_VERSION = 2  # 2: typed records; routes, referrers and page types taken from the snapshot.


@dataclass
class PageRecord:
    """One exported page: what it wrote, what its files linked to, and its row as it was exported."""

    type: str  # its model's label
    urls: list[str]  # its URL and its listing routes' URLs
    files: list[str]  # the archive files it wrote
    refs: list[int]  # the pages its files link to or show
    assets: list[str]  # the uploads and static files its files name
    warnings: list[str]
    external: list[str]  # the external URLs its files link to
    search: dict | None  # its entry in search/titles.js
    routes: dict[str, tuple[int, ...]] | None = None  # a listing's {URL: item ids}
    sig: str = ""  # the signature of its page row
    url_path: str = ""
    parent: int | None = None


@dataclass
class State:
    """What the previous export read and wrote."""

    site: int
    base_url: str
    captured_at: datetime.datetime
    software: str
    tables: dict[str, str]  # site-wide model label -> digest
    objects: dict[str, dict[int, str]]  # traced model label -> {pk: digest}
    stylesheets: dict[str, list[str]]  # stylesheet -> the assets it names
    pages: dict[int, PageRecord] = field(default_factory=dict)
    version: int = STATE_VERSION


STATE_FIELDS = [item.name for item in fields(State)]
RECORD_FIELDS = [item.name for item in fields(PageRecord)]


class UnusableState(Exception):
    """There is no previous state an incremental export can build on; the message says why."""


def state_path(output):
    return output.parent / f"{output.name}-state.json"


def read_state(output):
    """The state beside the archive at ``output``; raises UnusableState saying why there is none."""
    path = state_path(output)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UnusableState(f"no previous export state at {path}") from None
    version = data.get("version") if isinstance(data, dict) else None
    if version != STATE_VERSION:
        raise UnusableState(
            f"the export state is from another version of the exporter (state version {version}, "
            f"this exporter writes {STATE_VERSION})"
        )
    try:
        return from_json(data)
    except (KeyError, TypeError, ValueError) as error:
        raise UnusableState(f"the export state at {path} is damaged ({error!r})") from None


def load_state(output):
    """The usable state beside the archive at ``output``, or None."""
    try:
        return read_state(output)
    except UnusableState:
        return None


def write_state(output, state):
    path = state_path(output)
    temporary = path.with_name(path.name + ".tmp")
    text = json.dumps(to_json(state), separators=(",", ":")) + "\n"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def to_json(state):
    data = {name: getattr(state, name) for name in STATE_FIELDS}
    data["captured_at"] = state.captured_at.isoformat()
    data["objects"] = {
        label: {str(pk): value for pk, value in rows.items()} for label, rows in state.objects.items()
    }
    # Field by field: dataclasses.asdict deep-copies every list and dict, 4 s for 10,000 pages.
    data["pages"] = {
        str(page_id): {name: getattr(record, name) for name in RECORD_FIELDS}
        for page_id, record in sorted(state.pages.items())
    }
    return data


def from_json(data):
    pages = {}
    for page_id, record in data["pages"].items():
        record = dict(record)
        if record.get("routes") is not None:
            record["routes"] = {url: tuple(ids) for url, ids in record["routes"].items()}
        pages[int(page_id)] = PageRecord(**record)
    return State(
        version=data["version"],
        site=data["site"],
        base_url=data["base_url"],
        captured_at=datetime.datetime.fromisoformat(data["captured_at"]),
        software=data["software"],
        tables=data["tables"],
        objects={
            label: {int(pk): value for pk, value in rows.items()} for label, rows in data["objects"].items()
        },
        stylesheets=data["stylesheets"],
        pages=pages,
    )
