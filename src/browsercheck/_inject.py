"""Putting the banner into an HTML body as it streams past, on bytes.

After ``<body ...>`` (the default) the place is found early: only the bytes up to the body tag are
held back, at most `WINDOW`. Before ``</body>`` needs the whole page: held back up to `WHOLE_PAGE`.
Past either limit the page passes unchanged: a streaming body is never buffered without bound.
The banner's ``<style>`` goes before ``</head>`` when the page has one, where HTML wants it. Tags are
found by `TagScanner` (not inside scripts, comments or attribute values), in work linear in the page.

The notice is written in the page's own encoding: the byte order mark, else the Content-Type's
charset, else a ``<meta>`` charset; characters the encoding lacks become character references
(``&#228;``), which HTML reads in any encoding. A page with no declared charset gets the notice in
ASCII with references, right whatever the browser guesses. A page in an encoding that is not
ASCII-compatible (UTF-16) or that Python does not know is left unchanged, and `skipped` says why.
"""

from __future__ import annotations

import codecs
import functools
import logging

from ._htmlscan import TagScanner

WINDOW = 64 * 1024
WHOLE_PAGE = 1024 * 1024

_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


class Injector:
    def __init__(
        self, banner: str, where: str, style: str = "", charset: str | None = None, *, xml: bool = False
    ) -> None:
        """``charset``: the Content-Type's; ``xml``: the page is XHTML (its encoding is then the
        XML declaration's, never a ``<meta>``'s)."""
        self._banner = banner
        self._style = style
        self._charset = charset
        self._xml = xml
        self._before_close = where == "before_body_close"
        self._limit = WHOLE_PAGE if self._before_close else WINDOW
        self._held = bytearray()
        self._scanner = TagScanner()
        self.decided = False
        """The bytes held back have been let go: everything after passes straight through."""
        self.inserted = False
        self.added = 0
        """How many bytes the banner and its style added."""
        self.skipped: str | None = None
        """Why the page was left unchanged though it may have had a place for the banner."""
        if charset is not None and _codec(charset) is None:
            self._skip(_why(charset))  # known from the headers: no byte need be held back

    @property
    def examined(self) -> int:
        """Bytes the tag scan has looked at: linear in the page, however it is split."""
        return self._scanner.examined

    def feed(self, data: bytes) -> bytes:
        """What of the page can be sent now: ``b""`` while the banner's place is looked for. Never
        raises: a page browsercheck fails on passes unchanged (`skipped` says why)."""
        if self.decided:
            return data
        self._held += data
        try:
            return self._feed_held()
        except Exception:
            return self._failed()

    def _feed_held(self) -> bytes:
        if len(self._held) < 2:
            return b""
        if self._held.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._skip("the page is in UTF-16")
            return self._let_go(None)
        scanner = self._scanner
        scanner.scan(self._held, stop_at_body=not self._before_close)
        if not self._before_close and scanner.body_open_end is not None:
            return self._let_go(scanner.body_open_end)
        if len(self._held) > self._limit:
            return self._let_go(None)  # no place found in time: the page goes unchanged
        return b""

    def finish(self) -> bytes:
        """The end of the body: the last chance to insert before ``</body>``."""
        if self.decided:
            return b""
        try:
            return self._let_go(self._scanner.body_close if self._before_close else None)
        except Exception:
            return self._failed()

    def _failed(self) -> bytes:
        """What was held back, unchanged, after a failure here (logged): the rest passes too."""
        logging.getLogger("browsercheck").exception("browsercheck failed on a page; it passes unchanged")
        held = bytes(self._held)
        self._held.clear()
        self.inserted, self.added = False, 0
        self._skip("browsercheck failed on the page (logged above)")
        return held

    def _let_go(self, at: int | None) -> bytes:
        held = bytes(self._held)
        out = held if at is None else self._placed(held, at)
        self._held.clear()  # only now: a failure above leaves what was held for `_failed` to send
        self.decided = True
        return out

    def _placed(self, held: bytes, at: int) -> bytes:
        """``held`` with the banner at ``at`` (and its style in the head), where its encoding allows."""
        encoding = self._encoding(held)
        if encoding is None:
            return held
        banner = self._banner.encode(encoding, "xmlcharrefreplace")
        style = self._style.encode(encoding, "xmlcharrefreplace")
        self.inserted = True
        self.added = len(banner) + len(style)
        head = self._scanner.head_close
        if head is None or head > at:
            return held[:at] + style + banner + held[at:]
        return held[:head] + style + held[head:at] + banner + held[at:]

    def _skip(self, why: str) -> None:
        self.skipped = why
        self.decided = True

    def _encoding(self, held: bytes) -> str | None:
        """The Python codec to write the notice in, or None (with `skipped` set) to leave the page."""
        if held.startswith(codecs.BOM_UTF8):
            return "utf-8"
        label = self._charset or (_xml_encoding(held) if self._xml else self._scanner.meta_charset)
        if label is None:
            return "ascii"  # characters beyond ASCII as references: right in any encoding a browser guesses
        if not self._charset and not self._xml and label.lower().startswith("utf-16"):
            return "utf-8"  # HTML reads a <meta> that says UTF-16 as UTF-8
        codec = _codec(label)
        if codec is None:
            self.skipped = _why(label)
        return codec


@functools.lru_cache(maxsize=64)  # labels come from the site's pages: a few
def _codec(label: str) -> str | None:
    """Python's codec for a charset label, if it writes ASCII as ASCII (as HTML needs)."""
    try:
        name = codecs.lookup(label).name
        text = _ASCII.decode("ascii")
        return name if _ASCII.decode(name) == text and text.encode(name) == _ASCII else None
    except (LookupError, UnicodeError, ValueError):  # ValueError: a label with a NUL in it
        return None


def _why(label: str) -> str:
    try:
        codecs.lookup(label)
    except (LookupError, ValueError):
        return f"the page's charset {label!r} is not one Python knows"
    return f"the page's charset {label!r} does not write ASCII as ASCII"


def _xml_encoding(held: bytes) -> str | None:
    """The encoding an XML declaration (``<?xml version="1.0" encoding="..."?>``) names."""
    if not held.startswith(b"<?xml"):
        return None
    end = held.find(b"?>", 0, 200)
    declaration = held[: end if end >= 0 else 200]
    at = declaration.find(b"encoding")
    if at < 0:
        return None
    rest = declaration[at + 8 :].lstrip(b" \t\r\n")
    if not rest.startswith(b"="):
        return None
    rest = rest[1:].lstrip(b" \t\r\n")
    if rest[:1] not in (b'"', b"'"):
        return None
    close = rest.find(rest[:1], 1)
    return rest[1:close].decode("latin-1") if close > 0 else None
