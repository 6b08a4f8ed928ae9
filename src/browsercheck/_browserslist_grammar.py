"""browserslist's grammar: query strings split into clauses, each matched to the query it is.

The clause splitting (``,``, ``or``, ``and``, ``not``) and the patterns, in their order, are
browserslist 4's, so that a query means what it means to browserslist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    """One clause: its text, the kind of query, the pattern's groups, and how it combines."""

    query: str
    kind: str
    groups: tuple[str | None, ...]
    negated: bool = False
    compose: str = "or"


# (kind, pattern, flags), in browserslist's order: the first that matches decides. Compiled on
# first use (``re`` caches them), and only those whose first word can match: compiling all of them
# took half of the default policy's load time.
QUERIES: tuple[tuple[str, str, int], ...] = (
    ("last_major_versions", r"^last\s+(\d+)\s+major\s+versions?$", re.I),
    ("last_versions", r"^last\s+(\d+)\s+versions?$", re.I),
    ("unsupported", r"^last\s+(\d+)\s+electron\s+major\s+versions?$", re.I),
    ("unsupported", r"^last\s+(\d+)\s+node\s+major\s+versions?$", re.I),
    ("last_browser_major_versions", r"^last\s+(\d+)\s+(\w+)\s+major\s+versions?$", re.I),
    ("unsupported", r"^last\s+(\d+)\s+electron\s+versions?$", re.I),
    ("unsupported", r"^last\s+(\d+)\s+node\s+versions?$", re.I),
    ("last_browser_versions", r"^last\s+(\d+)\s+(\w+)\s+versions?$", re.I),
    ("unreleased_versions", r"^unreleased\s+versions$", re.I),
    ("unsupported", r"^unreleased\s+electron\s+versions?$", re.I),
    ("unreleased_browser_versions", r"^unreleased\s+(\w+)\s+versions?$", re.I),
    ("last_years", r"^last\s+((?:\d+\.)?\d+)\s+years?$", re.I),
    ("since", r"^since\s+(\d+)$", re.I),
    ("since", r"^since\s+(\d+)-(\d+)$", re.I),
    ("since", r"^since\s+(\d+)-(\d+)-(\d+)$", re.I),
    (
        "baseline",
        r"^baseline\s+(?!\s)(?:(\d+)|(newly|widely)\s+(?!\s)available(?:\s+(?!\s)on\s+(?!\s)(\d{4}-\d{2}-\d{2}))?)?"
        r"(\s+(?!\s)with\s+(?!\s)downstream)?(\s+(?!\s)including\s+(?!\s)kaios)?$",
        re.I,
    ),
    ("popularity", r"^(>=?|<=?)\s*(\d+|\d+\.\d+|\.\d+)%$", 0),
    ("unsupported", r"^(>=?|<=?)\s*(\d+|\d+\.\d+|\.\d+)%\s+in\s+my\s+stats$", re.I),
    ("unsupported", r"^(>=?|<=?)\s*(\d+|\d+\.\d+|\.\d+)%\s+in\s+(\S+)\s+stats$", re.I),
    ("unsupported", r"^(>=?|<=?)\s*(\d+|\d+\.\d+|\.\d+)%\s+in\s+((alt-)?\w\w)$", re.I),
    ("cover", r"^cover\s+(\d+|\d+\.\d+|\.\d+)%$", re.I),
    ("unsupported", r"^cover\s+(\d+|\d+\.\d+|\.\d+)%\s+in\s+(my\s+stats|(alt-)?\w\w)$", re.I),
    ("unsupported", r"^cover\s+(\d+|\d+\.\d+|\.\d+)%\s+in\s+(\S+)\s+stats$", re.I),
    ("unsupported", r"^(?:(fully|partially)\s+)?supports\s+([\w-]+)$", re.I),
    ("unsupported", r"^electron\s+([\d.]+)\s*-\s*([\d.]+)$", re.I),
    ("unsupported", r"^node\s+([\d.]+)\s*-\s*([\d.]+)$", re.I),
    ("browser_range", r"^(\w+)\s+([\d.]+)\s*-\s*([\d.]+)$", re.I),
    ("unsupported", r"^electron\s*(>=?|<=?)\s*([\d.]+)$", re.I),
    ("unsupported", r"^node\s*(>=?|<=?)\s*([\d.]+)$", re.I),
    ("browser_ray", r"^(\w+)\s*(>=?|<=?)\s*([\d.]+|esr)$", re.I),
    ("firefox_esr", r"^(firefox|ff|fx)\s+esr$", re.I),
    ("opera_mini_all", r"(operamini|op_mini)\s+all", re.I),
    ("unsupported", r"^electron\s+([\d.]+)$", re.I),
    ("unsupported", r"^node\s+(\d+)$", re.I),
    ("unsupported", r"^node\s+(\d+\.\d+)$", re.I),
    ("unsupported", r"^node\s+(\d+\.\d+\.\d+)$", re.I),
    ("unsupported", r"^current\s+node$", re.I),
    ("unsupported", r"^maintained\s+node\s+versions$", re.I),
    ("phantomjs_1_9", r"^phantomjs\s+1.9$", re.I),
    ("phantomjs_2_1", r"^phantomjs\s+2.1$", re.I),
    ("browser_version", r"^(\w+)\s+(tp|[\d.]+)$", re.I),
    ("unsupported", r"^browserslist\s+config$", re.I),
    ("unsupported", r"^extends\s+(?!\s)(.+)$", re.I),
    ("defaults", r"^defaults$", re.I),
    ("dead", r"^dead$", re.I),
    ("unknown", r"^(\w+)$", re.I),
)


