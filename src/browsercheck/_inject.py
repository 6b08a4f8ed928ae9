"""Putting the banner into an HTML body as it streams past, on bytes.

After ``<body ...>`` (the default) the place is found early: only the bytes up to the body tag are
held back, at most `WINDOW`. Before ``</body>`` needs the whole page: held back up to `WHOLE_PAGE`.
Past either limit the page passes unchanged: a streaming body is never buffered without bound.
The banner's ``<style>`` goes before ``</head>`` when the page has one, where HTML wants it.
"""

from __future__ import annotations

import re

WINDOW = 64 * 1024
WHOLE_PAGE = 1024 * 1024

_BODY_OPEN = re.compile(rb"<body(?:\s[^>]*)?>", re.IGNORECASE)  # attributes hold no ">" in practice
_BODY_CLOSE = re.compile(rb"</body\s*>", re.IGNORECASE)
_HEAD_CLOSE = re.compile(rb"</head\s*>", re.IGNORECASE)


class Injector:
    def __init__(self, banner: bytes, where: str, style: bytes = b"") -> None:
        self._banner = banner
        self._style = style
        self._before_close = where == "before_body_close"
        self._limit = WHOLE_PAGE if self._before_close else WINDOW
        self._held = bytearray()
        self.decided = False
        """The bytes held back have been let go: everything after passes straight through."""
        self.inserted = False

    def feed(self, data: bytes) -> bytes:
        if self.decided:
            return data
        self._held += data
        if not self._before_close and (m := _BODY_OPEN.search(self._held)):
            return self._let_go(m.end())
        if len(self._held) > self._limit:
            return self._let_go(None)  # no place found in time: the page goes unchanged
        return b""

    def finish(self) -> bytes:
        """The end of the body: the last chance to insert before ``</body>``."""
        if self.decided:
            return b""
        at = None
        if self._before_close:
            matches = list(_BODY_CLOSE.finditer(self._held))
            at = matches[-1].start() if matches else None
        return self._let_go(at)

    def _let_go(self, at: int | None) -> bytes:
        held = bytes(self._held)
        self._held.clear()
        self.decided = True
        if at is None:
            return held
        self.inserted = True
        head = _HEAD_CLOSE.search(held, 0, at)
        if head is None:
            return held[:at] + self._style + self._banner + held[at:]
        h = head.start()
        return held[:h] + self._style + held[h:at] + self._banner + held[at:]
