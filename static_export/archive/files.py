"""An archive's files on disk: listing them without following links, reading them safely, writing a
new archive beside the old one and swapping it into place, and doing work on every file at once.

Nothing here needs Django: an archivist can list and read an archive with the files alone.
"""

import contextlib
import datetime
import errno
import fcntl
import math
import multiprocessing
import os
import posixpath
import shutil
import signal
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ExportError
from .layout import printable


def place_files(names, source_dir, target_dir, place):
    """Put each of ``names`` (archive paths) from ``source_dir`` at the same place under
    ``target_dir`` with ``place(source, target)`` (``os.link``, ``os.replace``), in that order,
    making each folder they need once."""
    made = set()
    for name in names:
        folder = os.path.dirname(name)
        if folder not in made:
            os.makedirs(os.path.join(target_dir, folder), exist_ok=True)
            made.add(folder)
        place(os.path.join(source_dir, name), os.path.join(target_dir, name))


def archive_files(archive_dir, suffixes):
    return [name for name in all_files(archive_dir) if posixpath.splitext(name)[1] in suffixes]


def all_files(archive_dir):
    """Every regular file in the archive as a sorted archive path (symbolic links and the like left out)."""
    return walk_archive(archive_dir)[0]


# Larger HTML, CSS, JSON or XML files are reported rather than read whole, so a hostile archive
# cannot exhaust the memory of the link, privacy and diff checks.
MAX_CHECKED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SkippedFile:
    """An archive entry no check reads: a symbolic link, a FIFO, device or socket, or a file too large."""

    file: str
    reason: str

    def __str__(self):
        return printable(f"{self.file} {self.reason}")


