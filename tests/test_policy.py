"""Policy files: what a valid one means, and every problem of an invalid one, at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.version import Version

import browsercheck
from browsercheck import PolicyError, Problem, Status, parse_policy

WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
CHROME_123 = f"{WINDOWS} Chrome/123.0.0.0 Safari/537.36"
CHROME_99 = f"{WINDOWS} Chrome/99.0.0.0 Safari/537.36"
VIVALDI_CHROMIUM_120 = f"{WINDOWS} Chrome/120.0.0.0 Safari/537.36 Vivaldi/6.5"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
SAFARI_17_4 = f"{MAC} AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
SAMSUNG_25 = (
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"
)


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(textwrap.dedent(text), "p.yaml")
    return [str(p) for p in info.value.problems]


def judge(text: str, ua: str) -> browsercheck.Verdict:
    return browsercheck.Checker(parse_policy(textwrap.dedent(text))).check(ua)


# -- the default policy ----------------------------------------------------------------------------


def test_default_policy_is_the_baseline_query_with_ie_and_edgehtml_blocked() -> None:
    # the minimums for each day are tested in test_evergreen.py
    policy = browsercheck.default_policy(date="2026-11-27")
    assert policy.query is not None and policy.query.queries == ("baseline widely available with downstream",)
    assert {k for k, r in policy.browsers.items() if r.blocked} == {"ie", "edge_legacy"}
    assert policy.unknown == "allow"
    assert policy.recommend == ("firefox", "chrome", "edge")


def test_repository_policy_is_the_one_shipped_in_the_package() -> None:
    shipped = Path(browsercheck.__file__).parent / "data" / "supported_browsers.yaml"
    repository = Path(__file__).parents[1] / "data" / "supported_browsers.yaml"
    assert shipped.read_bytes() == repository.read_bytes()


def test_load_policy_without_a_path_is_the_default() -> None:
    assert browsercheck.load_policy().name == browsercheck.default_policy().name


# -- what rules mean -------------------------------------------------------------------------------


def test_bare_version_is_a_minimum_and_keeps_its_source_text() -> None:
    policy = parse_policy("browsers:\n  safari: 17.10\n  chrome: 125\n")
    assert str(policy.browsers["safari"].supported) == ">=17.10"  # not YAML's float 17.1
    assert str(policy.browsers["chrome"].supported) == ">=125"


def test_hard_floor_makes_old_versions_unsupported_not_outdated() -> None:
    policy = """\
        browsers:
          chrome: {supported: ">=125", unsupported_below: 100}
        """
    assert judge(policy, CHROME_123).status is Status.OUTDATED
    verdict = judge(policy, CHROME_99)
    assert verdict.status is Status.UNSUPPORTED
    assert verdict.reasons[-1] == (
        "Google Chrome 99.0.0.0 is below the policy's floor of 100 (chrome >=125 (unsupported below 100))"
    )


def test_true_accepts_every_version_and_false_blocks() -> None:
    assert judge("browsers: {chrome: true}", CHROME_99).status is Status.SUPPORTED
    assert judge("browsers: {chrome: false}", CHROME_99).status is Status.UNSUPPORTED


def test_aliases_name_canonical_keys() -> None:
    policy = parse_policy("browsers: {samsung: '>=27', ios_saf: '>=17.5'}")
    assert set(policy.browsers) == {"samsunginternet_android", "safari_ios"}
    assert judge("browsers: {samsung: '>=27'}", SAMSUNG_25).status is Status.OUTDATED


def test_unnamed_chromium_browser_is_judged_by_chromes_rule() -> None:
    verdict = judge("browsers: {chrome: '>=121'}", VIVALDI_CHROMIUM_120)
    assert verdict.status is Status.OUTDATED
    assert verdict.rule == "chrome >=121"
    assert "judged by its engine, Chromium" in verdict.reasons[0]


def test_explicit_engine_rule_wins_over_the_reference_browser() -> None:
    verdict = judge("browsers: {chrome: '>=121'}\nengines: {blink: '>=110'}", VIVALDI_CHROMIUM_120)
    assert verdict.status is Status.SUPPORTED
    assert verdict.rule == "engine blink >=110"


def test_browser_the_policy_cannot_judge_is_unknown() -> None:
    verdict = judge("browsers: {firefox: '>=126'}", SAFARI_17_4)
    assert verdict.status is Status.UNKNOWN
    assert verdict.reasons == ("the policy has no rule for Safari nor for its engine (WebKit)",)


def test_site_unknown_and_recommend_are_read() -> None:
    policy = parse_policy(
        "name: Haninge\nbrowsers: {chrome: 125}\nunknown: notify\nrecommend: [firefox, chrome]\n"
        "site: {name: haninge.se, locale: sv}\n"
    )
    assert (policy.name, policy.unknown, policy.recommend) == ("Haninge", "notify", ("firefox", "chrome"))
    assert (policy.site.name, policy.site.locale) == ("haninge.se", "sv")


def test_policy_is_immutable() -> None:
    policy = parse_policy("browsers: {chrome: 125}")
    with pytest.raises(TypeError):
        policy.browsers["firefox"] = policy.browsers["chrome"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        policy.name = "changed"  # type: ignore[misc]


def test_name_defaults_to_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text("browsers: {chrome: 125}\n")
    assert browsercheck.load_policy(path).name == "ours.yaml"


def test_prerelease_boundaries_compare_as_versions() -> None:
    rule = parse_policy("browsers: {chrome: {supported: '>=125', unsupported_below: '99.5'}}").browsers["chrome"]
    assert rule.unsupported_below == Version("99.5")


# -- problems: every one, with file, line and field ------------------------------------------------


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    assert problems(
        """\
        schema: 2
        name: Ours
        brwsers: {}
        browsers:
          chrom: ">=125"
          firefox: ">=abc"
          safari: [17]
          edge: ""
          samsung: {supported: ">=27", floor: 20}
          opera: {unsupported_below: x.y}
        unknown: block
        recommend: [firefox, crome]
        site: {name: 7, locale: "sv SE"}
        """
    ) == [
        "p.yaml:1: schema: unsupported schema '2'; this version reads schema 1",
        "p.yaml:3: brwsers: unknown field 'brwsers' (did you mean 'browsers'?)",
        "p.yaml:5: browsers.chrom: unknown browser 'chrom' (did you mean 'chrome'?)",
        "p.yaml:6: browsers.firefox: invalid version specifier '>=abc'",
        "p.yaml:7: browsers.safari: expected a version specifier such as '>=125', true, false, "
        "or a mapping, got a list",
        "p.yaml:8: browsers.edge: empty version specifier (write true for every version)",
        "p.yaml:9: browsers.samsung.floor: unknown field 'floor'",
        "p.yaml:10: browsers.opera.unsupported_below: invalid version 'x.y'",
        "p.yaml:11: unknown: expected 'allow' or 'notify', got 'block'",
        "p.yaml:12: recommend[1]: unknown browser 'crome' (did you mean 'chrome'?)",
        "p.yaml:13: site.name: expected a non-empty string, got a number",
        "p.yaml:13: site.locale: invalid locale 'sv SE' (expected a language tag such as 'sv' or 'en-GB')",
    ]


def test_duplicate_keys_and_aliases_of_the_same_browser() -> None:
    assert problems(
        """\
        browsers:
          chrome: 125
          samsunginternet_android: 27
          chrome: 126
          samsung: 28
        """
    ) == [
        "p.yaml:4: browsers.chrome: duplicate key 'chrome' (first on line 2)",
        "p.yaml:5: browsers.samsung: 'samsung' is 'samsunginternet_android', already set on line 3",
    ]


def test_missing_browsers_and_unknown_engine() -> None:
    assert problems("engines: {blinc: 125}\n") == [
        "p.yaml:1: browsers: required field is missing (or give a browserslist query)",
        "p.yaml:1: engines.blinc: unknown engine 'blinc' (did you mean 'blink'?)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "p.yaml:1: the file is empty"),
        ("- chrome\n", "p.yaml:1: expected a mapping at the top level, got a list"),
        ("browsers: {chrome: 125\n", "p.yaml:2: invalid YAML: expected ',' or '}', but got '<stream end>'"),
        (
            "browsers:\n  chrome: null\n",
            "p.yaml:2: browsers.chrome: expected a version specifier such as "
            "'>=125', true, false, or a mapping, got null",
        ),
        ("browsers: [chrome]\n", "p.yaml:1: browsers: expected a mapping of names to rules, got a list"),
        ("browsers: {chrome: {}}\n", "p.yaml:1: browsers.chrome: expected 'supported' and/or 'unsupported_below'"),
        ("browsers: {}\nrecommend: firefox\n", "p.yaml:2: recommend: expected a list of browser keys, got a string"),
        ("browsers: {}\nrecommend: [firefox, firefox]\n", "p.yaml:2: recommend[1]: 'firefox' is listed twice"),
    ],
    ids=[
        "empty",
        "not-a-mapping",
        "yaml-syntax",
        "null-rule",
        "browsers-list",
        "empty-rule-mapping",
        "recommend-string",
        "recommend-twice",
    ],
)
def test_single_problem(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_problem_message_names_file_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("browsers:\n  chrom: 125\n  firefx: 126\n")
    with pytest.raises(PolicyError) as info:
        browsercheck.load_policy(path)
    assert str(info.value) == (
        f"2 problems in policy {path}:\n"
        f"  {path}:2: browsers.chrom: unknown browser 'chrom' (did you mean 'chrome'?)\n"
        f"  {path}:3: browsers.firefx: unknown browser 'firefx' (did you mean 'firefox'?)"
    )
    assert info.value.problems[0] == Problem(
        str(path), 2, "browsers.chrom", "unknown browser 'chrom' (did you mean 'chrome'?)"
    )
    assert isinstance(info.value, ValueError)


def test_missing_file_is_a_policy_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(PolicyError) as info:
        browsercheck.load_policy(path)
    assert [str(p) for p in info.value.problems] == [f"{path}: cannot read: No such file or directory"]


def test_non_utf8_file_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Hägersten\nbrowsers: {}\n".encode("latin-1"))
    with pytest.raises(PolicyError) as info:
        browsercheck.load_policy(path)
    assert [str(p) for p in info.value.problems] == [f"{path}:1: not UTF-8 text: invalid continuation byte at byte 7"]


def test_yaml_tags_that_build_objects_are_refused() -> None:
    # the nodes are checked, never constructed: nothing runs, and the tag is named
    text = "browsers: !!python/object/apply:os.system ['echo pwned']\n"
    assert problems(text) == [
        "p.yaml:1: browsers: expected a mapping of names to rules, "
        "got a value tagged 'tag:yaml.org,2002:python/object/apply:os.system'"
    ]


@pytest.mark.parametrize("spec", [">=17.5", ">=125", ">=100.0", ">=17.5.0", ">=0"])
@pytest.mark.parametrize("version", ["17.5", "17.5.0", "17.4.9", "18", "125.0.0.0", "124.9", "9", "100", "0.0"])
def test_plain_minimum_compares_as_packaging_does(spec: str, version: str) -> None:
    from browsercheck._policy import release

    rule = parse_policy(f"browsers: {{chrome: '{spec}'}}").browsers["chrome"]
    assert rule.minimum is not None and rule.supported is not None
    assert (release(version) >= rule.minimum) == rule.supported.contains(Version(version))


@pytest.mark.parametrize("spec", ["<125", ">=125,<130", "==125.*", "~=17.5", ">=1.0rc1"])
def test_other_specifiers_use_packaging(spec: str) -> None:
    assert parse_policy(f"browsers: {{chrome: '{spec}'}}").browsers["chrome"].minimum is None
