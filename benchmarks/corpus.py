"""A reproducible corpus of distinct, realistic User-Agent strings for the benchmarks.

The strings are built from the shapes real browsers, in-app browsers and bots send, with versions,
device models and build numbers drawn at random (seeded), so that every string is distinct and the
mix resembles a public site's traffic: mostly current Chromium and Safari, a tail of old and odd
browsers, about a tenth bots.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Maker = Callable[[random.Random], str]

_ANDROID_MODELS = [
    "SM-G991B",
    "SM-A515F",
    "Pixel 7",
    "Redmi Note 8 Pro",
    "M2101K7AG",
    "CPH2211",
    "moto g(60)",
    "SM-T870",
    "VOG-L29",
    "ONEPLUS A6013",
    "Nokia 7.2",
    "LM-Q720",
]
_WINDOWS = [
    "Windows NT 10.0; Win64; x64",
    "Windows NT 6.1; Win64; x64",
    "Windows NT 6.3; Win64; x64",
    "Windows NT 10.0; WOW64",
]


def _chrome_full(r: random.Random, major: int) -> str:
    return f"{major}.0.{r.randint(3000, 7600)}.{r.randint(1, 250)}"


def _chrome_desktop(r: random.Random) -> str:
    major = r.randint(100, 158)
    version = f"{major}.0.0.0" if major >= 110 else _chrome_full(r, major)
    return f"Mozilla/5.0 ({r.choice(_WINDOWS)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version} Safari/537.36"


def _chrome_mac(r: random.Random) -> str:
    return (
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{_chrome_full(r, r.randint(90, 158))} Safari/537.36"
    )


def _chrome_android(r: random.Random) -> str:
    return (
        f"Mozilla/5.0 (Linux; Android {r.randint(8, 14)}; {r.choice(_ANDROID_MODELS)}) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) Chrome/{_chrome_full(r, r.randint(90, 158))} Mobile Safari/537.36"
    )


def _edge(r: random.Random) -> str:
    major = r.randint(100, 158)
    return (
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36 Edg/{major}.0.{r.randint(1000, 3500)}.{r.randint(1, 120)}"
    )


def _firefox(r: random.Random) -> str:
    major = r.randint(78, 161)
    platform = r.choice(
        [
            "Windows NT 10.0; Win64; x64",
            "X11; Linux x86_64",
            "Macintosh; Intel Mac OS X 10.15",
            "X11; Ubuntu; Linux x86_64",
        ]
    )
    return f"Mozilla/5.0 ({platform}; rv:{min(major, 109)}.0) Gecko/20100101 Firefox/{major}.{r.randint(0, 3)}"


def _safari_mac(r: random.Random) -> str:
    version = r.choice(["15.6.1", "16.6", "17.4.1", "17.6", "18.2", "18.5", "26.0", "26.1", "27.1", "27.2"])
    return (
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        f"Version/{version} Safari/605.1.15"
    )


def _ios(r: random.Random) -> tuple[str, str]:
    major = r.choice([12, 15, 16, 17, 18])
    minor = r.randint(0, 7)
    return f"{major}_{minor}", f"{major}.{minor}"


def _safari_ios(r: random.Random) -> str:
    token, version = _ios(r)
    device = r.choice(["iPhone; CPU iPhone OS", "iPad; CPU OS"])
    return (
        f"Mozilla/5.0 ({device} {token} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        f"Version/{version} Mobile/15E{r.randint(100, 999)} Safari/604.1"
    )


def _ios_app(r: random.Random) -> str:
    token, version = _ios(r)
    app = r.choice(
        [
            f"CriOS/{_chrome_full(r, r.randint(110, 158))} Mobile/15E148 Safari/604.1",
            f"FxiOS/{r.randint(110, 161)}.{r.randint(0, 3)} Mobile/15E148 Safari/605.1.15",
            f"Mobile/15E148 [FBAN/FBIOS;FBAV/{r.randint(400, 470)}.0.0.{r.randint(10, 99)}.{r.randint(100, 999)};"
            f"FBBV/{r.randint(500000000, 700000000)};FBDV/iPhone14,2;FBMD/iPhone;FBSN/iOS;FBSV/{version};FBLC/sv_SE]",
            f"Mobile/15E148 Instagram {r.randint(280, 340)}.0.0.{r.randint(10, 40)}.{r.randint(100, 130)} "
            f"(iPhone14,5; iOS {token}; sv_SE; sv; scale=3.00; 1170x2532; {r.randint(400000000, 600000000)})",
        ]
    )
    return f"Mozilla/5.0 (iPhone; CPU iPhone OS {token} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) {app}"


def _android_app(r: random.Random) -> str:
    model = r.choice(_ANDROID_MODELS)
    build = f"{r.choice(['UP1A', 'TP1A', 'SP1A', 'RKQ1'])}.{r.randint(200000, 240000)}.{r.randint(1, 30):03d}"
    chrome = _chrome_full(r, r.randint(100, 158))
    base = (
        f"Mozilla/5.0 (Linux; Android {r.randint(9, 14)}; {model} Build/{build}; wv) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) Version/4.0 Chrome/{chrome} Mobile Safari/537.36"
    )
    return base + r.choice(
        [
            "",
            f" [FB_IAB/FB4A;FBAV/{r.randint(400, 470)}.0.0.{r.randint(10, 60)}.{r.randint(100, 999)};]",
            f" Instagram {r.randint(280, 340)}.0.0.{r.randint(10, 40)}.{r.randint(100, 130)} Android",
        ]
    )


def _samsung(r: random.Random) -> str:
    return (
        f"Mozilla/5.0 (Linux; Android {r.randint(10, 14)}; SAMSUNG {r.choice(_ANDROID_MODELS)}) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) SamsungBrowser/{r.randint(18, 31)}.{r.randint(0, 2)} "
        f"Chrome/{_chrome_full(r, r.randint(100, 150))} Mobile Safari/537.36"
    )


def _other_chromium(r: random.Random) -> str:
    major = r.randint(100, 158)
    tail = r.choice(
        [
            f"OPR/{r.randint(95, 140)}.0.{r.randint(1000, 5000)}.{r.randint(1, 99)}",
            f"YaBrowser/{r.randint(22, 25)}.{r.randint(1, 12)}.0.{r.randint(1000, 3000)} Yowser/2.5",
            f"Vivaldi/{r.randint(5, 7)}.{r.randint(0, 9)}.{r.randint(1000, 3500)}.{r.randint(10, 99)}",
        ]
    )
    return (
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{_chrome_full(r, major)} Safari/537.36 {tail}"
    )


def _ie(r: random.Random) -> str:
    tokens = "; ".join(
        r.sample(
            [
                ".NET CLR 2.0.50727",
                ".NET CLR 3.5.30729",
                "SLCC2",
                "Media Center PC 6.0",
                ".NET4.0C",
                ".NET4.0E",
                "Tablet PC 2.0",
                "InfoPath.3",
            ],
            r.randint(1, 5),
        )
    )
    return f"Mozilla/5.0 ({r.choice(_WINDOWS)}; Trident/7.0; {tokens}; rv:11.0) like Gecko"


def _bot(r: random.Random) -> str:
    return r.choice(
        [
            f"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) r{r.randint(1, 10**6)}",
            f"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{_chrome_full(r, r.randint(120, 158))} Mobile Safari/537.36 (compatible; Googlebot/2.1; "
            "+http://www.google.com/bot.html)",
            f"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) {r.randint(1, 10**6)}",
            f"curl/{r.randint(7, 8)}.{r.randint(0, 90)}.{r.randint(0, 9)}",
            f"python-requests/2.{r.randint(0, 32)}.{r.randint(0, 9)}",
            f"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php) {r.randint(1, 10**6)}",
            f"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/) {r.randint(1, 10**6)}",
        ]
    )


def _junk(r: random.Random) -> str:
    return r.choice(
        ["-", "", "Mozilla/5.0", "x" * r.randint(1, 60), f"MyApp/{r.randint(1, 999)} CFNetwork/1410 Darwin/22.6.0"]
    )


# (weight, maker): weights are shares of distinct strings, roughly those of a public site's log
_MIX: list[tuple[int, Maker]] = [
    (22, _chrome_desktop),
    (6, _chrome_mac),
    (14, _chrome_android),
    (7, _edge),
    (8, _firefox),
    (4, _safari_mac),
    (9, _safari_ios),
    (6, _ios_app),
    (6, _android_app),
    (4, _samsung),
    (3, _other_chromium),
    (1, _ie),
    (9, _bot),
    (1, _junk),
]


def distinct_user_agents(count: int, seed: int = 2026) -> list[str]:
    """``count`` distinct User-Agent strings, the same ones for the same seed."""
    r = random.Random(seed)
    makers = [maker for _, maker in _MIX]
    weights = [weight for weight, _ in _MIX]
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(r.choices(makers, weights)[0](r))
    return list(seen)
