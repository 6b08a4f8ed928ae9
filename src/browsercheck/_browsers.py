"""The one registry of browser facts: every browser, engine and operating system browsercheck knows.

A `Browser` record holds all that is known of one browser: its canonical key, display name, engine,
browser-compat-data and browserslist ids, baseline-browser-mapping's code and name, Client Hint
brands, the ua-parser families and User-Agent tokens that name it, its Android and iOS editions,
and its download page. Detection, Client Hints, judging, policy aliases, notices, browserslist's
Baseline queries and the browser-data converter derive their tables from `REGISTRY` (and
`ENGINE_FACTS`, `OS_FACTS`): adding a browser is one entry here (tests/test_registry.py checks
that every table follows it).

Keys follow MDN browser-compat-data (the ids Baseline and browserslist use) where BCD has one;
the others (``edge_legacy``, ``chrome_ios``, in-app browsers, ...) are ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

# -- engines ----------------------------------------------------------------------------------------
BLINK = "blink"
GECKO = "gecko"
WEBKIT = "webkit"
TRIDENT = "trident"
EDGEHTML = "edgehtml"
PRESTO = "presto"


class EngineFacts(NamedTuple):
    name: str
    """How reasons name it: "Chromium" for Blink (its version is Chromium's)."""
    reference: str | None
    """The browser whose policy rule judges an unnamed browser on this engine."""


ENGINE_FACTS: Mapping[str, EngineFacts] = MappingProxyType(
    {
        BLINK: EngineFacts("Chromium", "chrome"),
        GECKO: EngineFacts("Gecko", "firefox"),
        WEBKIT: EngineFacts("WebKit", "safari"),
        TRIDENT: EngineFacts("Trident", "ie"),
        EDGEHTML: EngineFacts("EdgeHTML", "edge_legacy"),
        PRESTO: EngineFacts("Presto", None),
    }
)
ENGINES = frozenset(ENGINE_FACTS)

# -- operating systems ------------------------------------------------------------------------------
WINDOWS = "Windows"
MACOS = "macOS"
IOS = "iOS"
IPADOS = "iPadOS"
ANDROID = "Android"
CHROMEOS = "ChromeOS"
LINUX = "Linux"
KAIOS = "KaiOS"


class OSFacts(NamedTuple):
    policy_key: str | None
    """The key of its rule under a policy's ``os:``."""
    desktop: bool
    platforms: tuple[str, ...] = ()
    """``Sec-CH-UA-Platform`` values that name it, lower case."""
    families: tuple[str, ...] = ()
    """ua-parser's OS families that are it."""


OS_FACTS: Mapping[str, OSFacts] = MappingProxyType(
    {
        WINDOWS: OSFacts("windows", True, ("windows",)),
        MACOS: OSFacts("macos", True, ("macos",), ("Mac OS X",)),
        IOS: OSFacts("ios", False, ("ios",)),
        IPADOS: OSFacts("ios", False),
        ANDROID: OSFacts("android", False, ("android",)),
        CHROMEOS: OSFacts("chromeos", True, ("chrome os", "chromeos"), ("Chrome OS",)),
        LINUX: OSFacts(
            "linux", True, ("linux",), ("Ubuntu", "Debian", "Fedora", "Linux Mint", "Arch Linux", "Red Hat")
        ),
        KAIOS: OSFacts(None, False),
        "FreeBSD": OSFacts(None, True),
        "OpenBSD": OSFacts(None, True),
    }
)


# -- browsers ---------------------------------------------------------------------------------------
class Browser(NamedTuple):
    """Every fact about one browser (a record: a NamedTuple, which costs a tenth of a dataclass
    at import)."""

    key: str
    """Canonical key: browser-compat-data's id where it has one."""
    name: str
    engine: str | None
    """Its engine everywhere, or ``None`` where it varies (the User-Agent then tells)."""
    bcd: str | None = None
    """MDN browser-compat-data's id (``None``: BCD has none)."""
    browserslist: str | None = None
    """browserslist's (caniuse's) id."""
    baseline_code: str | None = None
    """baseline-browser-mapping's short code for it in the Baseline timeline it packs (``ca``)."""
    baseline: str | None = None
    """baseline-browser-mapping's name for it where that is not its BCD id (``uc_android``)."""
    brands: tuple[str, ...] = ()
    """``Sec-CH-UA`` brands that name it (compared ignoring case)."""
    families: tuple[str, ...] = ()
    """ua-parser families that name it (or its editions: see `android`, `ios`)."""
    tokens: tuple[str, ...] = ()
    """User-Agent product tokens browsercheck reads itself, ``Name`` of ``Name/1.2``: they name it
    over what ua-parser says, and the version is read from them."""
    android: str | None = None
    """The key of its Android edition (``chrome`` -> ``chrome_android``)."""
    ios: str | None = None
    """The key of its iOS edition."""
    download: str | None = None
    """Its official download page, for notices."""


def _records(*browsers: Browser) -> Mapping[str, Browser]:
    return MappingProxyType({b.key: b for b in browsers})


REGISTRY: Mapping[str, Browser] = _records(
    # MDN browser-compat-data ids
    Browser(
        "chrome",
        "Google Chrome",
        BLINK,
        bcd="chrome",
        browserslist="chrome",
        baseline_code="c",
        brands=("Google Chrome",),
        families=("Chrome", "Chrome Mobile"),
        android="chrome_android",
        ios="chrome_ios",
        download="https://www.google.com/chrome/",
    ),
    Browser(
        "chrome_android", "Chrome for Android", BLINK, bcd="chrome_android", browserslist="and_chr", baseline_code="ca"
    ),
    Browser(
        "edge",
        "Microsoft Edge",
        BLINK,
        bcd="edge",
        browserslist="edge",
        baseline_code="e",
        brands=("Microsoft Edge",),
        families=("Edge", "Edge Mobile"),
        tokens=("Edg", "EdgA", "EdgiOS"),
        android="edge_android",
        ios="edge_ios",
        download="https://www.microsoft.com/edge/download",
    ),
    Browser(
        "firefox",
        "Mozilla Firefox",
        GECKO,
        bcd="firefox",
        browserslist="firefox",
        baseline_code="f",
        families=("Firefox", "Firefox Mobile", "Firefox Beta", "Firefox Alpha"),
        # Firefox under its pre-release code names and Debian's Iceweasel, numbered as Firefox (forks
        # numbered otherwise, Waterfox, Pale Moon, are judged by their Gecko version)
        tokens=(
            "Iceweasel",
            "Minefield",
            "Shiretoko",
            "GranParadiso",
            "Namoroka",
            "BonEcho",
            "Lorentz",
        ),
        android="firefox_android",
        ios="firefox_ios",
        download="https://www.mozilla.org/firefox/new/",
    ),
    Browser(
        "firefox_android",
        "Firefox for Android",
        GECKO,
        bcd="firefox_android",
        browserslist="and_ff",
        baseline_code="fa",
    ),
    Browser("ie", "Internet Explorer", TRIDENT, bcd="ie", browserslist="ie", families=("IE", "IE Mobile")),
    Browser(
        "opera",
        "Opera",
        BLINK,
        bcd="opera",
        browserslist="opera",
        baseline_code="o",
        brands=("Opera", "Opera GX"),
        families=("Opera",),
        tokens=("OPR",),
        android="opera_android",
        download="https://www.opera.com/download",
    ),
    Browser(
        "opera_android",
        "Opera for Android",
        BLINK,
        bcd="opera_android",
        browserslist="op_mob",
        baseline_code="oa",
        brands=("OperaMobile",),
        families=("Opera Mobile",),
    ),
    Browser(
        "safari",
        "Safari",
        WEBKIT,
        bcd="safari",
        browserslist="safari",
        baseline_code="s",
        families=("Safari", "Mobile Safari"),
        ios="safari_ios",
    ),
    Browser("safari_ios", "Safari on iOS", WEBKIT, bcd="safari_ios", browserslist="ios_saf", baseline_code="si"),
    Browser(
        "samsunginternet_android",
        "Samsung Internet",
        BLINK,
        bcd="samsunginternet_android",
        browserslist="samsung",
        baseline_code="sa",
        brands=("Samsung Internet",),
        families=("Samsung Internet",),
    ),
    Browser(
        "webview_android",
        "Android WebView",
        BLINK,
        bcd="webview_android",
        browserslist="android",
        baseline_code="wva",
        brands=("Android WebView",),
        families=("Chrome Mobile WebView", "Android"),
    ),
    Browser("webview_ios", "iOS WebView", WEBKIT, bcd="webview_ios", families=("Mobile Safari UI/WKWebView",)),
    # not in browser-compat-data
    Browser("edge_legacy", "Microsoft Edge (EdgeHTML)", EDGEHTML, tokens=("Edge",)),
    Browser("edge_android", "Microsoft Edge for Android", BLINK),
    Browser("chrome_ios", "Chrome for iOS", WEBKIT, families=("Chrome Mobile iOS",), tokens=("CriOS",)),
    Browser("edge_ios", "Microsoft Edge for iOS", WEBKIT),
    Browser("firefox_ios", "Firefox for iOS", WEBKIT, families=("Firefox iOS",), tokens=("FxiOS",)),
    Browser(
        "opera_mini",
        "Opera Mini",
        None,
        browserslist="op_mini",
        brands=("Opera Mini Android",),
        families=("Opera Mini",),
    ),
    Browser("opera_gx", "Opera GX", BLINK, tokens=("OPX",)),
    Browser(
        "yandex",
        "Yandex Browser",
        BLINK,
        baseline_code="y",
        baseline="ya_android",
        brands=("Yandex", "YaBrowser"),
        families=("Yandex Browser",),
        tokens=("YaBrowser", "YaSearchBrowser", "YaApp_Android", "YaApp_iOS", "YandexSearch", "YaBrowserLite"),
    ),
    Browser(
        "uc",
        "UC Browser",
        BLINK,
        baseline_code="u",
        baseline="uc_android",
        browserslist="and_uc",
        families=("UC Browser",),
        tokens=("UCBrowser", "UCPC", "UCMini", "UCTurbo", "UBrowser"),
    ),
    Browser(
        "vivaldi",
        "Vivaldi",
        BLINK,
        brands=("Vivaldi",),
        families=("Vivaldi",),
        tokens=("Vivaldi", "Viv"),
        download="https://vivaldi.com/download/",
    ),
    Browser(
        "brave",
        "Brave",
        BLINK,
        brands=("Brave", "Brave Browser"),
        families=("Brave",),
        download="https://brave.com/download/",
    ),
    Browser("chromium", "Chromium", BLINK, brands=("Chromium",), families=("Chromium",)),
    Browser("silk", "Amazon Silk", BLINK, families=("Amazon Silk",), tokens=("Silk",)),
    Browser("electron", "Electron", BLINK, families=("Electron",)),
    Browser("miui", "Xiaomi Browser", BLINK, families=("MiuiBrowser",), tokens=("XiaoMi/MiuiBrowser",)),
    Browser("huawei", "Huawei Browser", BLINK, families=("Huawei Browser",), tokens=("HuaweiBrowser", "HBPC")),
    Browser("whale", "Naver Whale", BLINK, brands=("Whale",), families=("Whale",)),
    Browser(
        "qq",
        "QQ Browser",
        BLINK,
        baseline_code="q",
        baseline="qq_android",
        browserslist="and_qq",
        families=("QQ Browser", "QQ Browser Mobile"),
    ),
    Browser("coccoc", "Coc Coc", BLINK, brands=("CocCocBrowser",), tokens=("coc_coc_browser", "CocCoc")),
    Browser(
        "duckduckgo",
        "DuckDuckGo",
        None,
        brands=("DuckDuckGo",),
        families=("DuckDuckGo Mobile",),
        tokens=("DuckDuckGo", "Ddg"),
    ),
    Browser("kaios", "KaiOS Browser", GECKO, baseline_code="k", baseline="kai_os", browserslist="kaios"),
    Browser(
        "facebook",
        "Facebook in-app browser",
        None,
        baseline_code="fb",
        baseline="facebook_android",
        families=("Facebook",),
    ),
    Browser(
        "instagram",
        "Instagram in-app browser",
        None,
        baseline_code="ia",
        baseline="instagram_android",
        families=("Instagram",),
    ),
    Browser("google_app", "Google app", None, families=("Google",)),
)


# -- tables derived from the registry ---------------------------------------------------------------
def _unique(pairs: Iterable[tuple[str, str]], what: str) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for name, key in pairs:
        if table.setdefault(name, key) != key:
            raise ValueError(f"{what} {name!r} names both {table[name]!r} and {key!r}")
    return MappingProxyType(table)


def _baseline_name(browser: Browser) -> str:
    name = browser.baseline or browser.bcd
    if name is None:
        raise ValueError(f"{browser.key!r} has a Baseline code but neither a Baseline name nor a BCD id")
    return name


class Tables:
    """Every lookup table the package reads, as computed from the registry and the engine and OS
    facts (a plain class: a NamedTuple of seventeen fields costs half a millisecond of import)."""

    def __init__(
        self, registry: Mapping[str, Browser], engines: Mapping[str, EngineFacts], systems: Mapping[str, OSFacts]
    ) -> None:
        records = registry.items()
        self.DOWNLOAD_PAGES: Mapping[str, str] = MappingProxyType({k: b.download for k, b in records if b.download})
        """Official download pages. A site can add or replace links in its policy (site.links)."""
        self.EDITIONS: Mapping[str, str] = MappingProxyType({e: k for k, b in records for e in (b.android, b.ios) if e})
        """A mobile edition's key -> its product's (``chrome_android`` -> ``chrome``)."""
        self.ANDROID_EDITIONS: Mapping[str, str] = MappingProxyType({k: b.android for k, b in records if b.android})
        self.IOS_EDITIONS: Mapping[str, str] = MappingProxyType({k: b.ios for k, b in records if b.ios})
        self.FAMILIES = _unique(((f, k) for k, b in records for f in b.families), "ua-parser family")
        """ua-parser family -> key (the product's: detection picks the edition by platform)."""
        self.BRANDS = _unique(((brand.lower(), k) for k, b in records for brand in b.brands), "brand")
        """``Sec-CH-UA`` brand, lower case -> key."""
        self.TOKENS = _unique(((t, k) for k, b in records for t in b.tokens), "token")
        """User-Agent product token -> key."""
        self.BROWSERSLIST_IDS = _unique(((b.browserslist, k) for k, b in records if b.browserslist), "browserslist id")
        self.BCD_IDS = _unique(((b.bcd, k) for k, b in records if b.bcd), "browser-compat-data id")
        self.BASELINE_NAMES = _unique(
            ((b.baseline_code, _baseline_name(b)) for _, b in records if b.baseline_code), "Baseline code"
        )
        """baseline-browser-mapping's short code -> its name for the browser (``ca`` -> ``chrome_android``)."""
        self.BASELINE_BROWSERSLIST = _unique(
            ((_baseline_name(b), b.browserslist) for _, b in records if b.baseline_code and b.browserslist),
            "Baseline name",
        )
        """baseline-browser-mapping's name -> browserslist's id (``chrome_android`` -> ``and_chr``)."""
        self.ENGINE_NAMES: Mapping[str, str] = MappingProxyType({e: f.name for e, f in engines.items()})
        self.ENGINE_FROM_BROWSER: Mapping[str, str] = MappingProxyType(
            {e: f.reference for e, f in engines.items() if f.reference}
        )
        self.OS_KEYS: Mapping[str, str] = MappingProxyType(
            {os: f.policy_key for os, f in systems.items() if f.policy_key}
        )
        """Client.os -> the key of its rule under a policy's ``os:``."""
        self.OS_PLATFORMS = _unique(((p, os) for os, f in systems.items() for p in f.platforms), "platform")
        self.OS_FAMILIES = _unique(((fam, os) for os, f in systems.items() for fam in f.families), "OS family")
        self.DESKTOP_OSES = frozenset(os for os, f in systems.items() if f.desktop)


def derive(
    registry: Mapping[str, Browser], engines: Mapping[str, EngineFacts], systems: Mapping[str, OSFacts]
) -> Tables:
    """The tables detection, hints, judging, policies and notices read, from the facts."""
    return Tables(registry, engines, systems)


BROWSERS = REGISTRY
"""Every browser by key (the name the rest of the package has always used)."""
_TABLES = derive(REGISTRY, ENGINE_FACTS, OS_FACTS)
DOWNLOAD_PAGES = _TABLES.DOWNLOAD_PAGES
EDITIONS = _TABLES.EDITIONS
ANDROID_EDITIONS = _TABLES.ANDROID_EDITIONS
IOS_EDITIONS = _TABLES.IOS_EDITIONS
FAMILIES = _TABLES.FAMILIES
BRANDS = _TABLES.BRANDS
TOKENS = _TABLES.TOKENS
BROWSERSLIST_IDS = _TABLES.BROWSERSLIST_IDS
BCD_IDS = _TABLES.BCD_IDS
BASELINE_NAMES = _TABLES.BASELINE_NAMES
BASELINE_BROWSERSLIST = _TABLES.BASELINE_BROWSERSLIST
ENGINE_NAMES = _TABLES.ENGINE_NAMES
ENGINE_FROM_BROWSER = _TABLES.ENGINE_FROM_BROWSER
OS_KEYS = _TABLES.OS_KEYS
OS_PLATFORMS = _TABLES.OS_PLATFORMS
OS_FAMILIES = _TABLES.OS_FAMILIES
DESKTOP_OSES = _TABLES.DESKTOP_OSES

# Names a policy author may use instead of a canonical key: browserslist's, and the obvious ones.
ALIASES: MappingProxyType[str, str] = MappingProxyType(
    {
        **{bl: k for bl, k in BROWSERSLIST_IDS.items() if bl != k},
        "samsung": "samsunginternet_android",
        "samsung_internet": "samsunginternet_android",
        "and_chr": "chrome_android",
        "and_ff": "firefox_android",
        "ios_saf": "safari_ios",
        "op_mob": "opera_android",
        "op_mini": "opera_mini",
        "and_uc": "uc",
        "and_qq": "qq",
        "android": "webview_android",
        "explorer": "ie",
        "internet_explorer": "ie",
        "edgehtml": "edge_legacy",
    }
)


def canonical_key(name: str) -> str | None:
    """The canonical key for a key or alias, case-insensitively; ``None`` if it is neither."""
    key = name.strip().lower().replace("-", "_")
    if key in BROWSERS:
        return key
    return ALIASES.get(key)
