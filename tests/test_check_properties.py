"""Property tests for `check()`: whatever a client sends in its headers, the answer is a verdict."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browsercheck import Checker, Status, Verdict
from browsercheck._hints import DISPLAY_NAMES

REAL_USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/26.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
HINTS = list(DISPLAY_NAMES.values())  # every Client Hint header, as browsers spell them
BRANDS = ["Google Chrome", "Chromium", "Microsoft Edge", "Not-A.Brand", "Not/A)Brand", "Brave", "Opera"]

checker = Checker()

# A User-Agent: a real one, a real one cut or with text spliced in, or any text or bytes at all.
user_agents = st.one_of(
    st.none(),
    st.sampled_from(REAL_USER_AGENTS),
    st.builds(
        lambda ua, at, junk: ua[:at] + junk + ua[at:],
        st.sampled_from(REAL_USER_AGENTS),
        st.integers(0, 200),
        st.text(max_size=40),
    ),
    st.text(max_size=300),
    st.binary(max_size=300),
)
# A brand list as Sec-CH-UA writes it, with any versions, quoting broken now and then.
brand_lists = st.lists(
    st.tuples(st.one_of(st.sampled_from(BRANDS), st.text(max_size=12)), st.text("0123456789.", max_size=8)),
    max_size=5,
).map(lambda brands: ", ".join(f'"{name}";v="{version}"' for name, version in brands))
header_values = st.one_of(
    brand_lists, st.text(max_size=200), st.binary(max_size=200), st.sampled_from(['"Windows"', "?1", '"15.0.0"'])
)
header_names = st.one_of(
    st.sampled_from(["User-Agent", "user-agent", "USER-AGENT", *HINTS, *(h.lower() for h in HINTS)]),
    st.text(max_size=20),
    st.binary(max_size=20),
)
headers = st.one_of(st.none(), st.dictionaries(header_names, st.one_of(header_values, user_agents), max_size=12))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user_agent=user_agents, headers=headers)
def test_check_always_gives_a_verdict(user_agent: str | bytes | None, headers: dict[Any, Any] | None) -> None:
    verdict = checker.check(user_agent, headers=headers)
    assert isinstance(verdict, Verdict)
    assert verdict.status in Status
    assert verdict.to_dict()["status"] == verdict.status.value
    if verdict.needs_notice:
        notice = verdict.notice(locale="sv")
        assert notice is not None and notice.title


@settings(max_examples=100, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(["User-Agent", *HINTS]), header_values, min_size=1))
def test_header_names_in_any_case_give_the_same_verdict(headers: dict[str, Any]) -> None:
    upper = {name.upper(): value for name, value in headers.items()}
    assert checker.check(headers=headers) == checker.check(headers=upper)
