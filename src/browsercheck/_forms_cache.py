"""What the parsers call the fixed forms, kept per machine: a fresh process reads a User-Agent of a
form (most browsers') without building the parsers or the bot check.

`Forms` learns what the parsers call each form from the parsers themselves, on an example, so the
parsers must be built for it: ua-parser's compiled rules take 40 ms and 11 MB, the bot check 10-15
ms and 2 MB more, most of a fresh process's first verdict. What they call the forms changes only
with what they are made of: ua-parser's rules (ua-parser-builtins), its native engine
(ua-parser-rs), crawlerdetect's patterns, browsercheck's own code and forms, and Python. What was
learned is kept under a key of those (the packages' files by size and time, as `_policy_cache`
keys the policy; the forms in full), as plain data (marshal: loading it runs no code).
"""

from __future__ import annotations

import marshal
import sys
from typing import Any

from ._forms import Form, Learned, Read
from ._machine_cache import cache_file, own_code, package_files, write_whole

FORMAT = 1
"""Of the plain data below: a change to it is a new format, and the old file is passed by."""
CACHE_FILE = "forms.marshal"
_PARTS = ("ua_parser_rs", "ua_parser_builtins", "crawlerdetect")
"""The packages the default detector's parsers are made of, besides browsercheck."""


def kept(forms: tuple[Form, ...]) -> tuple[Learned | None, ...] | None:
    """What this machine's parsers were seen to call ``forms`` (`Forms.learned`), or ``None``
    where nothing is kept for them as they are now."""
    key = _key(forms)
    if key is None:
        return None
    try:
        stored_key, plain = marshal.loads(cache_file(CACHE_FILE).read_bytes())
        if stored_key != key or not isinstance(plain, tuple) or len(plain) != len(forms):
            return None
        return tuple(_learned(entry) for entry in plain)
    except (OSError, EOFError, ValueError, TypeError):
        return None  # unreadable, cut short, or not what this version writes: learn them again


def keep(forms: tuple[Form, ...], learned: tuple[Learned | None, ...]) -> None:
    """Keep ``learned`` of ``forms`` (learned from the default detector's parts)."""
    key = _key(forms)
    if key is not None:
        plain = tuple(None if entry is None else _plain(entry) for entry in learned)
        write_whole(cache_file(CACHE_FILE), marshal.dumps((key, plain)))


def _key(forms: tuple[Form, ...]) -> tuple[Any, ...] | None:
    try:
        parts = tuple(package_files(name) for name in _PARTS)
        return FORMAT, sys.version, tuple(map(tuple, forms)), own_code(), parts
    except (OSError, ImportError, ValueError):
        return None  # a part not installed as files: what it is cannot be told


def _plain(learned: Learned) -> tuple[Any, ...]:
    browser, token, os = learned
    return browser, token, os if isinstance(os, str) else tuple(os)


def _learned(plain: object) -> Learned | None:
    """The `Learned` ``plain`` is (``TypeError`` where it is not one)."""
    if plain is None:
        return None
    if not isinstance(plain, tuple) or len(plain) != 3:
        raise TypeError(f"kept forms: expected what a form was learned as, got {plain!r:.60}")
    browser, token, os = plain
    if not (_text_or_none(browser) and _text_or_none(token) and (browser is None) != (token is None)):
        raise TypeError(f"kept forms: expected a browser or a token, got {plain!r:.60}")
    if isinstance(os, tuple) and len(os) == 5 and isinstance(os[0], str) and all(map(_text_or_none, os[1:])):
        return Learned(browser, token, Read(*os))
    if isinstance(os, str):
        return Learned(browser, token, os)
    raise TypeError(f"kept forms: expected an OS, got {os!r:.60}")


def _text_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)
