"""Choosing the notice's language: explicit, else Accept-Language, else the site's default.

Accept-Language is read as RFC 9110 section 12.5.4 describes (language ranges with q-values) and
matched with RFC 4647 "lookup": a range is shortened one subtag at a time (``sv-FI`` -> ``sv``)
until it names an available locale. A few tags that name a language by another code are read as
the code the catalogs use (`EQUIVALENT_TAGS`: ``no`` is Norwegian, whose written standard here is
Bokmål, ``nb``). Whatever a client sends, nothing here raises.
"""

from __future__ import annotations

from collections.abc import Collection

MAX_HEADER_LENGTH = 1024
MAX_RANGES = 32

# Tags browsers still send for a language whose catalog goes by another code: the macrolanguage
# "no" (Norwegian) and the withdrawn ISO 639 codes for Hebrew, Indonesian and Yiddish.
EQUIVALENT_TAGS = {"no": "nb", "iw": "he", "in": "id", "ji": "yi"}


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """The language ranges of an Accept-Language header, most preferred first (ties keep order).

    Ranges with ``q=0`` are kept (they say "not this one"); malformed entries are skipped.
    """
    ranges: list[tuple[str, float]] = []
    for entry in header[:MAX_HEADER_LENGTH].split(",")[:MAX_RANGES]:
        tag, _, params = entry.partition(";")
        tag = tag.strip().lower()
        if not tag or not _is_range(tag):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _qvalue(value.strip())
        if q >= 0:
            ranges.append((tag, q))
    ranges.sort(key=lambda r: -r[1])  # sort is stable: equal q keeps the client's order
    return ranges


def _is_range(tag: str) -> bool:
    if tag == "*":
        return True
    parts = tag.split("-")
    return all(0 < len(p) <= 8 and p.isascii() and p.isalnum() for p in parts) and parts[0].isalpha()


def _qvalue(text: str) -> float:
    """RFC 9110 qvalue: 0 to 1 with up to three decimals; -1 for anything else (entry dropped)."""
    try:
        q = float(text)
    except ValueError:
        return -1
    return q if 0 <= q <= 1 and len(text) <= 5 else -1


def negotiate(accept_language: str | None, available: Collection[str], default: str) -> str:
    """The best of ``available`` for the header, else ``default``."""
    if not accept_language:
        return default
    by_lower = {locale.lower().replace("_", "-"): locale for locale in available}
    ranges = parse_accept_language(accept_language)
    refused = {tag for tag, q in ranges if q == 0}
    for tag, q in ranges:
        if q == 0:
            continue
        if tag == "*":
            # any language: the default if the client has not refused it, else any other
            if default.lower() not in refused:
                return default
            for key, locale in sorted(by_lower.items()):
                if key not in refused:
                    return locale
            continue
        candidate = tag
        while candidate:
            for code in (candidate, EQUIVALENT_TAGS.get(candidate)):
                if code in by_lower and code not in refused:
                    return by_lower[code]
            candidate = candidate.rpartition("-")[0]
    return default
