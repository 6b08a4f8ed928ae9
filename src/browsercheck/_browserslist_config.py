"""browserslist's own configuration files: a ``.browserslistrc``, or package.json's "browserslist"."""

from __future__ import annotations

import json
import os
import re

_SECTION = re.compile(r"^\s*\[(.+)]\s*$")


class ConfigError(ValueError):
    """A configuration that cannot be read; the message names the file."""


def read_config(folder: str, name: str | None, max_bytes: int) -> tuple[str, ...]:
    """The queries of ``name`` (relative to ``folder``), or of the ``.browserslistrc`` or else the
    package.json in ``folder``; their ``production`` section where they have sections."""
    if name is None:
        candidates = [os.path.join(folder, ".browserslistrc"), os.path.join(folder, "package.json")]
        found = [c for c in candidates if os.path.isfile(c)]
        if not found:
            raise ConfigError(f"no .browserslistrc or package.json in {os.path.abspath(folder)}")
        name = found[0]
    else:
        name = os.path.join(folder, name)
    try:
        with open(name, encoding="utf-8") as f:
            text = f.read(max_bytes + 1)
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL in the name
        raise ConfigError(f"cannot read {name}: {getattr(e, 'strerror', None) or e}") from None
    if len(text) > max_bytes:
        raise ConfigError(f"{name} is larger than {max_bytes:,} bytes")
    try:
        queries = (
            package_json_queries(text) if os.path.basename(name) == "package.json" else browserslistrc_queries(text)
        )
    except ConfigError as e:
        raise ConfigError(f"{name}: {e}") from None
    if not queries:
        raise ConfigError(f"{name} holds no browserslist queries")
    return queries


def browserslistrc_queries(text: str) -> tuple[str, ...]:
    """A ``.browserslistrc`` read as browserslist reads one: ``#`` comments dropped, queries split on
    new lines and commas, ``[env other]`` sections; the ``production`` section, else the rest."""
    sections: dict[str, list[str]] = {"defaults": []}
    current = ["defaults"]
    for raw in re.split(r"\n|,", re.sub(r"#[^\n]*", "", text)):
        line = raw.strip()
        if not line:
            continue
        if section := _SECTION.match(line):
            current = section.group(1).strip().split(" ")
            for name in current:
                if name in sections:
                    raise ConfigError(f"duplicate section [{name}]")
                sections[name] = []
            continue
        for name in current:
            sections[name].append(line)
    return tuple(sections.get("production") or sections["defaults"])


def package_json_queries(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text).get("browserslist")
    except (ValueError, AttributeError, RecursionError):
        return ()
    if isinstance(value, dict):
        value = value.get("production", value.get("defaults"))
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(q, str) for q in value):
        return tuple(value)
    return ()
