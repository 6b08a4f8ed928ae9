"""npm tarballs of baseline-browser-mapping and caniuse-lite in, browsercheck's compact browser data out.

One conversion for both paths: the maintainer script that regenerates the shipped data and
``browsercheck data update`` call `build`. Only what the queries read is kept: Baseline's timeline
(which version of each browser supports all Baseline features from which date) and, for every
caniuse agent, its versions, release dates and global usage.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from typing import Any

from ._browserdata import BASELINE, CANIUSE, FORMAT
from ._browsers import BASELINE_NAMES

LICENSES = {BASELINE: "Apache-2.0", CANIUSE: "CC-BY-4.0"}
MAX_MEMBER = 16 * 1024 * 1024  # the files read are tens of KB; a bigger one is not the package we know

# baseline-browser-mapping's short codes, as its own code maps them (the registry holds them)
_BBM_NAMES = BASELINE_NAMES
# caniuse-lite's agent letters (data/browsers.js), read from the package when it has the file
_AGENT_LETTERS = re.compile(r'(\w+)\s*:\s*"(\w+)"')
_BBM_DATA = re.compile(r'"(pre_baseline\\n(?:[^"\\]|\\.)*)"')
_JS_KEY = re.compile(r"([{,])\s*([A-Za-z_$][\w$]*)\s*:")


class ConversionError(ValueError):
    """A tarball that is not the package browsercheck knows how to read."""


def read_members(tarball: bytes, names: tuple[str, ...]) -> dict[str, bytes]:
    """The named files of an npm tarball (paths under ``package/``)."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member in archive:
                name = member.name.removeprefix("package/")
                if name in names and member.isfile():
                    if member.size > MAX_MEMBER:
                        raise ConversionError(f"{name} is {member.size:,} bytes, more than {MAX_MEMBER:,}")
                    extracted = archive.extractfile(member)
                    if extracted is not None:
                        found[name] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise ConversionError(f"not a readable npm tarball: {e}") from None
    missing = [n for n in names if n not in found]
    if missing:
        raise ConversionError(f"the tarball has no {', '.join(missing)}")
    return found


def _version(package_json: bytes, expected_name: str) -> str:
    try:
        meta = json.loads(package_json)
    except ValueError as e:
        raise ConversionError(f"package.json is not JSON: {e}") from None
    if not isinstance(meta, dict) or meta.get("name") != expected_name or not isinstance(meta.get("version"), str):
        raise ConversionError(f"package.json is not {expected_name}'s")
    return str(meta["version"])


