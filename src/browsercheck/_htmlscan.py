"""Finding the tags that matter for a banner in an HTML page that arrives in pieces, on bytes.

A ``<body>`` inside a script, a comment or an attribute value is not the body tag, so this follows
the HTML tokenizer (WHATWG HTML, "Tokenization") as far as finding tags needs: comments, doctypes
and other ``<!...>``/``<?...>`` markup, attributes with quoted values (a ``>`` inside quotes does not
end a tag), and the text of ``script``, ``style``, ``textarea``, ``title`` and their kin, which ends
only at their own end tag (for scripts also the ``<!-- <script>`` escapes). It does not build a tree:
content in SVG or MathML is read as HTML, and a body the parser would open without a ``<body>`` tag
is not found.

The scan resumes where the last piece ended: each byte is looked at a bounded number of times however
the page is split, and the result does not depend on where it is split. `TagScanner.examined` counts
the bytes looked at, so tests can check that the work is linear.
"""

from __future__ import annotations

import functools
import re

_WS = b"\t\n\f\r "
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_RAW_TEXT = frozenset({b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"noscript", b"textarea", b"title"})
META_WINDOW = 1024
"""Browsers look for ``<meta charset>`` in the first 1024 bytes only."""

# States of the scan.
_DATA, _TAG_NAME, _BEFORE_ATTR, _ATTR_NAME, _AFTER_ATTR, _BEFORE_VALUE = range(6)
_DOUBLE_QUOTED, _SINGLE_QUOTED, _UNQUOTED, _COMMENT_START, _COMMENT, _BOGUS = range(6, 12)
_RAW, _SCRIPT, _SCRIPT_ESCAPED, _SCRIPT_DOUBLE_ESCAPED, _PLAINTEXT = range(12, 17)


@functools.cache
def _pattern(source: bytes) -> re.Pattern[bytes]:
    return re.compile(source, re.IGNORECASE)  # compiled on first use: importing stays cheap


