"""Hostile and malformed policies: every one is a PolicyError with file and line, quickly.

Size limits (a 50 MB file, 5M keys), message templates that format more than a name, and input that
made the YAML parser, int() or packaging raise their own errors (issue #11 items 13, 18, 20); then a
hypothesis suite: any text is a Policy or a PolicyError, never anything else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import browsercheck
from browsercheck import PolicyError, parse_policy
from browsercheck._policy_loader import MAX_DEPTH, MAX_NODES, MAX_POLICY_BYTES


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml", date="2026-11-27")
    return [str(p) for p in info.value.problems]


# -- item 13: size limits --------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with open(path, "w") as f:
        f.write("browsers:\n")
        line = "  # " + "x" * 1000 + "\n"
        for _ in range(50 * 1024):
            f.write(line)
    with pytest.raises(PolicyError) as info:
        browsercheck.load_policy(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: the file is larger than {MAX_POLICY_BYTES:,} bytes, the limit for a policy"
    ]


def test_a_long_text_is_refused_by_its_size() -> None:
    assert problems("name: x\n" + "#" * MAX_POLICY_BYTES) == [
        f"p.yaml: the text is larger than {MAX_POLICY_BYTES:,} bytes, the limit for a policy"
    ]


def test_five_million_keys_are_refused_at_the_node_limit() -> None:
    # 5M keys do not fit in the size limit; the node limit stops a flow mapping that does
    text = "browsers: {" + ", ".join(f"k{i}: 1" for i in range(MAX_NODES)) + "}\n"
    assert len(text.encode()) < MAX_POLICY_BYTES
    assert problems(text) == [f"p.yaml:1: more than {MAX_NODES:,} values, the limit for a policy"]


def test_deep_nesting_is_refused_at_the_depth_limit() -> None:
    assert problems("browsers: " + "[" * 100_000) == [
        f"p.yaml:1: nested deeper than {MAX_DEPTH} levels, the limit for a policy"
    ]
    assert problems("a:\n" + "".join("  " * i + f"b{i}:\n" for i in range(1, 200))) == [
        f"p.yaml:{MAX_DEPTH}: nested deeper than {MAX_DEPTH} levels, the limit for a policy"
    ]


# -- item 18: plain placeholders only --------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "shown"),
    [
        ("{site!r} is old", "{site!r}"),
        ("{site:d}", "{site:d}"),
        ("{site:>100000000}", "{site:>100000000}"),
        ("{site.__class__}", "{site.__class__}"),
        ("{site[0]}", "{site[0]}"),
        ("{site:{site}}", "{site:{site}}"),
    ],
    ids=["conversion", "format-spec", "huge-width", "attribute", "index", "nested"],
)
def test_message_placeholders_are_plain_names_only(template: str, shown: str) -> None:
    text = f"browsers: {{chrome: 125}}\nsite:\n  messages:\n    en:\n      outdated.title: '{template}'\n"
    (problem,) = [p for p in problems(text) if "only plain placeholders" in p]
    assert problem == (
        f"p.yaml:5: site.messages.en.outdated.title: only plain placeholders such as {{site}} are allowed, got {shown}"
    )


# -- item 20: errors of the parser, int() and packaging are PolicyErrors with a line ---------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: a\x00b\nbrowsers: {}\n",
            "p.yaml:1: invalid YAML: unacceptable character #x0000 (special characters are not allowed)",
        ),
        (
            "name: ok\nbrowsers: {}\nsite: {name: 'a\x85\x9fb'}\n",
            "p.yaml:3: invalid YAML: unacceptable character #x009f (special characters are not allowed)",
        ),
        (
            "browsers: {}\nname: '\ud800'\n",
            "p.yaml:2: invalid YAML: unacceptable character #xd800 (special characters are not allowed)",
        ),
        ("schema: 0x1\nbrowsers: {}\n", "p.yaml:1: schema: unsupported schema '0x1'; this version reads schema 1"),
        (
            "schema: 190:20:30\nbrowsers: {}\n",
            "p.yaml:1: schema: unsupported schema '190:20:30'; this version reads schema 1",
        ),
        ("browsers: {chrome: 190:20:30}\n", "p.yaml:1: browsers.chrome: invalid version specifier '190:20:30'"),
        (
            "browsers: {chrome: " + "1" * 5000 + "}\n",
            "p.yaml:1: browsers.chrome: invalid version specifier '" + "1" * 30 + "...' (a number over 30 digits)",
        ),
        (
            "browsers:\n  chrome: {supported: true, unsupported_below: '1." + "2" * 5000 + "'}\n",
            "p.yaml:2: browsers.chrome.unsupported_below: invalid version '1."
            + "2" * 28
            + "...' (a number over 30 digits)",
        ),
        (
            "browserslist: last " + "9" * 5000 + " versions\n",
            "p.yaml:1: browserslist: 'last " + "9" * 30 + "...': a number over 30 digits",
        ),
    ],
    ids=[
        "nul",
        "c1-control",
        "lone-surrogate",
        "hex-schema",
        "sexagesimal-schema",
        "sexagesimal-rule",
        "huge-specifier",
        "huge-floor",
        "huge-query-number",
    ],
)
def test_malformed_input_is_a_policy_error_with_a_line(text: str, expected: str) -> None:
    assert problems(text) == [expected]


# -- any text --------------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    [
        "schema",
        "name",
        "browserslist",
        "browsers",
        "engines",
        "os",
        "unknown",
        "recommend",
        "site",
        "chrome",
        "safari_ios",
        "supported",
        "unsupported_below",
        "messages",
        "en",
        "outdated.title",
        "links",
        "file",
    ]
)
_SCALARS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "125",
            ">=17.5",
            "true",
            "false",
            "null",
            "0x1",
            "190:20:30",
            "1e9",
            "~",
            "'",
            "{",
            "[",
            "last 2 versions",
            "baseline widely available",
            "not dead",
            "> 1%",
            "{site!r}",
            "file",
        ]
    ),
    st.integers(),
    st.floats(allow_nan=True),
)
_YAML_VALUES = st.recursive(
    _SCALARS.map(str),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(_KEYS, inner, max_size=4).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=12,
)


def _parses_or_refuses(text: str) -> None:
    error: PolicyError | None = None
    try:
        policy = parse_policy(text, "p.yaml", date="2026-11-27")
    except PolicyError as e:
        error = e
    if error is None:
        assert isinstance(policy, browsercheck.Policy)
    else:
        assert all(p.file == "p.yaml" for p in error.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_text_is_a_policy_or_a_policy_error(text: str) -> None:
    _parses_or_refuses(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _YAML_VALUES, max_size=6))
def test_any_policy_shaped_yaml_is_a_policy_or_a_policy_error(fields: dict[str, str]) -> None:
    _parses_or_refuses("".join(f"{k}: {v}\n" for k, v in fields.items()))
