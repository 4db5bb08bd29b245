"""What an export is asked to do: typed options, given to the pipeline and read by its stages."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from .archive.gates import GATES


@dataclass(frozen=True)
class ExportOptions:
    """What to export, and how. ``gates``: the quality gates to run (archive/gates.py)."""

    output: Path
    base_url: str = ""  # Default: the site's root URL.
    captured_at: datetime.datetime | None = None  # Default: now, or an incremental export's previous.
    incremental: bool = False
    package: bool = False
    contact: str = ""
    gates: tuple = GATES
    skip_gates: bool = False
    workers: int | None = None  # Processes rendering pages; default one per CPU.
    store: Path | None = None  # The snapshot store to add this export to as a version (archive/store.py).
    versions_url: str = ""  # Where the store's versions are published together, for pages' links.
    # A live static copy: update the folder file by file as it is served (archive/in_place.py) rather
    # than swap a new tree in, with the gates' tools kept warm; an incremental update leaves the
    # Pagefind index to ``pipeline.reindex_search``, run afterwards.
    in_place: bool = False
