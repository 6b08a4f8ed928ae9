"""How right is detection on real User-Agents that other projects collected and labelled?

    python benchmarks/measure_detection.py [--show 15] [--data .cache/uasets]

The sets are fetched from the package registries into a git-ignored cache on first use (never
copied into this repository; their licences differ from ours):

- Matomo Device Detector's test fixtures (LGPL-3.0), shipped in the sdist of the PyPI package
  ``device-detector``: tens of thousands of real User-Agents, each labelled by hand-checked
  fixtures with the client's name and version (``client.type: browser``), and a file of real bot
  User-Agents (``bots.yml``).
- ``crawler-user-agents`` from npm (MIT): bot patterns with real User-Agents ("instances") each.
- ``user-agents`` from npm (BSD-2-Clause): real browsers' User-Agents as its collector saw them on
  real sites, with their share of traffic. They carry no label: ua-parser-js (npm, run with node)
  is the judge of their browser and version, where its name maps onto a key (`UA_PARSER_JS`).

Ground truth: for Matomo's browsers, the label mapped onto browsercheck's keys by `EXPECTED` below (a
browser Matomo names that browsercheck has no key for is counted apart: it must not be called a bot,
and its engine should be known); for bots, membership in a bot list. Prints the share of browsers
with the right key and the right major version, browsers called bots, bots judged as browsers and
bots not recognised at all, with examples of each miss.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).parents[1]
DEVICE_DETECTOR = "device-detector==6.5.1"
CRAWLER_USER_AGENTS = "crawler-user-agents@1.60.0"
USER_AGENTS = "user-agents@2.1.198"
UA_PARSER_JS_PACKAGE = "ua-parser-js@2.0.10"
FIXTURES = "device_detector-6.5.1/device_detector/tests/fixtures/upstream"

# Matomo's client name -> browsercheck's key. A name that depends on the platform maps to a dict by
# OS family ("*" for the rest). Names not here are browsers browsercheck has no key for.
EXPECTED: dict[str, str | dict[str, str]] = {
    "Chrome": {"Android": "chrome_android", "iOS": "chrome_ios", "*": "chrome"},
    "Chrome Mobile": {"iOS": "chrome_ios", "*": "chrome_android"},
    "Chrome Mobile iOS": "chrome_ios",
    "Chrome Webview": "webview_android",
    "Android Browser": "webview_android",
    "Chromium": "chromium",
    "Microsoft Edge": {"Android": "edge_android", "iOS": "edge_ios", "*": "edge"},
    "Firefox": {"Android": "firefox_android", "iOS": "firefox_ios", "*": "firefox"},
    "Firefox Mobile": {"iOS": "firefox_ios", "*": "firefox_android"},
    "Firefox Mobile iOS": "firefox_ios",
    "Safari": {"iOS": "safari_ios", "*": "safari"},
    "Mobile Safari": {"iOS": "safari_ios", "*": "safari_ios"},
    "Internet Explorer": "ie",
    "IE Mobile": "ie",
    "Opera": {"Android": "opera_android", "*": "opera"},
    "Opera Mobile": "opera_android",
    "Opera GX": {"Android": "opera_gx", "iOS": "opera_gx", "*": "opera"},
    "Opera Mini": "opera_mini",
    "Opera Mini iOS": "opera_mini",
    "Samsung Browser": "samsunginternet_android",
    "Yandex Browser": "yandex",
    "Yandex Browser Lite": "yandex",
    "UC Browser": "uc",
    "UC Browser Mini": "uc",
    "UC Browser Turbo": "uc",
    "Mi Browser": "miui",
    "QQ Browser": "qq",
    "QQ Browser Mini": "qq",
    "Huawei Browser": "huawei",
    "Huawei Browser Mobile": "huawei",
    "Mobile Silk": "silk",
    "DuckDuckGo Privacy Browser": "duckduckgo",
    "Vivaldi": "vivaldi",
    "Brave": "brave",
    "Whale Browser": "whale",
    "Coc Coc": "coccoc",
    "Electron": "electron",
}


class Case(NamedTuple):
    ua: str
    label: str
    """Matomo's client name, or the bot list's name."""
    expected: str | None
    """browsercheck's key for the label; ``None`` where it has none."""
    major: int | None
    headers: dict[str, str]


