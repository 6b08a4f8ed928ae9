from collections.abc import Sequence
from typing import Any

from typing_extensions import Buffer

def siphash(key: Buffer, data: Buffer, c_rounds: int, d_rounds: int, /) -> int:
    """SipHash-c-d of ``data`` under the 16-byte ``key`` (the visitor hash: 1, 3, its own key)."""

def union_packed(a: Buffer, b: Buffer, /) -> bytes:
    """The union of two ascending lists of visitor hashes, 8 bytes each, little-endian: packed alike."""

def sample_packed(packed: Buffer, level: int, /) -> bytes:
    """The hashes of ``packed`` whose ``hash & (2**level - 1) == 0``, packed alike."""

class CombinedCounter:
    """Requests per User-Agent and visitors of combined log lines, counted in C (see `_tally`)."""

    def __init__(self, max_line: int) -> None: ...
    def add(self, chunk: bytes | memoryview, /) -> tuple[int, list[tuple[int, int]]]:
        """Lines counted, and the (start, end) of the malformed ones."""
    def sample(self, level: int, /) -> None: ...
    def requests(self) -> dict[bytes, int]: ...
    def visitors_by_user_agent(self) -> dict[bytes, set[int]]: ...
    def visitors_packed(self) -> dict[bytes, bytes]: ...
    def packed_in_order(self) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """(User-Agents, their lengths, requests, visitor counts, visitors), each User-Agent's in
        turn in the order first seen."""
    def take_new(self) -> list[bytes]:
        """The User-Agents first seen since the last call, in the order seen."""
    @property
    def visitors(self) -> int: ...
    @property
    def level(self) -> int: ...

class LiteralSet:
    """Which of many ASCII texts a str contains, and where any starts: Aho-Corasick, for the bot check's
    plain-text patterns and the texts its exclusions start with."""

    def __init__(self, texts: Sequence[str], *, starts: bool = False) -> None: ...
    def first(self, text: str, /) -> int | None:
        """The index of the first of the texts (in their order) that ``text`` contains, or ``None``."""
    def starts(self, text: str, /) -> list[int]:
        """The places where any of the texts starts in ``text``, ascending (made with ``starts=True``)."""

class SlotsMaker:
    """``maker(*values)``: a new ``cls``, its slots ``fields`` set to ``values`` in order and its slots
    ``fixed`` to their values, without ``cls``'s ``__init__`` (see `_model.slots_maker`)."""

    def __init__(self, cls: type, fields: tuple[str, ...], fixed: dict[str, object]) -> None: ...
    def __call__(self, *values: object) -> Any: ...