class FileSkipped(Exception):
    """An archive file was not read; ``problem`` (a SkippedFile) says why."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


def walk_archive(archive_dir):
    """(every regular file as a sorted archive path, a SkippedFile for every other entry, sorted).

    Symbolic links, to files or folders, are never followed, and FIFOs, devices and sockets never
    opened (reading a FIFO waits for a writer for ever). os.scandir tells them apart without a stat
    per file, as os.walk does (pathlib's rglob is much slower).
    """
    files, skipped = [], []
    folders = [("", os.fspath(archive_dir))]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                entries = list(entries)
        except OSError as exc:
            skipped.append(SkippedFile(prefix or "./", f"could not be listed ({exc.strerror})"))
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append((name + "/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                files.append(name)
            else:
                skipped.append(skipped_entry(archive_dir, name))
    return sorted(files), sorted(skipped, key=lambda problem: problem.file)


def skipped_entry(root, name):
    """The SkippedFile saying what the archive entry ``name`` is, when it is not a regular file or folder."""
    path = os.path.join(root, name)
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return SkippedFile(name, f"is a symbolic link (to {os.readlink(path)}); it was not followed")
    if stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    return SkippedFile(name, f"is {kind}; it was not read")


def open_regular(root, name):
    """The archive file ``name`` opened for reading in binary, only if it is a regular file.

    Checked on the opened file itself, so a file swapped for a link or a FIFO after the listing is
    refused too: O_NOFOLLOW does not follow a final symbolic link, and O_NONBLOCK does not wait for a
    FIFO's writer (and changes nothing for a regular file). Raises FileSkipped otherwise.
    """
    try:
        descriptor = os.open(os.path.join(root, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise FileSkipped(skipped_entry(root, name)) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise FileSkipped(skipped_entry(root, name))
    return os.fdopen(descriptor, "rb")


def open_beneath(root, name):
    """The archive file at the URL path ``name`` (``news/``, ``news/index.html``, ``style.css``) opened
    for reading in binary; a path ending in ``/`` (or empty) means that folder's ``index.html``.

    For serving an archive: each folder on the way is opened inside the one before it with
    O_NOFOLLOW, so no symbolic link is followed anywhere in the path (not only the last one), and
    ``.`` and ``..`` are refused, so nothing outside ``root`` is ever opened. Raises FileNotFoundError
    for a path that is not there or not allowed, IsADirectoryError for a folder named without its
    trailing ``/``, and FileSkipped for a symbolic link, FIFO, device or socket.
    """
    parts = name.split("/")
    if "\x00" in name or any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in (".", ".."):
        raise FileNotFoundError(errno.ENOENT, "not a path inside the archive", name)
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, part in enumerate(parts[:-1]):
            inner = open_at(folder, part, os.O_DIRECTORY, root, "/".join(parts[: depth + 1]))
            os.close(folder)
            folder = inner
        last = parts[-1] or "index.html"
        descriptor = open_at(folder, last, os.O_NONBLOCK, root, "/".join(parts[:-1] + [last]))
    finally:
        os.close(folder)
    mode = os.fstat(descriptor).st_mode
    if stat.S_ISREG(mode):
        return os.fdopen(descriptor, "rb")
    os.close(descriptor)
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "a folder", name)
    raise FileSkipped(skipped_entry(root, name))


def open_at(folder, part, flags, root, name):
    """``part`` opened inside the open folder ``folder`` without following a symbolic link."""
    try:
        return os.open(part, os.O_RDONLY | os.O_NOFOLLOW | flags, dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # A symbolic link: O_NOFOLLOW refused it.
            raise FileSkipped(skipped_entry(root, name)) from None
        if exc.errno == errno.ENOTDIR:  # A file where a folder was named, or a link to one.
            if stat.S_ISLNK(os.lstat(part, dir_fd=folder).st_mode):
                raise FileSkipped(skipped_entry(root, name)) from None
            raise FileNotFoundError(errno.ENOENT, "not a folder", name) from None
        raise


def read_text(root, name):
    """The text of the archive file ``name``; raises FileSkipped if it is not a regular file or is
    larger than MAX_CHECKED_BYTES."""
    with open_regular(root, name) as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_CHECKED_BYTES:
            raise FileSkipped(SkippedFile(name, f"is too large to check ({size} bytes)"))
        # read(size), not read(): bounded even if the file grows meanwhile; not read(MAX_CHECKED_BYTES),
        # which would set aside that much memory for every file.
        return file.read(size).decode("utf-8", errors="replace")


def only_files(names, suffixes):
    return sorted(name for name in names if Path(name).suffix in suffixes)


# Fewer files are checked sooner in this process than by starting workers.
PARALLEL_FROM = 2000
_job = None  # The function and arguments forked workers apply to each file (see per_file).


def per_file(function, root, names, *args):
    """``[function(root, name, *args) for name in names]``, split over one process per CPU.

    The workers are forked, so they share ``args`` (the archive's file listing, say) as they are.
    """
    workers = min(os.cpu_count() or 1, math.ceil(len(names) / PARALLEL_FROM))
    if workers <= 1:
        return [function(root, name, *args) for name in names]
    global _job
    _job = (function, root, args)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=default_signals) as pool:
            return pool.map(_apply_job, names, chunksize=math.ceil(len(names) / (workers * 8)))
    finally:
        _job = None


def default_signals():
    """Initializer of forked pool workers: SIGTERM and SIGINT as Python's defaults. A process that
    handles them itself (a task worker's graceful shutdown, say) must not pass that on: Pool's exit
    ends its workers with SIGTERM, and a worker that survives it leaves the pool waiting forever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _apply_job(name):
    function, root, args = _job
    return function(root, name, *args)


def start_forked(function, *args):
    """Start ``function(*args)`` in a forked process; returns a function that waits for its result,
    with a ``stop()`` that ends the process instead (the work is abandoned).

    The result, or the exception it raised, comes back through a pipe. Forked, the process shares
    this one's state as it was, so ``function`` and its arguments need not be picklable.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run():
        try:
            outcome = (True, function(*args))
        except BaseException as exc:
            outcome = (False, exc)
        sender.send(outcome)

    process = context.Process(target=run, daemon=True)  # Ends with this process if it is killed.
    process.start()
    sender.close()

    def wait():
        try:
            succeeded, value = receiver.recv()
        except EOFError:
            succeeded, value = False, ExportError(f"{function.__name__} stopped unexpectedly.")
        finally:
            process.join()
            receiver.close()
        if not succeeded:
            raise value
        return value

    def stop():
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()

    wait.stop = stop
    return wait


def swap_into_place(build_dir, output, swapped=None):
    """Replace ``output`` with the finished build in two renames; the old archive goes last.
    ``swapped()`` is called as soon as the build is in place, before the old archive is removed."""
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.previous-", dir=output.parent))
        os.rename(output, old / output.name)
    try:
        os.rename(build_dir, output)
    except OSError:
        if old:
            os.rename(old / output.name, output)
        raise
    if swapped:
        swapped()
    if old:
        shutil.rmtree(old)
    os.chmod(output, 0o755)  # mkdtemp makes the folder private; an archive is for everyone.


# One export at a time writes an archive: a lock file beside it, held with flock, which the kernel
# releases if the export is killed, so a lock is never left behind.
LEFTOVER_KINDS = ("building", "packaging", "previous")


@contextlib.contextmanager
def export_lock(output):
    """Hold the lock of the archive folder ``output`` for one export, after clearing what killed
    exports left beside it; another export to it meanwhile stops with an error naming this one."""
    output = Path(output)
    lock_path = output.parent / f".{output.name}.lock"
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 200, 0).decode("utf-8", errors="replace").strip()
            raise ExportError(
                f"Another export to {output} is running ({printable(holder) or 'process unknown'}); "
                "wait for it to finish, or export to another folder."
            ) from None
        os.ftruncate(descriptor, 0)
        started = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
        os.pwrite(descriptor, f"process {os.getpid()}, started {started}\n".encode(), 0)
        remove_leftovers(output)
        yield
    finally:
        os.close(descriptor)  # Releases the lock.


def remove_leftovers(output):
    """Remove the temporary folders of exports to ``output`` that were killed (only call with its lock
    held). One killed between its two renames left the previous archive aside: it is put back first."""
    output = Path(output)
    # The export state set aside while an archive is swapped or updated in place (pipeline.py)
    # describes an archive that may be gone: without it, the next incremental export runs in full.
    output.with_name(f"{output.name}-state.json.stale").unlink(missing_ok=True)
    for folder in (output, output.with_name(output.name + ".bag")):  # The bag is swapped the same way.
        for kind in LEFTOVER_KINDS:
            for leftover in sorted(folder.parent.glob(f".{folder.name}.{kind}-*")):
                aside = leftover / folder.name
                if kind == "previous" and aside.is_dir() and not folder.exists():
                    os.rename(aside, folder)
                shutil.rmtree(leftover, ignore_errors=True)
