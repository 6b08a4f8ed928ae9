"""The notice's messages: their ids, English source text, and lookup in gettext catalogs.

Each message is a gettext entry whose context (``msgctxt``) is the id below and whose ``msgid`` is
the English text, so translators work with the usual tools on ``locale/<lang>/LC_MESSAGES/
browsercheck.po``. A language is available when its compiled catalog (``browsercheck.mo``) exists:
adding a language is adding that file. Lookups are per call (no process-wide ``install()``).
"""

from __future__ import annotations

import gettext
import logging
import string
import struct
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

DOMAIN = "browsercheck"
SOURCE_LOCALE = "en"
PACKAGE_LOCALE_DIR = Path(__file__).parent / "locale"

logger = logging.getLogger("browsercheck")


def _(context: str, text: str) -> tuple[str, str]:
    """Marks a message for extraction (``pybabel extract -k _:1c,2``)."""
    return context, text


# Each message's TRANSLATORS comment says where it appears; pybabel extract copies it into the
# catalogs (-c TRANSLATORS:), so that a translator or a reviewer sees it beside the text.
MESSAGES: MappingProxyType[str, str] = MappingProxyType(
    dict(
        [
            # TRANSLATORS: Heading of the notice at the top of every page when the visitor's browser is older
            # than the site supports. The site still works. Friendly, not blaming: the model is the Swedish
            # "Hej! Du använder en gammal webbläsare".
            _("outdated.title", "Hi! You are using an old browser"),
            # TRANSLATORS: First paragraph under "outdated.title". {site} is the site's name ("haninge.se"), or
            # "site.fallback" when it has none: word the sentence so that both fit the same slot.
            _("outdated.body", "Soon some features on {site} will not work with this old browser."),
            # TRANSLATORS: Heading of the notice, and title of the block page, for a browser the site does not
            # work with at all (Internet Explorer, old Edge).
            _("unsupported.title", "Hi! Your browser does not work here"),
            # TRANSLATORS: First paragraph under "unsupported.title". {site}: as in "outdated.body".
            _("unsupported.body", "This browser does not work with {site}."),
            # TRANSLATORS: Heading of the notice for a browser that was not recognised (shown only when a site
            # asks for it).
            _("unknown.title", "Hi! We do not recognise your browser"),
            # TRANSLATORS: First paragraph under "unknown.title". {site}: as in "outdated.body".
            _("unknown.body", "Some features on {site} may not work with it."),
            # TRANSLATORS: Second paragraph: the advice. {browsers} is the list of recommended browsers, each a
            # link to its download page, joined with "list.separator" and "list.or": "Mozilla Firefox, Google
            # Chrome or Microsoft Edge". Browser names stay in Latin script and are not inflected.
            _("advice.switch", "We would like to keep you as a visitor and recommend switching to {browsers}."),
            # TRANSLATORS: Second paragraph, when the visitor's own browser is one of the recommended ones:
            # {browser} is its name ("Google Chrome"), {browsers} the other recommended browsers, as links.
            _(
                "advice.update_or_switch",
                "We would like to keep you as a visitor and recommend updating {browser}, or switching to {browsers}.",
            ),
            # TRANSLATORS: Second paragraph, when the visitor's browser is the only recommended one: {browser} is
            # its name ("Google Chrome").
            _("advice.update", "We would like to keep you as a visitor and recommend updating {browser}."),
            # TRANSLATORS: Second paragraph on iPhone and iPad. "Settings" is the iOS app: use the name iOS
            # shows in your language. {site}: as in "outdated.body".
            _(
                "advice.ios",
                "Update iOS in Settings to get a newer browser: every browser on iPhone and iPad uses the web "
                "engine of iOS, so switching browsers does not help. If your device cannot be updated, you can "
                "visit {site} from another device.",
            ),
            # TRANSLATORS: Second paragraph on Windows 7/8.1 and old macOS, where no current version of the
            # recommended browsers runs. {browsers}: their names (not links), joined as in "advice.switch";
            # {os}: the system and its version ("Windows 7"); {site}: as in "outdated.body".
            _(
                "advice.old_os",
                "No current version of {browsers} runs on {os}. To use {site} fully, update the operating system "
                "or use another device.",
            ),
            # TRANSLATORS: Stands for {site} in the messages above when the site has not given its name.
            _("site.fallback", "this site"),
            # TRANSLATORS: Joins the last browser name to the others in a list: {items} are the first names,
            # already joined with "list.separator", {last} the last one: "Mozilla Firefox, Google Chrome or
            # Microsoft Edge".
            _("list.or", "{items} or {last}"),
            # TRANSLATORS: Between the first names of a list ("Mozilla Firefox, Google Chrome"): a comma and a
            # space in most languages, the Arabic comma in Arabic and Persian.
            _("list.separator", ", "),
            # TRANSLATORS: Button under the notice that hides it (a cookie remembers the choice).
            _("dismiss", "Hide this message"),
            # TRANSLATORS: Button on the page shown instead of the site to a browser it does not work with: lets
            # the visitor go on to the site all the same.
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

    English, the source language, is always available. A catalog that has gone missing or cannot
    be read when first used falls back to English, with one logged error naming the file: a
    broken file must not break a request. Safe to share between threads.
    """

    def __init__(self, locale_dirs: Sequence[Path | str] = (PACKAGE_LOCALE_DIR,)) -> None:
        self.locale_dirs = tuple(Path(d) for d in locale_dirs)
        self._translations: dict[str, gettext.NullTranslations | None] = {}
        self._lock = threading.Lock()
        found = {SOURCE_LOCALE}
        for directory in self.locale_dirs:
            if directory.is_dir():
                found.update(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
        self.locales: frozenset[str] = frozenset(found)

    def usable(self, locale: str) -> bool:
        """Whether ``locale``'s catalog loads (English always does); the first call loads it."""
        return locale == SOURCE_LOCALE or self._translation(locale) is not None

    def message(self, locale: str, key: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> str:
        """The message ``key`` in ``locale``: a site's override, else the catalog, else English."""
        if overrides and (text := overrides.get(locale, {}).get(key)) is not None:
            return text
        translation = self._translation(locale) if locale != SOURCE_LOCALE else None
        return translation.pgettext(key, MESSAGES[key]) if translation else MESSAGES[key]

    def _translation(self, locale: str) -> gettext.NullTranslations | None:
        if locale in self._translations:
            return self._translations[locale]
        with self._lock:
            if locale not in self._translations:
                self._translations[locale] = self._load(locale)
            return self._translations[locale]

    def _load(self, locale: str) -> gettext.NullTranslations | None:
        """The catalog, or ``None`` (logged) where there is none or it cannot be read."""
        paths = [directory / locale / "LC_MESSAGES" / f"{DOMAIN}.mo" for directory in self.locale_dirs]
        for path in paths:
            if not path.is_file():
                continue
            try:
                with open(path, "rb") as f:
                    return gettext.GNUTranslations(f)
            except (OSError, ValueError, LookupError, struct.error) as e:
                # a truncated or corrupt .mo raises OSError ("Bad magic number"), struct.error, or a
                # decoding error: English instead, said once for this Catalogs
                logger.error("notice catalog %s cannot be read (%s): English is used instead", path, e)
                return None
        if locale in self.locales:  # it was there when the languages were listed
            logger.error("notice catalog for %r is missing (%s): English is used instead", locale, paths[0])
        return None
