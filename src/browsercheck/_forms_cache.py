"""What the parsers call the fixed forms, kept per machine: a fresh process reads a User-Agent of a
form (most browsers') without building the parsers or the bot check.

`Forms` learns what the parsers call each form from the parsers themselves, on an example, so the
parsers must be built for it: ua-parser's compiled rules take 40 ms and 11 MB, the bot check 10-15
ms and 2 MB more, most of a fresh process's first verdict. What they call the forms changes only
with what they are made of: ua-parser's rules (ua-parser-builtins), its native engine
(ua-parser-rs), crawlerdetect's patterns, browsercheck's own code and forms, and Python. What was
learned is kept under a key of those (the packages' files by size and time and where they are,
as `_policy_cache` keys the policy; the forms in full), as plain data (marshal: loading it runs no
code). A detector that builds its parts all the same learns the forms from them again (a
millisecond) and keeps what they say where it differs: a file the key cannot tell from the right one
(files alike in size and time) mends itself there.
"""

from __future__ import annotations

import sys
import zlib
from typing import Any

from ._browsers import TOKENS
from ._forms import Form, Learned, Read
from ._machine_cache import keep as write_kept
from ._machine_cache import kept as cached
from ._machine_cache import own_code, package_files

FORMAT = 1
"""Of the plain data below: a change to it is a new format, and the old file is passed by."""
_PARTS = ("ua_parser_rs", "ua_parser_builtins", "crawlerdetect")
"""The packages the default detector's parsers are made of, besides browsercheck."""

Key = tuple[Any, ...]


def _code_loaded() -> tuple[Any, ...] | None:
    try:
        return own_code()
    except OSError:
        return None


_LOADED = _code_loaded()
"""browsercheck's files as this process loaded its detection (this module comes with it)."""


def key_of(forms: tuple[Form, ...]) -> Key | None:
    """What ``forms`` learned from the default detector's parts depends on (``None`` where that
    cannot be told: a part not installed as files): browsercheck's files as this process loaded
    them, the others' as they are now. A detector takes it as it is made, before it loads its
    parts; what it learns is kept only if all the files are the same when it has learned (`keep`):
    an upgrade meanwhile keeps nothing that the old code learned."""
    try:
        parts = tuple(package_files(name) for name in _PARTS)
    except (OSError, ImportError, ValueError):
        return None
    return None if _LOADED is None else (FORMAT, sys.version, tuple(map(tuple, forms)), _LOADED, parts)


def kept(forms: tuple[Form, ...], key: Key | None) -> tuple[Learned | None, ...] | None:
    """What this machine's parts were seen to call ``forms`` (`Forms.learned`) under ``key``, or
    ``None`` where nothing is kept for them."""
    if key is None:
        return None
    try:
        stored_key, plain = cached(_file(key))  # not a pair (or None): TypeError, ValueError
        if stored_key != key or not isinstance(plain, tuple) or len(plain) != len(forms):
            return None
        return tuple(_learned(form, entry) for form, entry in zip(forms, plain, strict=True))
    except (ValueError, TypeError):
        return None  # not kept, or not what this version writes: learn them again


def keep(forms: tuple[Form, ...], learned: tuple[Learned | None, ...], key: Key | None) -> None:
    """Keep ``learned`` of ``forms``, learned from the default detector's parts by a detector made
    when the files were as ``key`` says, if they still are."""
    if key is not None and key_of(forms) == key and _code_loaded() == _LOADED:
        plain = tuple(None if entry is None else _plain(entry) for entry in learned)
        write_kept(_file(key), (key, plain), kind=_KIND)


_KIND = r"forms-[0-9a-f]{8}\.marshal"
"""The names `_file` gives."""


def _file(key: Key) -> str:
    # named by the key, as ua-parser's rules are: installs that share a cache directory (virtual
    # environments, checkouts) keep a file each instead of writing over each other's
    return f"forms-{zlib.crc32(repr(key).encode()):08x}.marshal"


def _plain(learned: Learned) -> tuple[Any, ...]:
    browser, token, os = learned
    return browser, token, os if isinstance(os, str) else tuple(os)


def _learned(form: Form, plain: object) -> Learned | None:
    """The `Learned` ``plain`` is, as `Forms` learns it of ``form`` (``TypeError`` where it is not
    one): a browser's family where the form has the browser's numbers, else a token the registry
    knows; an OS's family where the form has the OS's numbers, else the whole OS. (What it names
    is trusted: the key says it is what these parts called the form.)"""
    if plain is None:
        return None
    if not isinstance(plain, tuple) or len(plain) != 3:
        raise TypeError(f"kept forms: expected what a form was learned as, got {plain!r:.60}")
    browser, token, os = plain
    named = isinstance(browser, str) and token is None if form.browser else browser is None and token in TOKENS
    if not named:
        raise TypeError(f"kept forms: expected a browser or a token, got {plain!r:.60}")
    if form.os and isinstance(os, str):
        return Learned(browser, token, os)
    whole = isinstance(os, tuple) and len(os) == 5 and isinstance(os[0], str)
    if not form.os and whole and all(part is None or isinstance(part, str) for part in os[1:]):
        return Learned(browser, token, Read(*os))
    raise TypeError(f"kept forms: expected an OS, got {os!r:.60}")
