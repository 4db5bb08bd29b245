"""Pagefind's index of an archive's pages, made reproducible: the same pages give the same bytes.

Needs only the archive folder and Pagefind's binary (the ``pagefind[bin]`` package), no database.
"""

import errno
import gzip
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import cbor2
from pagefind.service import get_executable

from .checks import CheckRun

PAGEFIND_DIR = "pagefind"


def write_pagefind_index(build_dir):
    """Pagefind's command line over the build folder. (Its Python API talks to the same binary over
    a pipe that also carries the binary's log lines, and now and then failed to decode a reply.)"""
    output = Path(build_dir) / PAGEFIND_DIR
    command = [str(get_executable()), "--site", str(build_dir), "--output-path", str(output)]
    command += ["--force-language", "en", "--keep-index-url", "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError((result.stderr or result.stdout).strip() or f"exit status {result.returncode}")
    check_written(output)
    make_filters_reproducible(output)


# Less free space than this after Pagefind ran means its writes may have failed.
NEARLY_FULL = 1 << 20


def check_written(pagefind_dir):
    """Pagefind 1.5 exits 0 though a write failed (on a full disk), leaving files cut short that a
    browser could not read: a disk left (nearly) full is taken as that failure, and every index file
    must read whole."""
    if shutil.disk_usage(pagefind_dir).free < NEARLY_FULL:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(pagefind_dir))
    for path in sorted(pagefind_dir.rglob("*.pf_*")):
        try:
            whole = gzip.decompress(path.read_bytes()).startswith(PAGEFIND_SIGNATURE)
        except (EOFError, OSError, zlib.error):
            whole = False
        if not whole:
            raise ValueError(f"Pagefind wrote {path.name} damaged: it does not read whole.")


def make_filters_reproducible(pagefind_dir):
    """Put Pagefind's filter indexes in a fixed order, so the same pages give the same bytes.

    Pagefind 1.5 writes filter values, and the list of filters in its metadata file, in hash-map
    order, which changes from run to run (Pagefind issue #638); everything else it writes is stable.
    Its files are gzipped CBOR after a signature and named after a hash of their content; readers
    load each filter into a map, so sorting changes nothing for them. We sort, then rename each file
    after a hash of its new content and update the references to it.
    """
    renamed = {}
    for path in sorted((pagefind_dir / "filter").glob("*.pf_filter")):
        name, values = read_pagefind_file(path)
        renamed[path.stem] = write_pagefind_file(path, [name, sorted(values)], hash_length=7)

    entry_path = pagefind_dir / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = pagefind_dir / f"pagefind.{language['hash']}.pf_meta"
        meta = read_pagefind_file(meta_path)
        # [version, pages, index chunks, filters as [name, file hash], sorts, meta fields]
        meta[3] = sorted([name, renamed[file_hash]] for name, file_hash in meta[3])
        language["hash"] = write_pagefind_file(meta_path, meta, hash_length=10, prefix="pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


PAGEFIND_SIGNATURE = b"pagefind_dcd"


def read_pagefind_file(path):
    content = gzip.decompress(path.read_bytes())
    if not content.startswith(PAGEFIND_SIGNATURE):
        raise ValueError(f"{path.name} is not in the Pagefind format this export knows.")
    return cbor2.loads(content[len(PAGEFIND_SIGNATURE) :])


def write_pagefind_file(path, data, hash_length, prefix=""):
    """Rewrite ``path`` (``<prefix><language>_<hash>.<ext>``) with ``data``; returns its new stem hash."""
    content = PAGEFIND_SIGNATURE + cbor2.dumps(data)
    language = path.name.removeprefix(prefix).split("_", 1)[0]
    new_hash = f"{language}_{hashlib.sha256(content).hexdigest()[:hash_length]}"
    path.unlink()
    path.with_name(f"{prefix}{new_hash}{path.suffix}").write_bytes(gzip.compress(content, mtime=0))
    return new_hash


def index_run(build_dir):
    """The search index as the export's report lists it: Pagefind's version and the pages it indexed."""
    entry = json.loads((Path(build_dir) / PAGEFIND_DIR / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language.get("page_count", 0) for language in entry["languages"].values())
    return CheckRun("search index", "Pagefind", importlib.metadata.version("pagefind"), pages, [])
