"""The parts of other packages that browsercheck reads below their documented API.

`_bots.py` reads crawlerdetect's pattern lists (`crawlerdetect.providers.*.data`) and builds
ua-parser-rs extractors itself; `_resolver.py` feeds ua-parser's lazy matchers to ua-parser-rs;
`_hints.py` relies on http-sf's parse signature and error class. A release that changes any of
these breaks detection in ways that would otherwise surface as an obscure AttributeError deep in
a request: these tests fail first, naming the package and the version installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from typing import Any

import pytest

import browsercheck
from browsercheck._browserdata import browser_data


def _shape(package: str, what: str) -> str:
    return f"{package} {version(package)}: {what} changed shape; browsercheck's use of it needs updating"


@pytest.mark.parametrize("provider", ["crawlers", "exclusions"])
def test_crawlerdetect_pattern_lists(provider: str) -> None:
    from crawlerdetect import providers

    data = getattr(getattr(providers, provider, None), "data", None)
    message = _shape("crawlerdetect", f"providers.{provider}.data (a list of regular expressions)")
    assert isinstance(data, list) and data, message
    assert all(isinstance(p, str) and p for p in data), message
    for pattern in data:  # what _bots.py compiles them with
        re.compile(pattern, re.IGNORECASE)


def test_crawlerdetect_still_knows_the_common_crawlers() -> None:
    from crawlerdetect.providers import crawlers

    joined = re.compile("|".join(crawlers.data), re.IGNORECASE)
    for ua in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "facebookexternalhit/1.1", "curl/8.5.0"):
        assert joined.search(ua), _shape("crawlerdetect", f"providers.crawlers.data (no longer matches {ua!r})")


@pytest.mark.parametrize("extractor", ["UserAgentExtractor", "OSExtractor"])
def test_ua_parser_rs_extractors(extractor: str) -> None:
    import ua_parser_rs

    cls = getattr(ua_parser_rs, extractor, None)
    assert cls is not None, _shape("ua-parser-rs", extractor)
    # (regex, family, major, minor, patch, patch_minor), None where the groups give the value
    built = cls([(r"(Foo)/(\d+)\.(\d+)", None, None, None, None, None)])
    found = built.extract("Mozilla/5.0 Foo/12.3")
    message = _shape("ua-parser-rs", f"{extractor}.extract()'s result")
    assert found is not None, message
    assert (found.family, found.major, found.minor, found.patch) == ("Foo", "12", "3", None), message
    assert built.extract("no match here") is None, message


def test_ua_parser_rs_rejects_syntax_it_lacks_with_value_error() -> None:
    """_bots.py sorts crawlerdetect's patterns into native and Python ones by this ValueError."""
    import ua_parser_rs

    with pytest.raises(ValueError, match="look-around"):
        ua_parser_rs.UserAgentExtractor([("a(?=b)", "x", None, None, None, None)])


def test_ua_parser_lazy_matchers_carry_the_fields_the_resolver_reads() -> None:
    from ua_parser import load_lazy_builtins

    matchers = load_lazy_builtins()
    message = _shape("ua-parser", "load_lazy_builtins()'s matchers")
    assert isinstance(matchers, tuple) and len(matchers) == 3, message
    for rules in matchers[:2]:  # browser and OS rules: what _resolver.py compiles
        assert rules, message
        rule = rules[0]
        assert all(hasattr(rule, f) for f in ("regex", "family", "major", "minor", "patch", "patch_minor")), message


def test_http_sf_parse_and_its_error() -> None:
    import http_sf

    message = _shape("http-sf", "parse(data, tltype=...) or StructuredFieldError")
    error = getattr(http_sf, "StructuredFieldError", None)
    assert isinstance(error, type) and issubclass(error, Exception), message
    parsed: Any = http_sf.parse(b'"Chromium";v="156", "Not-A.Brand";v="99"', tltype="list")
    assert [(item[0], dict(item[1])) for item in parsed] == [
        ("Chromium", {"v": "156"}),
        ("Not-A.Brand", {"v": "99"}),
    ], message
    with pytest.raises((error, ValueError)):
        http_sf.parse(b'"unclosed', tltype="item")


def test_version_names_the_package_and_its_data() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "browsercheck", "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    data = browser_data()
    assert done.stdout.splitlines() == [
        f"browsercheck {browsercheck.__version__}",
        f"ua-parser-builtins {version('ua-parser-builtins')} (browser and OS rules)",
        f"crawlerdetect {version('crawlerdetect')} (bot patterns)",
        *(f"{s.package} {s.version} of {s.date} (browser releases, {data.origin})" for s in data.sources.values()),
    ]
    assert version("browsercheck") == browsercheck.__version__
