"""What browsercheck keeps per machine: results a fresh process would otherwise work out again
(ua-parser's rules, the day's default policy, what the parsers call the fixed forms), each kept
under a key of what it was worked out from.

They live in the cache directory ``browsercheck data update`` writes to (`cache_dir`), as plain
data (marshal: reading it runs no code) behind a checksum. A file that cannot be read, written or
understood is passed by, never an error: the work is then done as if nothing were kept. Where a key
names the file (a file of a kind per version of what it was worked out from), writing one prunes
the kind's old files (`KEPT_PER_KIND`, `KEPT_FOR`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import marshal
import os
import re
import stat
import threading
import time
import zlib
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).parent

Stamp = tuple[str, int, int]
"""A file's name, size and modification time (ns): an upgrade or an edit changes one of them."""


def cache_file(name: str) -> Path:
    """The cache directory's file ``name`` (raises ``OSError`` where there is no cache directory)."""
    from ._browserdata import cache_dir  # imported where a cache is first read: not at import

    return cache_dir() / name


MAX_SIZE = 4 << 20
"""Of a kept file: the largest (ua-parser's rules) is 42 kB; one larger is no file this writes."""


KEPT_PER_KIND = 32
"""Files of a kind (`keep`'s ``kind``) kept at most, the one written among them: the newest. Installs
that share the cache directory (virtual environments, Pythons, checkouts) keep a file each; more
than this many, run in turn, would remove each other's and work them out again at each start."""
KEPT_FOR = 30 * 24 * 3600
"""Seconds after which a file of a kind is removed as another is written. One that an install on the
machine still reads is then worked out and written again by it, once."""


def keep(name: str, value: Any, kind: str | None = None) -> None:
    """``value`` (plain data) into the cache directory's file ``name`` with its checksum, whole or
    not at all, whoever reads it meanwhile; an error passed by. ``kind``: a regex of the names of
    the files of which ``name`` is one (``"forms-[0-9a-f]{8}\\.marshal"``: one is written per key, for
    each upgrade and, in a checkout, each edit); writing it removes the kind's old ones (`prune`)."""
    partial = None
    try:
        data = marshal.dumps(value)
        path = cache_file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")  # one writer each
        partial.write_bytes(zlib.crc32(data).to_bytes(4, "big") + data)
        os.replace(partial, path)
    except (OSError, ValueError):
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink()  # not left behind where it could not take the file's place
        return
    if kind is not None:
        prune(path.parent, kind, written=name)


def prune(folder: Path, kind: str, written: str) -> None:
    """Of the files in ``folder`` whose names ``kind`` (a regex) matches whole, and those of them
    that a writer left half-written where it was stopped, remove those written more than
    `KEPT_FOR` ago, and all but the newest `KEPT_PER_KIND` (``written`` is one of them, and stays).
    Errors are passed by (a folder that cannot be read, a file that another process removes
    first)."""
    # a half-written file's name is the file's, then its writer's process and thread (`keep`)
    names = re.compile(rf"(?:{kind})(?:\.[0-9]+\.[0-9]+)?")
    found: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name == written or not names.fullmatch(entry.name):
                    continue
                with contextlib.suppress(OSError):  # gone meanwhile: another writer's, or pruned
                    if entry.is_file(follow_symlinks=False):
                        found.append((entry.stat(follow_symlinks=False).st_mtime, entry.path))
    except OSError:
        return
    found.sort(reverse=True)  # the newest first
    oldest_kept = time.time() - KEPT_FOR
    for place, (modified, path) in enumerate(found, start=1):  # the one written is the first kept
        if place >= KEPT_PER_KIND or modified < oldest_kept:
            with contextlib.suppress(OSError):
                os.unlink(path)


def kept(name: str) -> Any:
    """What `keep` wrote into ``name`` (plain data: its reader checks its shape), or ``None``: no
    such file, one that is no regular file (a FIFO would block the reading), too large, damaged
    (its checksum), or unreadable."""
    try:
        path = cache_file(name)
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_SIZE:
            return None
        data = path.read_bytes()
        if len(data) < 4 or zlib.crc32(data[4:]) != int.from_bytes(data[:4], "big"):
            return None
        return marshal.loads(data[4:])
    except Exception:  # whatever marshal makes of a file: never an error of check()
        return None


def stat_pair(found: os.stat_result) -> tuple[int, int]:
    return found.st_size, found.st_mtime_ns


_CODE = (".py", ".so", ".pyd")
"""The files a package's code is in: its modules and compiled extensions."""


def own_code() -> tuple[str, tuple[Stamp, ...]]:
    """browsercheck's modules, its compiled extension among them, and where they are (raises
    ``OSError``)."""
    return str(_PACKAGE), stamps(_PACKAGE, _CODE)


def package_files(name: str) -> tuple[str, tuple[Stamp, ...]]:
    """The files of the installed package ``name`` and its subpackages, and where they are, found
    without importing it (raises ``OSError``, or ``ImportError`` where it is not installed as files
    in a folder: in a zip, or frozen, what it is cannot be told from them)."""
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if len(locations) != 1 or not os.path.isdir(locations[0]):
        raise ImportError(f"{name} is not installed as a folder of files")
    found: list[Stamp] = []
    for folder, subfolders, _ in os.walk(locations[0]):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        found += stamps(Path(folder), _CODE, prefix=os.path.relpath(folder, locations[0]))
    if not found:
        raise ImportError(f"{name} has no files to tell its version by")
    return locations[0], tuple(found)


def stamps(folder: Path, endings: tuple[str, ...] | None = None, prefix: str = ".") -> tuple[Stamp, ...]:
    """The files in ``folder`` (those whose names end in one of ``endings``, where given), each by
    its name after ``prefix``, its size and time, in order (raises ``OSError``)."""
    with os.scandir(folder) as entries:
        found = [
            (os.path.join(prefix, e.name), *stat_pair(e.stat()))
            for e in entries
            if endings is None or e.name.endswith(endings)
        ]
    return tuple(sorted(found))
