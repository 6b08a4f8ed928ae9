"""The notice's messages: their ids, English source text, and lookup in gettext catalogs.

Each message is a gettext entry whose context (``msgctxt``) is the id below and whose ``msgid`` is
the English text, so translators work with the usual tools on ``locale/<lang>/LC_MESSAGES/
browsercheck.po``. A language is available when its compiled catalog (``browsercheck.mo``) exists:
adding a language is adding that file. Lookups are per call (no process-wide ``install()``).
"""

from __future__ import annotations

import gettext
import string
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

DOMAIN = "browsercheck"
SOURCE_LOCALE = "en"
PACKAGE_LOCALE_DIR = Path(__file__).parent / "locale"


def _(context: str, text: str) -> tuple[str, str]:
    """Marks a message for extraction (``pybabel extract -k _:1c,2``)."""
    return context, text


MESSAGES: MappingProxyType[str, str] = MappingProxyType(
    dict(
        [
            _("outdated.title", "Hi! You are using an old browser"),
            _("outdated.body", "Soon some features on {site} will not work with this old browser."),
            _("unsupported.title", "Hi! Your browser does not work here"),
            _("unsupported.body", "This browser does not work with {site}."),
            _("unknown.title", "Hi! We do not recognise your browser"),
            _("unknown.body", "Some features on {site} may not work with it."),
            _("advice.switch", "We would like to keep you as a visitor and recommend switching to {browsers}."),
            _(
                "advice.update_or_switch",
                "We would like to keep you as a visitor and recommend updating {browser}, or switching to {browsers}.",
            ),
            _("advice.update", "We would like to keep you as a visitor and recommend updating {browser}."),
            _(
                "advice.ios",
                "Update iOS in Settings to get a newer browser: every browser on iPhone and iPad uses the web "
                "engine of iOS, so switching browsers does not help. If your device cannot be updated, you can "
                "visit {site} from another device.",
            ),
            _(
                "advice.old_os",
                "No current version of {browsers} runs on {os}. To use {site} fully, update the operating system "
                "or use another device.",
            ),
            _("site.fallback", "this site"),
            _("list.or", "{items} or {last}"),
            _("dismiss", "Hide this message"),
            _("continue", "Continue anyway"),
        ]
    )
)


def placeholders(text: str) -> frozenset[str]:
    """The ``{names}`` in a message; raises ValueError for a malformed one (``{site``)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


_PLACEHOLDERS = MappingProxyType({key: placeholders(text) for key, text in MESSAGES.items()})


def required_placeholders(key: str) -> frozenset[str]:
    return _PLACEHOLDERS[key]


class Catalogs:
    """The languages found in ``locale_dirs`` (earlier dirs win), and their messages.

    English, the source language, is always available. Safe to share between threads.
    """

    def __init__(self, locale_dirs: Sequence[Path | str] = (PACKAGE_LOCALE_DIR,)) -> None:
        self.locale_dirs = tuple(Path(d) for d in locale_dirs)
        self._translations: dict[str, gettext.NullTranslations] = {}
        self._lock = threading.Lock()
        found = {SOURCE_LOCALE}
        for directory in self.locale_dirs:
            if directory.is_dir():
                found.update(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
        self.locales: frozenset[str] = frozenset(found)

    def message(self, locale: str, key: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> str:
        """The message ``key`` in ``locale``: a site's override, else the catalog, else English."""
        if overrides and (text := overrides.get(locale, {}).get(key)) is not None:
            return text
        return self._translation(locale).pgettext(key, MESSAGES[key])

    def _translation(self, locale: str) -> gettext.NullTranslations:
        translation = self._translations.get(locale)
        if translation is None:
            with self._lock:
                translation = self._translations.get(locale)
                if translation is None:
                    translation = self._load(locale)
                    self._translations[locale] = translation
        return translation

    def _load(self, locale: str) -> gettext.NullTranslations:
        if locale != SOURCE_LOCALE:
            for directory in self.locale_dirs:
                path = directory / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
                if path.is_file():
                    with open(path, "rb") as f:
                        return gettext.GNUTranslations(f)
        return gettext.NullTranslations()


def join_or(items: Iterable[str], conjunction: str) -> str:
    """``"A, B or C"`` from the items and a ``"{items} or {last}"`` message."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return conjunction.format(items=", ".join(items[:-1]), last=items[-1])