def fetch(data: Path) -> None:
    """Download the two packages into ``data`` (once), through pip and npm."""
    data.mkdir(parents=True, exist_ok=True)
    if not (data / FIXTURES).is_dir():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(data),
                DEVICE_DETECTOR,
            ],
            check=True,
        )
        (sdist,) = data.glob("device_detector-*.tar.gz")
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if "/tests/fixtures/upstream/" in m.name]
            tar.extractall(data, members=members, filter="data")
    if not (data / "crawler-user-agents.json").exists():
        out = subprocess.run(
            ["npm", "pack", "--silent", CRAWLER_USER_AGENTS], cwd=data, check=True, capture_output=True, text=True
        )
        with tarfile.open(data / out.stdout.strip().splitlines()[-1]) as tar:
            member = tar.extractfile("package/crawler-user-agents.json")
            assert member is not None
            (data / "crawler-user-agents.json").write_bytes(member.read())
    for package, directory in ((USER_AGENTS, "user-agents"), (UA_PARSER_JS_PACKAGE, "ua-parser-js")):
        if not (data / directory).is_dir():
            out = subprocess.run(
                ["npm", "pack", "--silent", package], cwd=data, check=True, capture_output=True, text=True
            )
            with tarfile.open(data / out.stdout.strip().splitlines()[-1]) as tar:
                tar.extractall(data / directory, filter="data")


def _major(version: str | None) -> int | None:
    head = (version or "").split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _platform(ua: str) -> str:
    """The platform as the User-Agent itself says it (Matomo's OS label counts Android apps on a
    Chromebook as ChromeOS, where the browser is the Android edition)."""
    if "iPhone" in ua or "iPad" in ua or "iPod" in ua:
        return "iOS"
    if "Android" in ua:
        return "Android"
    return ""


def _expected(name: str, engine: str, ua: str) -> str | None:
    """browsercheck's key for Matomo's label. Where the two disagree on purpose, browsercheck's
    reading is taken and the report says so (see `DISAGREEMENTS`)."""
    if "HbbTV/" in ua:
        return None  # smart-TV browsers are judged by their engine, without a key
    if name in ("Opera", "Opera Mobile") and "OPR/" in ua and "; wv)" in ua:
        return "opera_mini"  # Opera Mini for Android is a WebView with OPR/ (Matomo: Opera Mobile)
    if name == "Microsoft Edge" and engine == "Edge":
        return "edge_legacy"  # EdgeHTML, Xbox's too
    if name == "Firefox Mobile" and "KAIOS" in ua.upper():
        return "kaios"
    if name == "Android Browser" and ("Dalvik/" in ua or "Cronet/" in ua):
        return None  # Android's HTTP stacks, not a browser: must not be called a bot, no key
    key = EXPECTED.get(name)
    if isinstance(key, dict):
        return key.get(_platform(ua), key["*"])
    return key


DISAGREEMENTS = (
    "counted with browsercheck's reading where Matomo labels otherwise: OPR/ with '; wv' is Opera Mini "
    "(Matomo: Opera Mobile); HbbTV TVs have no key (judged by engine); Edge/12-20 is edge_legacy; "
    "KaiOS's browser is kaios; Dalvik/ and Cronet/ (apps' HTTP stacks) have no key"
)


def browser_cases(data: Path) -> Iterator[Case]:
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(glob.glob(str(data / FIXTURES / "*.yml"))):
        if path.endswith("bots.yml"):
            continue
        with open(path, encoding="utf-8") as f:
            entries = yaml.load(f, Loader=loader) or []
        for e in entries:
            client = e.get("client") or {}
            if client.get("type") != "browser":
                continue
            name = str(client["name"])
            ua = str(e["user_agent"])
            headers = {str(k): str(v) for k, v in (e.get("headers") or {}).items()}
            expected = _expected(name, str(client.get("engine") or ""), ua)
            yield Case(ua, name, expected, _major(str(client.get("version"))), headers)


