"""Generate a web-server access log in nginx/Apache "combined" format, for benchmarks and tests.

    python benchmarks/make_log.py access.log --lines 1000000 [--user-agents 20000] [--seed 2026]

User-Agents come from the benchmark corpus with Zipf-like frequencies (a few browsers make most of
the traffic, a long tail is seen a few times), and so do client addresses. About one line in a
thousand is malformed, as real logs have some.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

from corpus import distinct_user_agents

_PATHS = [
    "/",
    "/nyheter",
    "/kontakt",
    "/om-oss",
    "/sok?q=bygglov",
    "/static/app.js",
    "/static/site.css",
    "/bilder/logo.svg",
    "/api/status",
    "/skola/forskola",
    "/kultur/bibliotek",
    "/favicon.ico",
]
_STATUSES = [200] * 16 + [304] * 3 + [404, 301, 500]
_REFERERS = ["-", "https://www.google.com/", "https://haninge.se/", "https://www.bing.com/"]


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def log_lines(
    lines: int, user_agents: int = 20_000, seed: int = 2026, visitors: int = 60_000, skew: float = 1.1
) -> Iterator[bytes]:
    """Lines of ``visitors`` visitors (an address and a User-Agent each), some far busier than others;
    ``skew`` is how much more common the common User-Agents are (lower: more distinct ones)."""
    r = random.Random(seed)
    uas = distinct_user_agents(user_agents, seed=seed)
    r.shuffle(uas)
    visitor_uas = r.choices(uas, cum_weights=list(itertools.accumulate(zipf_weights(len(uas), skew))), k=visitors)
    visitor_addrs = [
        f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}" for _ in range(visitors)
    ]
    chosen = r.choices(range(visitors), cum_weights=list(itertools.accumulate(zipf_weights(visitors, 0.9))), k=lines)
    when = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    for i, visitor in enumerate(chosen):
        when += datetime.timedelta(milliseconds=r.randint(0, 4000))
        if i % 997 == 500:
            yield b"garbage line without the combined format\n"
            continue
        ua = visitor_uas[visitor].replace("\\", "\\\\").replace('"', '\\"')
        line = (
            f'{visitor_addrs[visitor]} - - [{when.strftime("%d/%b/%Y:%H:%M:%S %z")}] "GET {r.choice(_PATHS)} HTTP/1.1" '
            f'{r.choice(_STATUSES)} {r.randint(200, 90000)} "{r.choice(_REFERERS)}" "{ua}"\n'
        )
        yield line.encode("utf-8")


def write_log(
    path: Path, lines: int, user_agents: int = 20_000, seed: int = 2026, visitors: int = 60_000, skew: float = 1.1
) -> None:
    with open(path, "wb") as f:
        batch: list[bytes] = []
        for line in log_lines(lines, user_agents, seed, visitors, skew):
            batch.append(line)
            if len(batch) >= 10_000:
                f.write(b"".join(batch))
                batch.clear()
        f.write(b"".join(batch))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--user-agents", type=int, default=20_000, help="size of the User-Agent pool")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--visitors", type=int, default=60_000, help="distinct visitors (address and User-Agent)")
    parser.add_argument("--skew", type=float, default=1.1, help="Zipf exponent of User-Agents (lower: more distinct)")
    args = parser.parse_args()
    write_log(args.path, args.lines, args.user_agents, args.seed, args.visitors, args.skew)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