def baseline_timeline(tarball: bytes) -> tuple[str, list[list[Any]]]:
    """The package's version and its timeline: ``[[date, {browser: version}], ...]`` in date order,
    the first date ``"pre_baseline"`` (versions before Baseline began)."""
    files = read_members(tarball, ("package.json", "dist/index.cjs"))
    version = _version(files["package.json"], BASELINE)
    match = _BBM_DATA.search(files["dist/index.cjs"].decode("utf-8", "replace"))
    if match is None:
        raise ConversionError("dist/index.cjs holds no Baseline timeline")
    text: str = json.loads(f'"{match.group(1)}"')
    timeline: list[list[Any]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line == "releases":
            break  # release dates of versions that never moved Baseline: not needed
        if not line:
            continue
        if line == "pre_baseline" or re.fullmatch(r"20\d{6}", line):
            date = line if line == "pre_baseline" else f"{line[:4]}-{line[4:6]}-{line[6:]}"
            timeline.append([date, {}])
            continue
        fields = line.split(",")
        if len(fields) < 3 or fields[0] not in _BBM_NAMES or not timeline:
            raise ConversionError(f"unexpected Baseline timeline line {line!r}")
        timeline[-1][1][_BBM_NAMES[fields[0]]] = fields[1]
    if len(timeline) < 2 or timeline[0][0] != "pre_baseline":
        raise ConversionError("the Baseline timeline is empty")
    return version, timeline


def _js_object(text: str) -> Any:
    """caniuse-lite's ``module.exports={A:{...}}`` (a JS object literal of numbers, strings and
    arrays) as JSON: only bare keys need quoting."""
    body = text.strip().removeprefix("module.exports=").rstrip(";")
    try:
        return json.loads(_JS_KEY.sub(r'\1"\2":', body))
    except ValueError as e:
        raise ConversionError(f"cannot read the agents data: {e}") from None


def caniuse_agents(tarball: bytes) -> tuple[str, dict[str, dict[str, Any]]]:
    """The package's version and its agents: versions in order, how many are released, and per
    version the global usage (percent) and release date (seconds since 1970, or null)."""
    files = read_members(tarball, ("package.json", "data/agents.js", "data/browsers.js"))
    version = _version(files["package.json"], CANIUSE)
    letters = dict(_AGENT_LETTERS.findall(files["data/browsers.js"].decode("utf-8", "replace")))
    packed = _js_object(files["data/agents.js"].decode("utf-8", "replace"))
    if not isinstance(packed, dict) or not packed:
        raise ConversionError("the agents data is not a mapping")
    agents: dict[str, dict[str, Any]] = {}
    for letter, agent in packed.items():
        if letter not in letters or not isinstance(agent, dict):
            raise ConversionError(f"unknown agent {letter!r}")
        agents[letters[letter]] = _unpack_agent(letters[letter], agent)
    return version, agents


def _unpack_agent(name: str, packed: dict[str, Any]) -> dict[str, Any]:
    # as caniuse-lite's own unpacker: "C" lists versions as space-separated strings and counts of
    # empty slots; the last three slots are the versions not released yet
    slots: list[str | None] = []
    for item in packed.get("C", ()):
        if isinstance(item, int):
            slots.extend([None] * item)
        elif isinstance(item, str):
            slots.extend(item.split(" "))
        else:
            raise ConversionError(f"agent {name}: unexpected version entry {item!r}")
    versions = [v for v in slots if v is not None]
    released = [v for v in slots[:-3] if v is not None]
    if not versions or versions[: len(released)] != released:
        raise ConversionError(f"agent {name}: released versions are not the first ones")
    usage = _per_version(name, versions, packed.get("A"), lambda values: values)
    dates = _per_version(name, versions, packed.get("F"), _days_to_seconds)
    return {"versions": versions, "released": len(released), "usage": usage, "dates": dates}


def _days_to_seconds(deltas: list[Any]) -> list[Any]:
    # release dates are packed as days since the previous release
    days = 0
    seconds: list[Any] = []
    for delta in deltas:
        if delta is None:
            seconds.append(None)
        else:
            days += delta
            seconds.append(days * 86400)
    return seconds


def _per_version(name: str, versions: list[str], packed: Any, unpack: Any) -> list[Any]:
    if isinstance(packed, list):
        if len(packed) != len(versions):
            raise ConversionError(f"agent {name}: {len(packed)} values for {len(versions)} versions")
        values: list[Any] = unpack(packed)
        return values
    if isinstance(packed, dict):
        return [packed.get(v) for v in versions]
    raise ConversionError(f"agent {name}: per-version data missing")


def build(
    baseline_tarball: bytes,
    caniuse_tarball: bytes,
    *,
    baseline_date: str,
    caniuse_date: str,
    firefox_esr: str,
) -> dict[str, Any]:
    """The compact data: JSON-ready, as shipped in ``browsercheck/data/browsers.json``."""
    baseline_version, timeline = baseline_timeline(baseline_tarball)
    caniuse_version, agents = caniuse_agents(caniuse_tarball)
    return {
        "format": FORMAT,
        "sources": {
            BASELINE: {"version": baseline_version, "date": baseline_date, "license": LICENSES[BASELINE]},
            CANIUSE: {"version": caniuse_version, "date": caniuse_date, "license": LICENSES[CANIUSE]},
        },
        "firefox_esr": firefox_esr,
        "baseline": timeline,
        "agents": agents,
    }


def dumps(data: dict[str, Any]) -> str:
    """Compact, stable JSON: one line per top-level part, so that a data update diffs readably."""
    parts = [f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in data.items()]
    return "{\n" + ",\n".join(parts) + "\n}\n"
