"""Text that a client chose (a User-Agent, a log line) made safe to print: control characters shown
as escapes, so that a logged ``\\x1b]0;...\\x07\\x1b[2J`` cannot retitle or clear a terminal."""

from __future__ import annotations

_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}  # C0, DEL, C1 (0x9b is CSI)
_FORMATTING = {  # bidirectional overrides and line separators: they reorder or break what follows
    c: f"\\u{c:04x}" for c in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_TABLE = _CONTROLS | _FORMATTING


def visible(text: str) -> str:
    """``text`` with each control character (tab and newline too) written as ``\\xNN`` and each
    bidirectional or line-separating format character as ``\\uNNNN``. Backslashes stay as they
    are: bytes of a log that were not UTF-8 already read as ``\\xNN``, and mean the same."""
    return text.translate(_TABLE)
