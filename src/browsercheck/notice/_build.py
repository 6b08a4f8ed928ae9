"""The notice a person sees: what to say for a verdict, in their language, as text, HTML and JSON."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._browsers import BROWSERS, DOWNLOAD_PAGES, EDITIONS
from .._lazy import Lazy
from .._model import Client, Status, Verdict
from ._html import render_html
from ._messages import SOURCE_LOCALE, Catalogs
from ._negotiate import negotiate
from ._parts import Link, ListWords, Paragraph, Value

if TYPE_CHECKING:
    from collections.abc import Callable

Advice = Literal["switch", "update_or_switch", "update", "ios", "old_os"]

# The mobile editions are the same product as far as "update it or switch" goes.
_SAME_PRODUCT = EDITIONS
# No current Firefox, Chrome or Edge runs on these: recommending them would not help.
_WINDOWS_WITHOUT_CURRENT_BROWSERS = frozenset({"XP", "Vista", "7", "8", "8.1"})
_LAST_MACOS_WITHOUT_CURRENT_BROWSERS = (10, 14)  # Chrome 116 was the last for 10.13 and 10.14
_RTL_LANGUAGES = frozenset({"ar", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"})


@dataclass(frozen=True, slots=True)
class Notice:
    """What to tell a person whose browser is outdated or unsupported."""

    status: Status
    locale: str
    direction: Literal["ltr", "rtl"]
    title: str
    paragraphs: tuple[str, ...]
    advice: Advice
    """``switch``/``update_or_switch``/``update``: recommend browsers; ``ios``: update iOS;
    ``old_os``: no current browser runs on the operating system."""
    links: tuple[Link, ...]
    """The recommended browsers' download pages, in the policy's order."""
    style: str
    """The ``<style>`` element, for a page's head (CSS that old browsers render; the nonce if given)."""
    region: str
    """The notice itself: an escaped, accessible region landmark with its heading."""

    def __html__(self) -> str:
        """The region, for templates: MarkupSafe, Jinja and Django's ``conditional_escape`` put it in
        as it is (``{{ notice }}``, no ``|safe``). The `style` goes into the page's head apart."""
        return self.region

    @property
    def html(self) -> str:
        """`style` and `region` together: a fragment ready for the top of a page's body."""
        return self.style + self.region

    @property
    def text(self) -> str:
        """The body, paragraphs separated by a blank line (the title is apart)."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "locale": self.locale,
            "dir": self.direction,
            "title": self.title,
            "text": self.text,
            "paragraphs": list(self.paragraphs),
            "advice": self.advice,
            "links": [{"browser": link.key, "name": link.name, "url": link.url} for link in self.links],
            "html": self.html,
        }


_catalogs = Lazy(Catalogs)


def default_catalogs() -> Catalogs:
    """The catalogs shipped in the package, found once."""
    return _catalogs.get()


def build_notice(
    verdict: Verdict,
    *,
    locale: str | None = None,
    accept_language: str | None = None,
    site: str | None = None,
    dismiss_url: str | None = None,
    dismiss_next: str | None = None,
    nonce: str | None = None,
    heading_level: int = 2,
    catalogs: Catalogs | None = None,
    dismiss_message: Literal["dismiss", "continue"] = "dismiss",
) -> Notice | None:
    """The notice for ``verdict``, or ``None`` when there is nothing to tell: supported, bots, and
    unknown browsers unless the policy says ``unknown: notify``."""
    if not verdict.needs_notice:
        return None
    if not 1 <= heading_level <= 6:
        raise ValueError(f"heading_level must be 1 to 6, got {heading_level!r}")
    catalogs = catalogs or default_catalogs()
    policy_site = verdict.policy.site
    default = policy_site.locale if policy_site.locale in catalogs.locales else SOURCE_LOCALE
    if locale is not None:
        chosen = negotiate(locale, catalogs.locales, default)  # "sv-SE" -> "sv" too
    else:
        chosen = negotiate(accept_language, catalogs.locales, default)
    if not catalogs.usable(chosen):  # its catalog broke since it was listed (logged): English
        chosen = SOURCE_LOCALE
    overrides = policy_site.messages

    def message(key: str) -> str:
        return catalogs.message(chosen, key, overrides)

    site_name = site or policy_site.name or message("site.fallback")
    status = verdict.status.value  # outdated, unsupported, or unknown (notify)
    advice, advice_paragraph, links = _advice(verdict, message, site_name)
    paragraphs = (Paragraph(message(f"{status}.body"), {"site": site_name}), advice_paragraph)
    lists = ListWords(message("list.or"), message("list.separator"))
    title = message(f"{status}.title")
    direction: Literal["ltr", "rtl"] = "rtl" if chosen.split("-")[0] in _RTL_LANGUAGES else "ltr"
    style, region = render_html(
        status=verdict.status.value,
        locale=chosen,
        direction=direction,
        title=title,
        paragraphs=paragraphs,
        lists=lists,
        dismiss_label=message(dismiss_message) if dismiss_url else None,
        dismiss_url=dismiss_url,
        dismiss_next=dismiss_next,
        nonce=nonce,
        heading_level=heading_level,
    )
    return Notice(
        status=verdict.status,
        locale=chosen,
        direction=direction,
        title=title,
        paragraphs=tuple(_format_text(p, lists) for p in paragraphs),
        advice=advice,
        links=links,
        style=style,
        region=region,
    )


def _advice(verdict: Verdict, message: Callable[[str], str], site: str) -> tuple[Advice, Paragraph, tuple[Link, ...]]:
    client = verdict.client
    policy = verdict.policy
    names = tuple(BROWSERS[key].name for key in policy.recommend)
    links = tuple(
        Link(key, BROWSERS[key].name, url)
        for key in policy.recommend
        if (url := policy.site.links.get(key) or DOWNLOAD_PAGES.get(key))
    )
    if client.on_ios:
        return "ios", Paragraph(message("advice.ios"), {"site": site}), ()
    if _no_current_browsers(client):
        os_name = f"{client.os} {client.os_version}" if client.os_version else str(client.os)
        values: dict[str, Value] = {"browsers": names, "os": os_name, "site": site}
        return "old_os", Paragraph(message("advice.old_os"), values), ()
    current = _SAME_PRODUCT.get(client.browser or "", client.browser)
    others = tuple(link for link in links if link.key != current)
    if len(others) == len(links):
        return "switch", Paragraph(message("advice.switch"), {"browsers": links}), links
    if others:
        paragraph = Paragraph(message("advice.update_or_switch"), {"browser": client.name, "browsers": others})
        return "update_or_switch", paragraph, others
    return "update", Paragraph(message("advice.update"), {"browser": client.name}), ()


def _no_current_browsers(client: Client) -> bool:
    if client.os == "Windows":
        return client.os_version in _WINDOWS_WITHOUT_CURRENT_BROWSERS
    if client.os == "macOS" and client.os_version:
        parts = client.os_version.split(".")
        try:
            version = (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)
        except ValueError:
            return False
        return version <= _LAST_MACOS_WITHOUT_CURRENT_BROWSERS
    return False


def _format_text(paragraph: Paragraph, lists: ListWords) -> str:
    values = {
        name: value if isinstance(value, str) else lists.join(_names(value)) for name, value in paragraph.values.items()
    }
    return string.Formatter().vformat(paragraph.template, (), values)


def _names(items: tuple[Link, ...] | tuple[str, ...]) -> list[str]:
    return [item.name if isinstance(item, Link) else item for item in items]
