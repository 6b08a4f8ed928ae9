"""What browsercheck keeps per machine: results a fresh process would otherwise work out again
(ua-parser's rules, the day's default policy, what the parsers call the fixed forms), each kept
under a key of what it was worked out from.

They live in the cache directory ``browsercheck data update`` writes to (`cache_dir`), as plain
data. A file that cannot be read, written or understood is passed by, never an error: the work
is then done as if nothing were kept.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

_PACKAGE = Path(__file__).parent

Stamp = tuple[str, int, int]
"""A file's name, size and modification time (ns): an upgrade or an edit changes one of them."""


def cache_file(name: str) -> Path:
    from ._browserdata import cache_dir  # imported where a cache is first read: not at import

    return cache_dir() / name


def write_whole(path: Path, data: bytes) -> None:
    """``data`` into ``path``, whole or not at all, whoever reads it meanwhile; an error passed by."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")  # one writer each
        partial.write_bytes(data)
        os.replace(partial, path)
    except (OSError, ValueError):
        pass


def stat_pair(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_size, stat.st_mtime_ns


def own_code() -> tuple[Stamp, ...]:
    """browsercheck's modules, its compiled extension among them (raises ``OSError``)."""
    return _stamps(_PACKAGE, (".py", ".so", ".pyd"))


def package_files(name: str) -> tuple[Stamp, ...]:
    """The files of the installed package ``name`` and its subpackages, found without importing it
    (raises ``OSError``, or ``ImportError`` where it is not installed as files)."""
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise ImportError(f"{name} is not installed as a package of files")
    found: list[Stamp] = []
    for location in locations:
        for folder, subfolders, _ in os.walk(location):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            found += _stamps(Path(folder), (".py", ".so", ".pyd"), prefix=os.path.relpath(folder, location))
    return tuple(found)


def _stamps(folder: Path, endings: tuple[str, ...], prefix: str = ".") -> tuple[Stamp, ...]:
    return tuple(
        sorted(
            (os.path.join(prefix, entry.name), *stat_pair(entry.stat()))
            for entry in os.scandir(folder)
            if entry.name.endswith(endings)
        )
    )