def bot_cases(data: Path) -> Iterator[Case]:
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(data / FIXTURES / "bots.yml", encoding="utf-8") as f:
        for e in yaml.load(f, Loader=loader):
            yield Case(str(e["user_agent"]), "matomo: " + str(e["bot"]["name"]), None, None, {})
    with open(data / "crawler-user-agents.json", encoding="utf-8") as f:
        for entry in json.load(f):
            for ua in entry.get("instances", []):
                yield Case(str(ua), "crawler-user-agents: " + str(entry["pattern"]), None, None, {})


# ua-parser-js's browser name -> browsercheck's key, by platform as in `EXPECTED`.
UA_PARSER_JS: dict[str, str | dict[str, str]] = {
    "Chrome": {"Android": "chrome_android", "iOS": "chrome_ios", "*": "chrome"},
    "Mobile Chrome": {"iOS": "chrome_ios", "*": "chrome_android"},
    "Chrome WebView": "webview_android",
    "Edge": {"Android": "edge_android", "iOS": "edge_ios", "*": "edge"},
    "Firefox": {"Android": "firefox_android", "iOS": "firefox_ios", "*": "firefox"},
    "Mobile Firefox": {"iOS": "firefox_ios", "*": "firefox_android"},
    "Safari": {"iOS": "safari_ios", "*": "safari"},
    "Mobile Safari": "safari_ios",
    "Opera": {"Android": "opera_android", "*": "opera"},
    "Samsung Internet": "samsunginternet_android",
    "Yandex": "yandex",
    "DuckDuckGo": "duckduckgo",
    "GSA": "google_app",
}
_JUDGE = """
const {UAParser} = require(process.argv[1] + "/package/src/main/ua-parser.js");
const data = require(process.argv[2] + "/package/dist/user-agents.json");
console.log(JSON.stringify(data.map(e => {
  const b = UAParser(e.userAgent).browser;
  return [e.userAgent, e.weight, b.name || "", b.major || ""];
})));
"""


class Weighted(NamedTuple):
    case: Case
    weight: float


def judged_cases(data: Path) -> list[Weighted]:
    """``user-agents``' browsers, each with ua-parser-js's reading."""
    out = subprocess.run(
        ["node", "-e", _JUDGE, str(data / "ua-parser-js"), str(data / "user-agents")],
        check=True,
        capture_output=True,
        text=True,
    )
    cases: dict[str, Weighted] = {}
    for ua, weight, name, major in json.loads(out.stdout):
        key = UA_PARSER_JS.get(name)
        expected = key.get(_platform(ua), key["*"]) if isinstance(key, dict) else key
        case = Case(ua, "ua-parser-js: " + (name or "?"), expected, _major(major), {})
        previous = cases.get(ua)
        cases[ua] = Weighted(case, weight + (previous.weight if previous else 0.0))
    return list(cases.values())


