"""The browsers browsercheck knows: canonical keys, names, engines, and the aliases policies accept.

Keys follow MDN browser-compat-data (the ids Baseline and browserslist use) where BCD has one;
the others (``edge_legacy``, ``chrome_ios``, in-app browsers, ...) are ours.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple


class BrowserInfo(NamedTuple):
    name: str
    engine: str | None


BROWSERS: MappingProxyType[str, BrowserInfo] = MappingProxyType(
    {
        # MDN browser-compat-data ids
        "chrome": BrowserInfo("Google Chrome", "blink"),
        "chrome_android": BrowserInfo("Chrome for Android", "blink"),
        "edge": BrowserInfo("Microsoft Edge", "blink"),
        "firefox": BrowserInfo("Mozilla Firefox", "gecko"),
        "firefox_android": BrowserInfo("Firefox for Android", "gecko"),
        "ie": BrowserInfo("Internet Explorer", "trident"),
        "opera": BrowserInfo("Opera", "blink"),
        "opera_android": BrowserInfo("Opera for Android", "blink"),
        "safari": BrowserInfo("Safari", "webkit"),
        "safari_ios": BrowserInfo("Safari on iOS", "webkit"),
        "samsunginternet_android": BrowserInfo("Samsung Internet", "blink"),
        "webview_android": BrowserInfo("Android WebView", "blink"),
        "webview_ios": BrowserInfo("iOS WebView", "webkit"),
        # not in browser-compat-data
        "edge_legacy": BrowserInfo("Microsoft Edge (EdgeHTML)", "edgehtml"),
        "edge_android": BrowserInfo("Microsoft Edge for Android", "blink"),
        "chrome_ios": BrowserInfo("Chrome for iOS", "webkit"),
        "edge_ios": BrowserInfo("Microsoft Edge for iOS", "webkit"),
        "firefox_ios": BrowserInfo("Firefox for iOS", "webkit"),
        "opera_mini": BrowserInfo("Opera Mini", None),
        "yandex": BrowserInfo("Yandex Browser", "blink"),
        "uc": BrowserInfo("UC Browser", "blink"),
        "vivaldi": BrowserInfo("Vivaldi", "blink"),
        "brave": BrowserInfo("Brave", "blink"),
        "chromium": BrowserInfo("Chromium", "blink"),
        "silk": BrowserInfo("Amazon Silk", "blink"),
        "electron": BrowserInfo("Electron", "blink"),
        "miui": BrowserInfo("Xiaomi Browser", "blink"),
        "huawei": BrowserInfo("Huawei Browser", "blink"),
        "whale": BrowserInfo("Naver Whale", "blink"),
        "qq": BrowserInfo("QQ Browser", "blink"),
        "duckduckgo": BrowserInfo("DuckDuckGo", None),
        "kaios": BrowserInfo("KaiOS Browser", "gecko"),
        "facebook": BrowserInfo("Facebook in-app browser", None),
        "instagram": BrowserInfo("Instagram in-app browser", None),
        "google_app": BrowserInfo("Google app", None),
    }
)

# Official download pages. A site can add or replace links in its policy (site.links).
DOWNLOAD_PAGES: MappingProxyType[str, str] = MappingProxyType(
    {
        "firefox": "https://www.mozilla.org/firefox/new/",
        "chrome": "https://www.google.com/chrome/",
        "edge": "https://www.microsoft.com/edge/download",
        "opera": "https://www.opera.com/download",
        "vivaldi": "https://vivaldi.com/download/",
        "brave": "https://brave.com/download/",
    }
)

ENGINES = frozenset({"blink", "gecko", "webkit", "trident", "edgehtml", "presto"})

# Names a policy author may use instead of a canonical key: browserslist's, and the obvious ones.
ALIASES: MappingProxyType[str, str] = MappingProxyType(
    {
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
