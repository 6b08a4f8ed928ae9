"""A response passing through the middleware: its headers settled, its body streamed through a
`Rewriter` that puts in the banner (or script mode's tag) where due, framework-free.

`browsercheck._middleware.decide` says what is due (a `Decision`); the adapters feed the
response's status, headers and body here and send what comes out.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import re
from collections.abc import Sequence

from ._inject import Injector
from ._inject import _codec as codec_for
from ._middleware import Decision, Settings, logger

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def rewritable(status: int, headers: Sequence[tuple[str, str]]) -> bool:
    """A response a banner may go into: a full, uncompressed HTML page."""
    if status != 200:
        return False
    content_type = encoding = ""
    for name, value in headers:
        lower = name.lower()
        if lower == "content-type":
            content_type = value.split(";", 1)[0].strip().lower()
        elif lower == "content-encoding":
            encoding = value.strip().lower()
    return content_type in _HTML_TYPES and encoding in ("", "identity")


class Rewriter:
    """One response: its headers settled, then its body streamed through, a banner inserted if due.

    Call `start` with the status and headers, then `feed` the body and `end` it. `headers` is
    ready once `decided`: before, body bytes are held back (at most the injector's window).
    """

    def __init__(self, decision: Decision, settings: Settings) -> None:
        self._decision = decision
        self._insert = settings.insert
        self._critical_ch = settings.critical_ch
        self._block_mode = settings.mode == "block"
        self._injector: Injector | None = None
        self._script: str | None = None
        self._whole: int | None = None
        self._length_at = self._etag_at = -1
        self._writable = False
        self._charset: str | None = None
        self._xml = False
        self.headers: list[tuple[str, str]] = []
        self.decided = False

    def without_banner(self) -> None:
        """The page showed the notice itself (a template helper): only the headers are settled."""
        if self._decision.banner:
            self._decision = dataclasses.replace(self._decision, banner=None, style="")

    def start(self, status: int, headers: Sequence[tuple[str, str]]) -> None:
        """Take the response's status and headers. A failure here is logged and the response
        passes as the application made it: browsercheck must never break the site."""
        try:
            self._start(status, headers)
        except Exception:
            logger.exception("browsercheck failed on a response; it passes unchanged")
            self.headers = list(headers)
            self._injector = None
            self.decided = True

    def _start(self, status: int, headers: Sequence[tuple[str, str]]) -> None:
        if self._decision.script is not None:
            self._start_script(status, headers, self._decision.script, self._decision.head)
            return
        self.headers = list(headers)
        decision = self._decision
        if not rewritable(status, self.headers):
            if decision.navigation and decision.vary and (status == 304 or self._block_mode):
                self.headers = _revalidated(self.headers, decision) if status == 304 else self.headers
                self.headers = _append_vary(self.headers, decision.vary)
            self.decided = True
            return
        if decision.vary:
            self.headers = _append_vary(self.headers, decision.vary)
        if decision.private:
            self.headers = [(n, v) for n, v in self.headers if n.lower() != "cache-control"]
            self.headers.append(("Cache-Control", "no-store"))
        if decision.accept_ch:
            self.headers.append(("Accept-CH", decision.accept_ch))
            if self._critical_ch:
                self.headers.append(("Critical-CH", self._critical_ch))
        if decision.banner is None:
            self.decided = True
        elif decision.head:
            # GET's body would get the banner, of a length only the body tells: say none, as GET
            # may then say another (RFC 9110 9.3.2 lets HEAD leave out what it cannot know)
            self.headers = _changed(self.headers, None)
            self.decided = True
        else:
            content_type = _header(self.headers, "content-type")
            self._injector = Injector(
                decision.banner,
                self._insert,
                decision.style,
                _charset(content_type),
                xml=content_type.split(";", 1)[0].strip().lower() == "application/xhtml+xml",
            )

    def _start_script(self, status: int, headers: Sequence[tuple[str, str]], tag: str, head: bool) -> None:
        """Script mode: as `rewritable`, in the one pass over the headers that also finds the length
        (every page takes this path: it is kept short)."""
        self.headers = list(headers)
        content_type = length = ""
        for i, (name, value) in enumerate(self.headers):
            lower = name.lower()
            if lower == "content-type":
                content_type = value
            elif lower == "content-length":
                length = value
                self._length_at = i
            elif lower == "etag":
                self._etag_at = i
            elif lower == "content-encoding" and value.strip().lower() not in ("", "identity"):
                status = 0
        kind = _page_kind(content_type)
        if status != 200 or kind is None:
            self.decided = True
            return
        self._xml, self._charset, writable = kind
        self._script = tag.replace(" defer", ' defer="defer"') if self._xml else tag  # XML has no bare attributes
        if head:
            self.headers = _changed(self.headers, None)
            self.decided = True
            return
        self._writable = writable  # the fast path only where the tag's ASCII reads as ASCII (not UTF-16)
        self._whole = _length(length)

    def _script_fast(self, data: bytes, script: str) -> bytes | None:
        """The common case, cheaply: the whole page in one piece, ending in ``</body>`` (and
        ``</html>``): the tag goes just before it, with no scan of the page. ``None``: the page
        goes to the injector, which finds the head or the body tag as a browser would."""
        if (
            not self._writable
            or self._whole != len(data)
            or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        ):
            return None
        end = _BODY_END.search(data, max(0, len(data) - 256))
        if end is None:
            return None
        tag = script.encode("ascii")
        headers = self.headers
        if self._length_at >= 0:
            name = headers[self._length_at][0]
            headers[self._length_at] = (name, str(len(data) + len(tag)))
        if self._etag_at >= 0 and not headers[self._etag_at][1].startswith("W/"):
            name, value = headers[self._etag_at]
            headers[self._etag_at] = (name, "W/" + value)  # the body changed: no longer byte-for-byte the same
        self.decided = True
        return data[: end.start()] + tag + data[end.start() :]

    def feed(self, data: bytes) -> bytes:
        """Body bytes to send now (``b""`` while the banner's place is being looked for)."""
        if self._script is not None and self._injector is None and not self.decided:
            out = self._script_fast(data, self._script)
            if out is not None:
                return out
            self._injector = Injector("", self._insert, self._script, self._charset, xml=self._xml)
        if self._injector is None or self.decided:
            return data
        out = self._injector.feed(data)
        if self._injector.decided:
            self._settle()
        return out

    def feed_whole(self, data: bytes) -> bytes:
        """The whole body at once, from an adapter that knows it is all (`feed` then `end`)."""
        if self._script is not None and not self.decided and self._injector is None:
            self._whole = len(data)
        return self.feed(data) + self.end()

    def end(self) -> bytes:
        """What was held back, at the end of the body."""
        if self._script is not None and self._injector is None and not self.decided:
            self._settle()  # an empty body: nothing to put the tag in
            return b""
        if self._injector is None or self.decided:
            return b""
        out = self._injector.finish()
        self._settle()
        return out

    def _settle(self) -> None:
        self.decided = True
        injector = self._injector
        if injector is None:
            return
        if injector.skipped:
            logger.warning("browsercheck: no notice on %s: %s", self._decision.where, injector.skipped)
        if injector.inserted:
            self.headers = _changed(self.headers, injector.added)


@functools.lru_cache(maxsize=64)  # a site sends a few Content-Types
def _page_kind(content_type: str) -> tuple[bool, str | None, bool] | None:
    """For an HTML Content-Type: (XHTML?, its charset, ASCII written as ASCII?); else None."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in _HTML_TYPES:
        return None
    charset = _charset(content_type)
    return media == "application/xhtml+xml", charset, charset is None or codec_for(charset) is not None


# The end of a page: its closing body tag, then only white space and the closing html tag
_BODY_END = re.compile(rb"</body[ \t\n\f\r]*>[ \t\n\f\r]*(?:</html[ \t\n\f\r]*>[ \t\n\f\r]*)?\Z", re.IGNORECASE)


def _changed(headers: list[tuple[str, str]], added: int | None) -> list[tuple[str, str]]:
    """The headers of a body that grew by ``added`` bytes (``None``: by an unknown number)."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            if added is None:
                continue
            length = _length(value)
            value = str(length + added) if length is not None else value
        elif lower == "etag" and not value.startswith("W/"):
            value = "W/" + value  # the body changed: no longer byte-for-byte the same
        out.append((name, value))
    return out


def _revalidated(headers: list[tuple[str, str]], decision: Decision) -> list[tuple[str, str]]:
    """A 304's headers as the page it revalidates had them (RFC 9110 15.4.5; `Rewriter` adds
    its Vary): not stored where the page was a preview, a weak ETag where it got the banner."""
    if decision.private:
        headers = [(n, v) for n, v in headers if n.lower() != "cache-control"] + [("Cache-Control", "no-store")]
    if decision.banner is not None and not decision.head:
        headers = _changed(headers, 0)
    return headers


def _length(value: str) -> int | None:
    """A Content-Length's number, or ``None`` where it is none (only ASCII digits: ``str.isdigit``
    would take "²", which ``int`` refuses)."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _header(headers: Sequence[tuple[str, str]], wanted: str) -> str:
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return ""


def _charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type, unquoted; None when it has none."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip() or None
    return None


def _append_vary(headers: list[tuple[str, str]], vary: Sequence[str]) -> list[tuple[str, str]]:
    """Add ``vary`` to the response's Vary, never dropping what is there."""
    existing: list[str] = []
    out = []
    for name, value in headers:
        if name.lower() == "vary":
            existing += [v.strip() for v in value.split(",") if v.strip()]
        else:
            out.append((name, value))
    if "*" in existing:
        return headers
    lowered = {v.lower() for v in existing}
    merged = existing + ([v for v in vary if v.lower() not in lowered] if lowered else list(vary))
    if merged:
        out.append(("Vary", ", ".join(merged)))
    return out
