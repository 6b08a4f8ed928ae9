"""The Checker: API contract, bad input, cache bounds, threads."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Mapping

import pytest

import browsercheck
from browsercheck import Checker, Client, Device, Status
from browsercheck._cache import BoundedCache
from browsercheck._hints import DISPLAY_NAMES

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_157 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)


def test_issue_example() -> None:
    v = browsercheck.check(IE11)
    assert v.status is Status.UNSUPPORTED
    assert (v.client.browser, v.client.name, v.client.version) == ("ie", "Internet Explorer", "11.0")
    assert v.reasons == ("Internet Explorer is unsupported by the policy (ie: false)",)
    assert v.policy.name == "Baseline widely available, 2026-11-27"


def test_user_agent_from_headers_of_any_case() -> None:
    assert browsercheck.check(headers={"User-Agent": IE11}).client.browser == "ie"
    assert browsercheck.check(headers={"user-agent": CHROME_157}).client.browser == "chrome"
    assert browsercheck.check(headers={}).status is Status.UNKNOWN


def test_bytes_user_agent_is_decoded_and_invalid_utf8_survives() -> None:
    assert browsercheck.check(IE11.encode()).client.browser == "ie"
    assert browsercheck.check(b"Mozilla/5.0 \xff\xfe (junk)").status is Status.UNKNOWN


@pytest.mark.parametrize("bad", [42, ["ua"], object()], ids=["int", "list", "object"])
def test_wrong_type_is_a_type_error_naming_it(bad: object) -> None:
    with pytest.raises(TypeError, match=f"user_agent must be a str, bytes or None, got {type(bad).__name__}"):
        browsercheck.check(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ([("User-Agent", IE11)], "list"),
        (("User-Agent", IE11), "tuple"),
        ("User-Agent: " + IE11, "str"),
        (b"User-Agent", "bytes"),
        (42, "int"),
    ],
    ids=["list-of-pairs", "tuple", "str", "bytes", "int"],
)
def test_headers_of_the_wrong_type_is_a_type_error_naming_it(headers: object, named: str) -> None:
    with pytest.raises(TypeError, match=f"headers must be a mapping of header names to values .*, got {named}: "):
        browsercheck.check(headers=headers)  # type: ignore[arg-type]


def test_headers_with_items_are_read_as_a_mapping() -> None:
    from werkzeug.datastructures import Headers

    headers = Headers([("User-Agent", IE11), ("Accept", "text/html")])
    assert browsercheck.check(headers=headers).client.browser == "ie"  # type: ignore[arg-type]


def test_policy_argument_must_be_a_policy() -> None:
    with pytest.raises(TypeError, match=r"policy must be a Policy or None, got str: 'p.yaml'.*load_policy"):
        browsercheck.check(IE11, policy="p.yaml")  # type: ignore[arg-type]


def test_check_with_a_policy_object() -> None:
    policy = browsercheck.parse_policy("browsers: {ie: true}")
    assert browsercheck.check(IE11, policy=policy).status is Status.SUPPORTED
    assert browsercheck.check(IE11).status is Status.UNSUPPORTED


@pytest.mark.parametrize(
    "ua",
    ["A" * 100_000, "Mozilla/5.0 (" + "x; " * 40_000 + ")", "\udcff\udcfe lone surrogates", "\x00" * 5000],
    ids=["100kB-letters", "100kB-tokens", "surrogates", "nul-bytes"],
)
def test_hostile_user_agents_get_a_verdict(ua: str) -> None:
    verdict = browsercheck.check(ua)
    assert verdict.status is Status.UNKNOWN


@pytest.mark.parametrize(
    ("ua", "browser"),
    [(CHROME_157, "chrome"), ("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)", "ie")],
    ids=["chrome", "ie"],
)
def test_long_user_agent_is_judged_on_its_first_2048_characters(ua: str, browser: str) -> None:
    # what is cut off at 2,048 characters is no product's name added to the browser's string
    verdict = browsercheck.check(ua + " " + "x" * 100_000)
    assert verdict.client.browser == browser


def test_verdicts_are_frozen_records() -> None:
    verdict = browsercheck.check(IE11)
    with pytest.raises(AttributeError):
        verdict.status = Status.SUPPORTED  # type: ignore[misc]
    assert verdict.to_dict()["browser"] == {"key": "ie", "name": "Internet Explorer", "version": "11.0"}


def test_detector_is_swappable() -> None:
    def fake(ua: str) -> Client:
        return Client("firefox", "Mozilla Firefox", ua, "gecko", ua, None, None, Device.DESKTOP)

    checker = Checker(detector=fake)
    assert checker.check("100").status is Status.OUTDATED
    assert checker.check("200").status is Status.SUPPORTED


def test_cache_is_bounded_under_a_flood_of_distinct_user_agents() -> None:
    checker = Checker(cache_size=100)
    for i in range(1000):
        checker.check(f"junk {i}")
    assert len(checker._cache) == 100


HINT_NAMES = list(DISPLAY_NAMES.values())  # every Client Hint header, as browsers spell them


def large_request(i: int) -> dict[str, str]:
    """A request as the cache flood sent them: a 2 KB User-Agent and ten 1 KB hints, all distinct."""
    headers = {"User-Agent": CHROME_157 + f" x{i:06d} " + "y" * (2040 - len(CHROME_157))}
    for name in HINT_NAMES:
        headers[name] = f'"{i}' + "z" * 1000 + '"'
    return headers


def test_cache_is_bounded_by_bytes_under_large_distinct_requests() -> None:
    budget = 1024 * 1024
    checker = Checker(cache_size=100_000, cache_bytes=budget)
    for i in range(600):  # about 20 KB each: 12 MB if every one were kept
        checker.check(headers=large_request(i))
    cache = checker._cache
    assert 0 < cache.bytes <= budget
    assert 40 <= len(cache) < 100  # the entry count alone would have kept all 600
    assert checker.check(headers=large_request(599)) is checker.check(headers=large_request(599))  # still caches


@pytest.mark.parametrize("large", [True, False], ids=["2kB-ua-and-ten-1kB-hints", "plain-ua"])
def test_cache_accounting_covers_what_an_entry_really_holds(large: bool) -> None:
    """The byte budget means something only if an entry's estimated cost is at least what it holds
    in memory (tracemalloc: the bytes still allocated once the cache is filled)."""
    import gc
    import tracemalloc

    checker = Checker(cache_size=100_000, cache_bytes=1 << 40)
    checker.check(IE11)  # parsers built before measuring
    checker.clear_cache()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(400):  # each request's strings made here: what the cache keeps of them counts
            checker.check(headers=large_request(i) if large else {"User-Agent": f"{CHROME_157} n{i}"})
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(checker._cache) == 400
    assert held <= checker._cache.bytes <= 2 * held


def test_bounded_cache_drops_an_entry_larger_than_its_budget() -> None:
    cache: BoundedCache[str, int] = BoundedCache(10, maxbytes=100, cost=lambda key, value: len(key))
    cache.put("a" * 60, 1)
    cache.put("b" * 30, 2)
    cache.put("c" * 101, 3)  # larger than the whole budget: not kept, nothing dropped for it
    assert (len(cache), cache.bytes) == (2, 90)
    cache.put("d" * 20, 4)  # 110 > 100: the oldest goes
    assert (cache.get("a" * 60), cache.get("b" * 30), cache.get("d" * 20), cache.bytes) == (None, 2, 4, 50)
    cache.put("b" * 30, 5)  # an update replaces its cost
    assert cache.bytes == 50
    cache.clear()
    assert (len(cache), cache.bytes) == (0, 0)


def test_cache_returns_the_same_verdict_object() -> None:
    checker = Checker()
    assert checker.check(CHROME_157) is checker.check(CHROME_157)


def test_cache_size_zero_disables_and_negative_is_refused() -> None:
    checker = Checker(cache_size=0)
    checker.check(CHROME_157)
    assert len(checker._cache) == 0
    with pytest.raises(ValueError, match="cache size must be a whole number >= 0, got -1"):
        Checker(cache_size=-1)
    with pytest.raises(ValueError, match="cache bytes must be a whole number >= 0, got -1"):
        Checker(cache_bytes=-1)


def test_bounded_cache_drops_oldest_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)  # an update does not evict
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, 2, 3)


def test_shared_between_threads() -> None:
    checker = Checker(cache_size=50)
    uas = [f"Mozilla/5.0 (Windows NT 10.0) Chrome/{v}.0.0.0 Safari/537.36" for v in range(60, 160)]
    errors: list[BaseException] = []
    results: dict[str, set[str]] = {ua: set() for ua in uas}

    def work() -> None:
        try:
            for ua in uas * 3:
                results[ua].add(checker.check(ua).status.value)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(len(statuses) == 1 for statuses in results.values())
    assert len(checker._cache) <= 50


def test_import_is_cheap() -> None:
    # nothing heavy at import: no parser, no YAML, no regex tables (the parsers build on first use)
    heavy = ("ua_parser", "yaml", "packaging", "crawlerdetect")
    code = f"import sys, browsercheck; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_headers_mapping_type_is_any_mapping() -> None:
    class Headers(Mapping[str, str]):
        def __init__(self, items: dict[str, str]) -> None:
            self._items = items

        def __getitem__(self, key: str) -> str:
            return self._items[key]

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(self._items)

        def __len__(self) -> int:
            return len(self._items)

    assert browsercheck.check(headers=Headers({"USER-AGENT": IE11})).client.browser == "ie"


def test_native_resolver_answers_like_ua_parsers_own() -> None:
    import ua_parser
    from ua_parser import Domain

    from browsercheck._resolver import NativeResolver
    from corpus import distinct_user_agents

    matchers = ua_parser.load_lazy_builtins()
    ours, theirs = NativeResolver(matchers), ua_parser.regex.Resolver(matchers)
    domains = Domain.USER_AGENT | Domain.OS
    for ua in distinct_user_agents(500):
        a, b = ours(ua, domains), theirs(ua, domains)
        assert (a.user_agent, a.os) == (b.user_agent, b.os), ua
    with pytest.raises(ValueError, match="does not read devices"):
        ours("x", Domain.ALL)


def test_a_detector_on_ua_parsers_own_resolver_detects_alike() -> None:
    """`Detector` takes any ua-parser resolver; browsercheck's own hands its parts over directly."""
    import ua_parser

    from browsercheck._bots import BotDetector
    from browsercheck._checker import shared_detector
    from corpus import distinct_user_agents

    theirs = browsercheck.Detector(
        ua_parser.regex.Resolver(ua_parser.load_lazy_builtins()), BotDetector.from_crawlerdetect()
    )
    ours = shared_detector()
    for ua in distinct_user_agents(300):
        assert theirs(ua) == ours(ua), ua
    checker = Checker(detector=theirs)
    assert checker.check(IE11).client.browser == "ie"
