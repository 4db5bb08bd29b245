"""Updating a folder that is being served, file by file, so a reader never sees a broken state.

A frozen archive is built beside the old one and swapped in whole (files.swap_into_place). A live
static copy cannot afford that at 10,000 pages (hard-linking 30,000 files into a new tree and
deleting the old one takes seconds), and needs something else: each file a reader fetches is whole,
and nothing links to a file that is not there yet. So an update builds only the files that changed,
in a folder beside the copy, and ``apply_update`` moves each into place with one rename (atomic on
one file system): first the uploads and static files pages use, then everything else, the
``last`` files after that (the entry points that name the rest, such as Pagefind's), and only then
does it remove the files that went, and the folders they leave empty.

Nothing here needs Django.
"""

import os
from pathlib import Path

from .files import all_files, place_files


def apply_update(build_dir, output, removed=(), first=(), last=()):
    """Move every file of ``build_dir`` to the same place under ``output``, each with one rename,
    then delete ``removed`` (archive paths) from ``output``. Returns the archive paths moved.

    ``first``: folder prefixes (``"media/"``) whose files move before the others; ``last``: archive
    paths that move after them. Folders are made as needed; those ``removed`` leaves empty go too.
    """
    build_dir, output = Path(build_dir), Path(output)
    names = all_files(build_dir)
    early = [name for name in names if name.startswith(tuple(first))]
    late = set(last).difference(early)
    not_middle = late.union(early)
    ordered = early + [name for name in names if name not in not_middle]
    ordered += [name for name in names if name in late]
    place_files(ordered, build_dir, output, os.replace)
    remove_files(output, sorted(set(removed) - set(names)))
    return ordered


def remove_files(output, names):
    """Delete the archive paths ``names`` under ``output`` (those already gone are fine), then the
    folders that leaves empty, up to (not including) ``output`` itself: a full export has none."""
    folders = set()
    for name in names:
        try:
            os.unlink(Path(output) / name)
        except FileNotFoundError:
            pass
        folder = os.path.dirname(name)
        while folder:
            folders.add(folder)
            folder = os.path.dirname(folder)
    for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
        try:
            os.rmdir(Path(output) / folder)
        except OSError:  # Not empty (or gone): it holds files that stay.
            pass


def replace_folder(new_dir, folder, last=()):
    """Make ``folder`` hold exactly the files of ``new_dir`` (a folder beside it), file by file: the
    new files first, the ``last`` names (relative to the folder) after them, then the stale ones go.
    ``new_dir`` is empty afterwards. For an index whose files are named after their content, readers
    keep a consistent index throughout: the old entry point names old files until it is replaced."""
    folder = Path(folder)
    stale = set(all_files(folder)) if folder.is_dir() else set()
    moved = apply_update(new_dir, folder, last=last)
    remove_files(folder, sorted(stale - set(moved)))
    return moved