# A whole tag from its name to its ">", as the states below read it one step at a time: taken in one
# match where the tag has arrived whole (most tags), else read by the states.
_ATTRIBUTES = (
    rb"(?:[\t\n\f\r /]++"
    rb"|(?:=|[^\t\n\f\r />=])[^\t\n\f\r />=]*+"
    rb"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"[^\"]*+\"|'[^']*+'|[^\t\n\f\r >\"'][^\t\n\f\r >]*+|(?=>))"
    rb"|(?![\t\n\f\r ]*+=)))*+>"
)
_WHOLE_TAG = rb"([^\t\n\f\r />]*+)" + _ATTRIBUTES
_TEXT_THEN_TAG = rb"[^<]*+<(/?)([A-Za-z][^\t\n\f\r />]*+)" + _ATTRIBUTES
"""Text, then a whole start or end tag: the common case, in one match."""
_TELLING_START = rb"(?:body|meta|script|style|title|textarea|xmp|iframe|noembed|noframes|noscript|plaintext)"
_TELLING_END = rb"(?:body|head)"
_PLAIN_RUN = (
    rb"(?:[^<]++"  # text
    rb"|<(?!"
    + _TELLING_START
    + rb"[\t\n\f\r />])[A-Za-z][^\t\n\f\r />]*+"
    + _ATTRIBUTES  # another start tag
    + rb"|</(?!"
    + _TELLING_END
    + rb"[\t\n\f\r />])[A-Za-z][^\t\n\f\r />]*+"
    + _ATTRIBUTES  # another end tag
    + rb"|<!--(?:-?>|(?s:.)*?--!?>)"  # a whole comment ("<!-->" and "<!--->" are whole too)
    rb"|<!(?!--)[^>]*+>|<\?[^>]*+>|</(?=[^A-Za-z>])[^>]*+>|</>"  # doctype, "<?...>", other "<!...>", "</ >"
    rb"|<(?=[^A-Za-z/!?]))*+"  # "<" as text
)
"""Everything up to the next tag that tells something (body, head, meta, raw text) or the next piece
not all there yet, in one match: the steps below need not look at ordinary markup one by one."""


def _raw_end(name: bytes) -> re.Pattern[bytes]:
    return _pattern(rb"</" + name + rb"[\t\n\f\r />]")


class TagScanner:
    """Feed it the page so far (the same growing buffer each time) with `scan`; it records:

    ``body_open_end``: the index just after the first ``<body ...>`` start tag;
    ``head_close``: where the first ``</head>`` before it begins;
    ``body_close``: where the last ``</body>`` seen begins;
    ``meta_charset``: the charset a ``<meta>`` in the first 1024 bytes declares, before the body.
    """

    def __init__(self) -> None:
        self.pos = 0
        self.examined = 0
        self.body_open_end: int | None = None
        self.head_close: int | None = None
        self.body_close: int | None = None
        self.meta_charset: str | None = None
        self._state = _DATA
        self._tag_start = 0
        self._name_start = 0
        self._name = b""
        self._end_tag = False

    def scan(self, buf: bytes | bytearray, *, stop_at_body: bool = False) -> None:
        """Read on from where the last call stopped; stop at the end of ``buf`` (or after the body tag)."""
        n = len(buf)
        text_then_tag = _pattern(_TEXT_THEN_TAG)
        plain_run = _pattern(_PLAIN_RUN)
        while self.pos < n:
            if stop_at_body and self.body_open_end is not None:
                return
            state = self._state
            pos = self.pos
            if state == _DATA:
                run = plain_run.match(buf, pos)
                if run is not None and run.end() > pos:
                    self.examined += run.end() - pos
                    pos = self.pos = run.end()
                    if pos >= n:
                        return
                m = text_then_tag.match(buf, pos)
                if m is not None:
                    self.examined += m.end() - pos
                    self._tag_start = m.start(1) - 1
                    self._end_tag = bool(m.group(1))
                    self._name = m.group(2).lower()
                    self._tag_done(buf, m.end())
                    continue
                lt = self._find(buf, b"<", pos)
                if lt < 0:
                    return
                if not self._markup(buf, lt):
                    self.pos = lt  # what follows "<" has not arrived yet
                    return
            elif state == _TAG_NAME:
                m = self._search(_pattern(rb"[\t\n\f\r />]"), buf, pos)
                if m is None:
                    return
                self._name = bytes(buf[self._name_start : m.start()]).lower()
                self._go(_BEFORE_ATTR, m.start())
            elif state == _BEFORE_ATTR:
                pos = self._skip(buf, pos, _WS + b"/")
                if pos >= n:
                    return
                if buf[pos] == 0x3E:  # ">"
                    self._tag_done(buf, pos + 1)
                else:  # an attribute's name begins, whatever its first byte ("=" and quotes too)
                    self._go(_ATTR_NAME, pos + 1)
            elif state == _ATTR_NAME:
                m = self._search(_pattern(rb"[\t\n\f\r />=]"), buf, pos)
                if m is None:
                    return
                self._go(_AFTER_ATTR, m.start())
            elif state == _AFTER_ATTR:
                pos = self._skip(buf, pos, _WS)
                if pos >= n:
                    return
                c = buf[pos]
                if c == 0x3D:  # "="
                    self._go(_BEFORE_VALUE, pos + 1)
                elif c == 0x3E:
                    self._tag_done(buf, pos + 1)
                elif c == 0x2F:  # "/"
                    self._go(_BEFORE_ATTR, pos + 1)
                else:
                    self._go(_ATTR_NAME, pos + 1)
            elif state == _BEFORE_VALUE:
                pos = self._skip(buf, pos, _WS)
                if pos >= n:
                    return
                c = buf[pos]
                if c == 0x22:  # '"'
                    self._go(_DOUBLE_QUOTED, pos + 1)
                elif c == 0x27:  # "'"
                    self._go(_SINGLE_QUOTED, pos + 1)
                elif c == 0x3E:
                    self._tag_done(buf, pos + 1)
                else:
                    self._go(_UNQUOTED, pos)
            elif state in (_DOUBLE_QUOTED, _SINGLE_QUOTED):
                end = self._find(buf, b'"' if state == _DOUBLE_QUOTED else b"'", pos)
                if end < 0:
                    return
                self._go(_BEFORE_ATTR, end + 1)
            elif state == _UNQUOTED:
                m = self._search(_pattern(rb"[\t\n\f\r >]"), buf, pos)
                if m is None:
                    return
                if buf[m.start()] == 0x3E:
                    self._tag_done(buf, m.start() + 1)
                else:
                    self._go(_BEFORE_ATTR, m.start())
            elif state == _COMMENT_START:  # just after "<!--": "<!-->" and "<!--->" end at once
                if buf[pos] == 0x3E:
                    self._go(_DATA, pos + 1)
                elif buf[pos] == 0x2D and pos + 1 >= n:
                    return  # "-" then what?
                elif buf[pos] == 0x2D and buf[pos + 1] == 0x3E:
                    self._go(_DATA, pos + 2)
                else:
                    self._state = _COMMENT
                self.examined += 1
            elif state == _COMMENT:
                m = self._search(_pattern(rb"--!?>"), buf, pos)
                if m is None:
                    self.pos = max(pos, n - 3)  # "--!" may be cut at the end
                    return
                self._go(_DATA, m.end())
            elif state == _BOGUS:
                end = self._find(buf, b">", pos)
                if end < 0:
                    return
                self._go(_DATA, end + 1)
            elif state == _RAW:
                m = self._search(_raw_end(self._name), buf, pos)
                if m is None:
                    self.pos = max(pos, n - len(self._name) - 2)  # an end tag may be cut at the end
                    return
                self._end_tag_at(buf, m.start())
            elif state in (_SCRIPT, _SCRIPT_ESCAPED, _SCRIPT_DOUBLE_ESCAPED):
                self._script(buf, pos, state)
                if self._state == state and self.pos == pos:
                    return
            else:  # _PLAINTEXT: the rest of the page is text
                self.examined += n - pos
                self.pos = n

    # -- steps --------------------------------------------------------------------------------------

    def _go(self, state: int, pos: int) -> None:
        self._state = state
        self.pos = pos

    def _find(self, buf: bytes | bytearray, what: bytes, pos: int) -> int:
        at = buf.find(what, pos)
        self.examined += (at + 1 if at >= 0 else len(buf)) - pos
        if at < 0:
            self.pos = len(buf)
        return at

    def _search(self, pattern: re.Pattern[bytes], buf: bytes | bytearray, pos: int) -> re.Match[bytes] | None:
        m = pattern.search(buf, pos)
        self.examined += (m.end() if m else len(buf)) - pos
        if m is None:
            self.pos = len(buf)
        return m

    def _skip(self, buf: bytes | bytearray, pos: int, chars: bytes) -> int:
        start = pos
        n = len(buf)
        while pos < n and buf[pos] in chars:
            pos += 1
        self.examined += pos - start + 1
        self.pos = pos
        return pos

    def _markup(self, buf: bytes | bytearray, lt: int) -> bool:
        """What begins at ``<``; False while the bytes that tell have not arrived."""
        n = len(buf)
        if lt + 1 >= n:
            return False
        c = buf[lt + 1]
        self.examined += 2
        self._tag_start = lt
        if c in _LETTERS:
            self._tag(buf, lt + 1, end_tag=False)
        elif c == 0x2F:  # "</"
            if lt + 2 >= n:
                return False
            if buf[lt + 2] in _LETTERS:
                self._tag(buf, lt + 2, end_tag=True)
            elif buf[lt + 2] == 0x3E:  # "</>" is nothing
                self._go(_DATA, lt + 3)
            else:
                self._go(_BOGUS, lt + 2)
        elif c == 0x21:  # "<!"
            head = bytes(buf[lt : lt + 4])
            if len(head) < 4 and b"<!--".startswith(head):
                return False
            self._go(_COMMENT_START if head == b"<!--" else _BOGUS, lt + 4 if head == b"<!--" else lt + 2)
        elif c == 0x3F:  # "<?"
            self._go(_BOGUS, lt + 2)
        else:  # "<" as text
            self._go(_DATA, lt + 1)
        return True

    def _tag(self, buf: bytes | bytearray, name_start: int, *, end_tag: bool) -> None:
        """A tag's name begins at ``name_start``: read it whole if it is all there, else step by step."""
        self._end_tag = end_tag
        self._name_start = name_start
        m = _pattern(_WHOLE_TAG).match(buf, name_start)
        if m is None:  # not all there yet (tried once a tag: the steps go on from here)
            self.examined += len(buf) - name_start
            self._go(_TAG_NAME, name_start)
        else:
            self.examined += m.end() - name_start
            self._name = m.group(1).lower()
            self._tag_done(buf, m.end())

    def _end_tag_at(self, buf: bytes | bytearray, lt: int) -> None:
        """An end tag for the raw text element ``self._name`` begins at ``lt``."""
        self._tag_start = lt
        self._end_tag = True
        after_name = lt + 2 + len(self._name)
        m = _pattern(_ATTRIBUTES).match(buf, after_name)
        if m is None:  # not all there yet
            self._go(_BEFORE_ATTR, after_name)
        else:
            self.examined += m.end() - after_name
            self._tag_done(buf, m.end())

    def _tag_done(self, buf: bytes | bytearray, end: int) -> None:
        name = self._name
        self._go(_DATA, end)
        if self._end_tag:
            if name == b"head" and self.head_close is None and self.body_open_end is None:
                self.head_close = self._tag_start
            elif name == b"body":
                self.body_close = self._tag_start
            return
        if name == b"body":
            if self.body_open_end is None:
                self.body_open_end = end
        elif name == b"meta":
            if self.body_open_end is None and self.meta_charset is None and self._tag_start < META_WINDOW:
                self.meta_charset = meta_charset(bytes(buf[self._tag_start : end]))
        elif name == b"script":
            self._state = _SCRIPT
        elif name in _RAW_TEXT:
            self._state = _RAW
        elif name == b"plaintext":
            self._state = _PLAINTEXT

    def _script(self, buf: bytes | bytearray, pos: int, state: int) -> None:
        """Script text: it ends at ``</script``, except inside ``<!-- <script> ... -->``."""
        if state == _SCRIPT:
            pattern = _pattern(rb"<!--|</script[\t\n\f\r />]")
        elif state == _SCRIPT_ESCAPED:
            pattern = _pattern(rb"-->|</?script[\t\n\f\r />]")
        else:
            pattern = _pattern(rb"-->|</script[\t\n\f\r />]")
        m = pattern.search(buf, pos)
        n = len(buf)
        self.examined += (m.end() if m else n) - pos
        if m is None:
            self.pos = max(pos, n - 8)  # "</script" + one byte may be cut at the end
            return
        found = m.group().lower()
        if found == b"<!--":
            self._go(_SCRIPT_ESCAPED, m.start() + 2)  # "<!-->" ends the escape at once
        elif found == b"-->":
            self._go(_SCRIPT, m.end())
        elif found.startswith(b"</") and state != _SCRIPT_DOUBLE_ESCAPED:
            self._name = b"script"
            self._end_tag_at(buf, m.start())
        elif found.startswith(b"</"):
            self._go(_SCRIPT_ESCAPED, m.end() - 1)
        else:  # "<script" inside an escape
            self._go(_SCRIPT_DOUBLE_ESCAPED, m.end() - 1)


def meta_charset(tag: bytes) -> str | None:
    """The charset a whole ``<meta ...>`` tag declares: ``charset=``, or ``http-equiv="Content-Type"``
    with ``content="...; charset=..."`` (as browsers read them)."""
    attributes: dict[bytes, bytes] = {}
    for m in _pattern(
        rb"[\t\n\f\r /]*+((?:=|[^\t\n\f\r />=])[^\t\n\f\r />=]*+)"
        rb"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(\"[^\"]*+\"|'[^']*+'|[^\t\n\f\r >]*+))?"
    ).finditer(tag, 5, len(tag) - 1):
        name = m.group(1).lower()
        value = m.group(2) or b""
        if value[:1] in (b'"', b"'"):
            value = value[1:-1]
        attributes.setdefault(name, value)  # the first of a repeated attribute counts
    charset = attributes.get(b"charset")
    if charset is None and attributes.get(b"http-equiv", b"").strip().lower() == b"content-type":
        found = _pattern(rb"charset[\t\n\f\r ]*=[\t\n\f\r ]*(?:\"([^\"]*)\"|'([^']*)'|([^\t\n\f\r ;]+))").search(
            attributes.get(b"content", b"")
        )
        if found is not None:
            charset = next(g for g in found.groups() if g is not None)
    if charset is None:
        return None
    text = charset.decode("latin-1").strip()
    return text or None