def share(part: int, whole: int) -> str:
    return f"{part:>6,} / {whole:>6,} = {100 * part / whole if whole else 0:6.2f}%"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / ".cache" / "uasets")
    parser.add_argument("--show", type=int, default=12, help="examples of each kind of miss")
    parser.add_argument("--hints", action="store_true", help="send the fixtures' Client Hints too")
    args = parser.parse_args(argv)
    fetch(args.data)

    import browsercheck

    checker = browsercheck.Checker(cache_size=0)

    def check(case: Case) -> browsercheck.Verdict:
        return checker.check(case.ua, headers=case.headers if args.hints else None)

    browsers = list({c.ua: c for c in browser_cases(args.data)}.values())
    known = [c for c in browsers if c.expected is not None]
    misses: dict[str, list[str]] = collections.defaultdict(list)
    right_key = right_major = with_major = called_bots = 0
    per_label: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for case in known:
        verdict = check(case)
        client = verdict.client
        per_label[case.label][1] += 1
        if client.bot is not None:
            called_bots += 1
            misses["browser called a bot"].append(f"{case.label} -> bot {client.bot!r}: {case.ua}")
        if client.browser == case.expected:
            right_key += 1
            per_label[case.label][0] += 1
        else:
            misses["wrong key"].append(f"{case.label} -> {client.browser} (want {case.expected}): {case.ua}")
        if case.major is not None and case.major > 0:
            with_major += 1
            got = _major(client.version)
            if client.browser == case.expected and got == case.major:
                right_major += 1
            else:
                misses["wrong major"].append(f"{case.label} {case.major} -> {client.browser} {got}: {case.ua}")

    others = [c for c in browsers if c.expected is None]
    others_bots = others_engine = 0
    for case in others:
        client = check(case).client
        if client.bot is not None:
            others_bots += 1
            misses["browser called a bot"].append(f"{case.label} -> bot {client.bot!r}: {case.ua}")
        elif client.engine is not None:
            others_engine += 1

    bots = list({c.ua: c for c in bot_cases(args.data)}.values())
    as_browsers = unrecognised = 0
    for case in bots:
        verdict = check(case)
        if verdict.status is browsercheck.Status.BOT:
            continue
        if verdict.client.browser is not None or verdict.client.engine is not None:
            as_browsers += 1
            misses["bot judged as a browser"].append(f"{case.label} -> {verdict.client.label}: {case.ua}")
        else:
            unrecognised += 1
            misses["bot not recognised"].append(f"{case.label}: {case.ua}")

    judged = judged_cases(args.data)
    total_weight = sum(w.weight for w in judged)
    mapped = [w for w in judged if w.case.expected is not None]
    agree_key = agree_major = with_major_js = judged_bots = 0
    bot_weight = 0.0
    for w in judged:
        client = check(w.case).client
        if client.bot is not None:
            judged_bots += 1
            bot_weight += w.weight
            misses["user-agents browser called a bot"].append(f"{w.case.label}: {w.case.ua}")
        if w.case.expected is None:
            continue
        if client.browser == w.case.expected:
            agree_key += 1
        else:
            misses["user-agents: other key than ua-parser-js"].append(
                f"{w.case.label} -> {client.browser} (want {w.case.expected}): {w.case.ua}"
            )
        if w.case.major:
            with_major_js += 1
            agree_major += client.browser == w.case.expected and _major(client.version) == w.case.major

    hints = " (with the fixtures' Client Hints)" if args.hints else ""
    print(f"Matomo Device Detector fixtures: {len(browsers):,} distinct browser User-Agents{hints}")
    print(f"  browsers browsercheck has a key for      {len(known):,}")
    print(f"    right key                              {share(right_key, len(known))}   target >= 99%")
    print(f"    right key and major version            {share(right_major, with_major)}   target >= 99%")
    print(f"  browsers without a key of browsercheck's {len(others):,}")
    print(f"    engine known (judged by it)            {share(others_engine, len(others))}")
    all_bots = called_bots + others_bots
    print(f"  every browser: called a bot              {share(all_bots, len(browsers))}   target <= 0.05%")
    print(f"bots (Matomo bots.yml + crawler-user-agents instances): {len(bots):,} distinct User-Agents")
    print(f"  judged as browsers                       {share(as_browsers, len(bots))}   target <= 0.5%")
    print(f"  not recognised (unknown)                 {share(unrecognised, len(bots))}   target <= 8%")
    print("  (" + DISAGREEMENTS + ")")
    print(f"user-agents (npm), real browsers weighted by traffic: {len(judged):,} distinct User-Agents")
    print(f"  called a bot                             {share(judged_bots, len(judged))}   target <= 0.05%")
    print(f"    share of traffic                       {100 * bot_weight / total_weight:6.3f}%")
    print(f"  ua-parser-js names a browser with a key  {len(mapped):,}")
    print(f"    same key as ua-parser-js               {share(agree_key, len(mapped))}")
    print(f"    same key and major version             {share(agree_major, with_major_js)}")
    print("\nright key by Matomo name (the 15 largest groups and every group under 99%):")
    ranked = sorted(per_label.items(), key=lambda item: -item[1][1])
    for i, (label, (right, total)) in enumerate(ranked):
        if i < 15 or right < 0.99 * total:
            print(f"  {label:<28} {share(right, total)}")
    for kind, examples in misses.items():
        print(f"\n{kind}: {len(examples):,}")
        for example in examples[: args.show]:
            print("  " + example[:300])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