def _first_word(pattern: str) -> str | None:
    """The word a pattern's match must start with (followed by a space or the end), or ``None``:
    a browser name, a sign, or a word that may run into what follows (``electron>=10``)."""
    match = re.match(r"\^([a-z]+)(?:\\s\+|\$)", pattern)
    return match.group(1) if match else None


_BY_WORD = tuple((kind, pattern, flags, _first_word(pattern)) for kind, pattern, flags in QUERIES)


def parse(queries: str | Sequence[str]) -> list[Node]:
    """browserslist's clauses: blocks split on ``,``, ``or`` and ``and``, each with ``not`` or not.

    A list's entries are separate blocks unless one ends with an operator."""
    entries = [queries] if isinstance(queries, str) else list(queries)
    blocks: list[str] = []
    pending: list[str] = []
    for entry in entries:
        if not entry:
            continue
        pending.append(entry)
        if _ends_with_operator(entry):
            continue
        blocks.append("\n".join(pending))
        pending = []
    if pending:
        blocks.append("\n".join(pending))
    nodes: list[Node] = []
    for block in blocks:
        nodes.extend(_parse_block(block))
    return nodes


_CLAUSE_SPLIT = re.compile(r",\s*|\s+(and|or)\s+", re.I)


def _parse_block(block: str) -> list[Node]:
    nodes: list[Node] = []
    compose = "or"
    start = 0
    for match in _CLAUSE_SPLIT.finditer(block):
        if match.start() != 0:
            nodes.append(_match(block[start : match.start()].strip(), compose))
        compose = (match.group(1) or "or").lower()
        start = match.end()
    nodes.append(_match(block[start:].strip(), compose))
    return nodes


def _ends_with_operator(block: str) -> bool:
    text = block.rstrip()
    if text.endswith(","):
        return bool(text[:-1].strip())
    match = re.search(r"\s(and|or)$", text, re.I)
    return bool(match) and bool(text[: match.start()].strip()) if match else False


def _match(query: str, compose: str) -> Node:
    negated = False
    if not_ := re.match(r"not\s+(?!\s)", query, re.I):
        negated = True
        query = query[not_.end() :]
    word = query.split(None, 1)[0].lower() if query.strip() else ""
    for kind, pattern, flags, first in _BY_WORD:
        if first is not None and first != word:
            continue
        if found := re.search(pattern, query, flags):
            return Node(query, kind, found.groups(), negated, compose)
    return Node(query, "unknown", (), negated, compose)
