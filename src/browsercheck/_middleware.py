"""The decision a middleware makes for one request, framework-free.

`browsercheck.wsgi`, `browsercheck.asgi` and the framework adapters (`browsercheck.django`,
`browsercheck.flask`, `browsercheck.fastapi`) only translate between their protocol and this: a
`RequestInfo` in, a `Decision` out (publish the verdict, pass the request on, insert a banner or
script mode's tag into the HTML response, answer with a block page, handle the dismiss form or
script mode's endpoints, `browsercheck._script`), then a `browsercheck._rewrite.Rewriter` for the
response's headers and body. No framework is imported here.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any, Literal, Unpack

from ._cache import BoundedCache
from ._checker import Checker
from ._hints import DISPLAY_NAMES, HINT_HEADERS, hints_to_request
from ._model import Status, Verdict
from ._options import MODES, OPTION_NAMES, WHERE, Options, SettingError
from ._policy import Policy
from ._upgrade import can_upgrade
from .notice import Notice, build_notice

logger = logging.getLogger("browsercheck")


DEFAULT_EXCLUDE = ("/static/", "/assets/", "/favicon.ico", "/robots.txt", "/health", "/.well-known/")
MAX_DISMISS_BODY = 4096
MAX_ACCEPT_LANGUAGE = 1024  # = what the negotiation reads (_locale.MAX_HEADER_LENGTH)
NOTICE_CACHE_BYTES = 4 * 1024 * 1024


class LazyHeaders(Mapping[str, str]):
    """A request's headers, gathered on first use: script mode's pages read none of them."""

    __slots__ = ("_gather", "_headers")

    def __init__(self, gather: Callable[[], dict[str, str]]) -> None:
        self._gather = gather
        self._headers: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._headers is None:
            self._headers = self._gather()
        return self._headers

    def __getitem__(self, name: str) -> str:
        return self._all()[name]

    def get(self, name: str, default: Any = None) -> Any:  # Mapping's own goes through KeyError: slow
        return self._all().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True, slots=True)
class RequestInfo:
    method: str
    path: str
    """Decoded, as the application routes it: what ``exclude`` and ``dismiss_path`` match."""
    query: str
    """As sent (percent-encoded)."""
    scheme: str
    headers: Mapping[str, str]
    """Lower-cased names: the User-Agent, Client Hints, Accept, Accept-Language, Sec-Fetch-Dest, Cookie."""
    raw_path: str | None = None
    """The path as sent, percent-encoded (``/a%3Fb``): the page to return to after dismissal.
    ``None``: made from ``script_name`` + `path`."""
    script_name: str = ""
    """Where the application is mounted (WSGI's SCRIPT_NAME), when the path is made from `path`."""
    native: Any = None
    """The framework's own request (the WSGI environ, the ASGI scope, Django's or Flask's request):
    what a ``preview`` callable is given."""
    exempt: Callable[[], bool] | None = None
    """Whether the view that will answer was marked ``@browsercheck.exempt``: asked only when the
    response may be changed."""

    def sent_path(self) -> str:
        """The path in ASCII, percent-encoded as sent."""
        if self.raw_path is not None:
            return quote_url(self.raw_path, PATH_SAFE + "%")
        return quote_url(self.script_name + self.path, PATH_SAFE)  # decoded: "?" and "%" encoded again

    def sent_url(self) -> str:
        """The path and query as sent, in ASCII: the page to return to."""
        path = self.sent_path()
        return path + ("?" + quote_url(self.query, PATH_SAFE + "%?") if self.query else "")


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict | None
    """``None`` for excluded paths and the dismiss endpoint (unless continuing is off): not checked."""
    action: Literal["pass", "rewrite", "block", "dismiss", "script", "notice"]
    """``rewrite``: an HTML response gets ``vary`` appended, and the banner (``banner``) if any.
    ``script`` and ``notice``: script mode's endpoints answer (`browsercheck._script`)."""
    banner: str | None = None
    style: str = ""
    """The banner's ``<style>``, for the page's head."""
    block: tuple[int, list[tuple[str, str]], bytes] | None = None
    vary: tuple[str, ...] = ()
    accept_ch: str | None = None
    head: bool = False
    """A HEAD request: the banner is not inserted, but the headers say what GET's would."""
    where: str = ""
    """The page, printable, for the log."""
    private: bool = False
    """A preview: the response is this request's alone (``Cache-Control: no-store``)."""
    script: str | None = None
    """Script mode: the tag every HTML page gets, the same for everyone."""
    unjudged: bool = False
    """``verdict`` is ``None`` because it was not needed (``decide(lazy=True)``), not because the
    path is excluded."""
    navigation: bool = False
    """A page load (`_is_navigation`), judged: ``vary`` goes on its 304 too, as on the page it
    revalidates, and in block mode on any response (another browser would have had the block page)."""


class Settings:
    """What a middleware was configured with, checked once (a bad value is a `SettingError`, a
    ValueError naming the option and the values it accepts; an unknown option a TypeError).

    ``policy``: a path or a `Policy` (default: the shipped one). ``mode``: ``annotate`` (publish the
    verdict only), ``banner`` (also the notice at the top of HTML pages), ``block`` (a block page
    for unsupported browsers) or ``script`` (every HTML page gets the same ``<script>`` tag, which
    asks ``notice_path`` for the notice: pages stay the same for every browser, and cacheable).
    ``site``: the site's name in notices. ``locale``: a fixed notice language (default: negotiated
    from Accept-Language). ``exclude``: path prefixes, matched by whole segments (``/health`` is
    ``/health`` and ``/health/...``, not ``/healthcare``), or a callable from the path, that are not
    checked at all. ``insert``: where the banner goes. ``block_status``, ``allow_continue``,
    ``block_response``: the block page's status, its "continue anyway" button (off: neither a
    cookie nor the dismiss endpoint lets a blocked browser through), a hook that replaces the page.
    ``dismiss_path``: the endpoint both forms post to. ``dismiss_cookie``, ``remind_after_days``:
    "hide this message" on a notice, and after how many days the notice shows again.
    ``continue_cookie``, ``continue_days``: "continue anyway" on a block page, kept apart.
    ``notify_unupgradable=False``: no notice where no upgrade can be had (Windows 7/8.x, old macOS,
    iOS devices Apple left behind; block pages still apply). ``preview``: True, or a callable from
    the framework's request, lets ``?browsercheck-preview=outdated|unsupported`` show that notice.
    ``client_hints``, ``critical_hints``: send ``Accept-CH`` (and ``Critical-CH``) for the hints
    the policy can use. ``checker``: a `Checker` of one's own. The parsers are built here, so
    that the first request does not wait for them.
    """

    def __init__(self, policy: Policy | str | os.PathLike[str] | None = None, **options: Unpack[Options]) -> None:
        unknown = sorted(set(options) - OPTION_NAMES)
        if unknown:
            raise TypeError(
                f"unknown browsercheck option {unknown[0]!r}; the options are {', '.join(sorted(OPTION_NAMES))}"
            )
        mode = options.get("mode", "banner")
        insert = options.get("insert", "after_body_open")
        block_status = options.get("block_status", 406)
        dismiss_path = options.get("dismiss_path", "/.browsercheck/dismiss")
        notice_path = options.get("notice_path", "/.browsercheck/notice")
        dismiss_cookie = options.get("dismiss_cookie", "browsercheck_dismissed")
        continue_cookie = options.get("continue_cookie", "browsercheck_continue")
        remind_after_days = options.get("remind_after_days", 30)
        continue_days = options.get("continue_days", 30)
        exclude = options.get("exclude", DEFAULT_EXCLUDE)
        preview = options.get("preview", False)
        if mode not in MODES:
            raise SettingError("mode", f"must be one of {', '.join(MODES)}; got {mode!r}")
        if insert not in WHERE:
            raise SettingError("insert", f"must be one of {', '.join(WHERE)}; got {insert!r}")
        if not isinstance(block_status, int) or not 400 <= block_status <= 599:
            raise SettingError("block_status", f"must be an HTTP error status (400-599), got {block_status!r}")
        for name, value in (("dismiss_path", dismiss_path), ("notice_path", notice_path)):
            if not isinstance(value, str) or not value.startswith("/"):
                raise SettingError(name, f"must be a path starting with '/', got {value!r}")
        for name, value in (("dismiss_cookie", dismiss_cookie), ("continue_cookie", continue_cookie)):
            if not isinstance(value, str) or not value or not all(c.isalnum() or c in "-_." for c in value):
                raise SettingError(name, f"must be a plain cookie name (letters, digits, - _ .), got {value!r}")
        for name, days in (("remind_after_days", remind_after_days), ("continue_days", continue_days)):
            if isinstance(days, bool) or not isinstance(days, int | float) or not days > 0:
                raise SettingError(name, f"must be a number of days more than 0, got {days!r}")
        if not callable(exclude) and (
            not isinstance(exclude, list | tuple | set | frozenset) or not all(isinstance(p, str) for p in exclude)
        ):
            raise SettingError("exclude", f"must be a sequence of path prefixes or a callable, got {exclude!r}")
        for name in ("site", "locale"):
            text: object = options.get(name)
            if text is not None and (not isinstance(text, str) or not text.strip()):
                raise SettingError(name, f"must be a non-empty string or None, got {text!r}")
        for name in ("block_response",):
            hook: object = options.get(name)
            if hook is not None and not callable(hook):
                raise SettingError(
                    name, f"must be a callable (verdict, notice) -> (status, headers, body), got {hook!r}"
                )
        checker: object = options.get("checker")
        if checker is not None and not isinstance(checker, Checker):
            raise SettingError("checker", f"must be a browsercheck.Checker or None, got {checker!r}")
        if not isinstance(preview, bool) and not callable(preview):
            raise SettingError("preview", f"must be True, False or a callable from the request, got {preview!r}")
        for name in ("allow_continue", "notify_unupgradable", "client_hints", "critical_hints"):
            flag: object = options.get(name, True)
            if not isinstance(flag, bool):
                raise SettingError(name, f"must be True or False, got {flag!r}")
        self.checker = checker if isinstance(checker, Checker) else Checker(policy)
        self.mode = mode
        self.site = options.get("site")
        self.locale = options.get("locale")
        self.exclude = exclude
        self.insert = insert
        self.block_status = block_status
        self.allow_continue = options.get("allow_continue", True)
        self.block_response = options.get("block_response")
        self.dismiss_path = dismiss_path
        self.dismiss_cookie = dismiss_cookie
        self.dismiss_max_age = int(remind_after_days * 86400)
        self.continue_cookie = continue_cookie
        self.continue_max_age = int(continue_days * 86400)
        self.notice_path = notice_path
        self.script_path = notice_path + ".js"
        tag = script_tag(self, None)
        self.script_decisions = (
            Decision(None, "rewrite", script=tag, unjudged=True),
            Decision(None, "rewrite", script=tag, head=True, unjudged=True),
        )
        self.notify_unupgradable = options.get("notify_unupgradable", True)
        self.preview = preview
        self.notices: BoundedCache[tuple[Verdict, str | None, str, bool], Notice] = BoundedCache(
            1000, NOTICE_CACHE_BYTES, _notice_cost
        )
        # matched by whole segments: "/health" is "/health" and "/health/..." but not "/healthcare"
        prefixes = [p.rstrip("/") for p in exclude] if not callable(exclude) else []
        self._excluded_paths = frozenset(prefixes)
        self._excluded_dirs = tuple(p + "/" for p in prefixes)
        wanted = hints_to_request(self.checker.policy) if options.get("client_hints", False) else ()
        self.accept_ch = ", ".join(wanted) if wanted else None
        self.critical_ch = self.accept_ch if options.get("critical_hints", False) else None
        # the parsers built now, at the application's start: before a server that preloads the
        # application forks its workers, which then share them
        self.checker.build()

    def excluded(self, path: str) -> bool:
        if callable(self.exclude):
            return bool(self.exclude(path))
        return path in self._excluded_paths or path.startswith(self._excluded_dirs)


def decide(settings: Settings, request: RequestInfo, nonce: str | None = None, *, lazy: bool = False) -> Decision:
    """What to do with one request. Raises only on a bug: adapters catch and pass the request on.

    ``lazy``: where nothing but the application needs the verdict (annotate mode, script mode's
    pages, other methods than GET), leave it out (`Decision.unjudged`): the adapter judges on first use."""
    headers = request.headers
    path = request.path
    if path == settings.dismiss_path:
        verdict = None
        if settings.mode == "block" and not settings.allow_continue:  # who may continue is then judged
            verdict = settings.checker.check(headers.get("user-agent", ""), headers=headers)
        return Decision(verdict, "dismiss")
    if settings.mode == "script":
        if path == settings.script_path:
            return Decision(None, "script")
        if path == settings.notice_path:
            return Decision(None, "notice")
    if settings.excluded(path):
        return Decision(None, "pass")
    method = request.method
    if lazy and (settings.mode in ("annotate", "script") or method not in ("GET", "HEAD")):
        if settings.mode != "script" or method not in ("GET", "HEAD") or _exempt(request):
            return UNJUDGED_PASS
        if nonce is None:  # the same decision for every request: made once
            return settings.script_decisions[method == "HEAD"]
        return Decision(None, "rewrite", script=script_tag(settings, nonce), head=method == "HEAD", unjudged=True)
    verdict = settings.checker.check(headers.get("user-agent", ""), headers=headers)
    if settings.mode == "annotate" or method not in ("GET", "HEAD") or _exempt(request):
        return Decision(verdict, "pass")
    head = method == "HEAD"
    if settings.mode == "script":
        # the same tag for every browser and every request: nothing read, nothing to Vary on
        return Decision(verdict, "rewrite", script=script_tag(settings, nonce), head=head)
    if not _is_navigation(headers):
        # unchanged, but a navigation to the same page would not be: caches must tell them apart
        return Decision(verdict, "rewrite", vary=NAVIGATION_VARY)
    previewed = preview_of(settings, request, verdict)
    private = previewed is not verdict
    verdict = previewed
    blocked = settings.mode == "block" and verdict.status is Status.UNSUPPORTED
    may_dismiss = verdict.needs_notice and (settings.allow_continue or not blocked)
    vary = _vary(settings, cookie=may_dismiss)
    # the page, with the banner where one is due
    page = functools.partial(
        Decision,
        verdict,
        "rewrite",
        vary=vary,
        accept_ch=settings.accept_ch,
        head=head,
        private=private,
        navigation=True,
    )
    cookie = settings.continue_cookie if blocked else settings.dismiss_cookie
    if (
        not verdict.needs_notice
        or (may_dismiss and has_cookie(headers, cookie))
        or (not blocked and not settings.notify_unupgradable and not can_upgrade(verdict.client))
    ):
        return page()
    where = request.sent_path()  # ASCII: for the log too, a newline in it is "%0A"
    here = request.sent_url()
    if blocked:
        notice = _notice(settings, verdict, headers, "block", here, nonce)
        if notice is not None:
            logger.info(
                "browsercheck: blocked %s (%s) on %s", printable(verdict.client.label), verdict.status.value, where
            )
            return Decision(verdict, "block", block=_block(settings, verdict, notice, vary), vary=vary)
    notice = _notice(settings, verdict, headers, "banner", here, nonce)
    if notice is None:
        return page()
    if not head:
        logger.info(
            "browsercheck: notice for %s (%s) on %s", printable(verdict.client.label), verdict.status.value, where
        )
    return page(banner=notice.region, style=notice.style, where=where)


def _exempt(request: RequestInfo) -> bool:
    return request.exempt is not None and request.exempt()


def notice_for(
    settings: Settings, request: RequestInfo, verdict: Verdict, here: str, nonce: str | None = None
) -> Notice | None:
    """The notice this request should see on a page of its own making (template tags, the notice
    endpoint): ``None`` when there is none, it was dismissed, or no upgrade can be had and the site
    said to keep quiet. A preview, when allowed, shows what it asks for."""
    verdict = preview_of(settings, request, verdict)
    if (
        not verdict.needs_notice
        or has_cookie(request.headers, settings.dismiss_cookie)
        or (not settings.notify_unupgradable and not can_upgrade(verdict.client))
    ):
        return None
    return _notice(settings, verdict, request.headers, "banner", here, nonce)


def query_fields(text: str, most: int, **options: Any) -> dict[str, list[str]]:
    """``urllib.parse.parse_qs`` of the first ``most`` fields of ``text`` (a query string or a
    form's body), the rest ignored: what a client sends costs no more than ``most`` fields, and
    more is no error (``parse_qs``'s own ``max_num_fields`` raises ``ValueError``)."""
    return urllib.parse.parse_qs("&".join(text.split("&", most)[:most]), **options)


PREVIEW_PARAMETER = "browsercheck-preview"
_PREVIEWS = {"outdated": Status.OUTDATED, "unsupported": Status.UNSUPPORTED}


def preview_of(settings: Settings, request: RequestInfo, verdict: Verdict) -> Verdict:
    """``verdict``, or the status ``?browsercheck-preview=`` asks for where the site allows this
    request to preview (``preview=True`` or a callable that says yes); else the parameter is ignored."""
    if not settings.preview or PREVIEW_PARAMETER not in request.query:
        return verdict
    wanted = query_fields(request.query, 50).get(PREVIEW_PARAMETER, [""])[0]
    status = _PREVIEWS.get(wanted)
    if status is None or status is verdict.status:
        return verdict
    gate = settings.preview
    if gate is not True and not (callable(gate) and gate(request.native)):
        return verdict
    reason = f"a preview of the {status.value} notice (?{PREVIEW_PARAMETER}={status.value})"
    return dataclasses.replace(verdict, status=status, reasons=(*verdict.reasons, reason))


UNJUDGED_PASS = Decision(None, "pass", unjudged=True)


def script_page(settings: Settings, path: str, method: str) -> Decision | None:
    """Script mode's decision for a GET or HEAD of one of the site's pages, told from the path
    and the method alone, as `decide` would make it: the same tag for everyone, so no header is
    read and no `RequestInfo` built (every page takes this path: it is kept short). ``None``:
    `decide` looks closer (the endpoints, excluded paths, other methods). The caller asks
    whether the view is exempt (`UNJUDGED_PASS` then), and leaves pages with a nonce to `decide`."""
    if (
        (method != "GET" and method != "HEAD")
        or path == settings.dismiss_path
        or path == settings.script_path
        or path == settings.notice_path
        or settings.excluded(path)
    ):
        return None
    return settings.script_decisions[method == "HEAD"]


def script_tag(settings: Settings, nonce: str | None) -> str:
    """The tag script mode puts into every HTML page: the same for every browser."""
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce is not None else ""
    return f'<script src="{escape(settings.script_path)}" defer{nonce_attr}></script>'


def _notice_cost(key: tuple[Verdict, str | None, str, bool], notice: Notice) -> int:
    """What a cached notice holds, in bytes (the verdict is the checker's, counted there)."""
    size = sys.getsizeof
    return size(key[1]) + size(notice.region) + size(notice.style) + size(notice.text) + 1024


# Stand-ins for what differs from request to request, put into a cached notice: escape() keeps them.
NEXT_STAND_IN = _NEXT = "\x00browsercheck-next\x00"
_NONCE = "\x00browsercheck-nonce\x00"


def _notice(
    settings: Settings,
    verdict: Verdict,
    headers: Mapping[str, str],
    kind: Literal["banner", "block"],
    here: str,
    nonce: str | None,
) -> Notice | None:
    """The notice for this request: built once per verdict, language and kind, then only the page
    to return to and the CSP nonce filled in (building it costs a hundred microseconds)."""
    accept_language = None if settings.locale else headers.get("accept-language")
    if accept_language is not None:
        accept_language = accept_language[:MAX_ACCEPT_LANGUAGE]  # negotiation reads no further
    key = (verdict, accept_language, kind, nonce is not None)
    cached = settings.notices.get(key)
    if cached is None:
        cached = build_notice(
            verdict,
            locale=settings.locale,
            accept_language=accept_language,
            site=settings.site,
            dismiss_url=_dismiss_url(settings, kind),
            dismiss_next=_NEXT,
            nonce=_NONCE if nonce is not None else None,
            heading_level=1 if kind == "block" else 2,
            dismiss_message="continue" if kind == "block" else "dismiss",
        )
        if cached is None:
            return None
        settings.notices.put(key, cached)
    if nonce is None and here is _NEXT:  # the caller fills in the page itself (the notice endpoint)
        return cached
    style = cached.style if nonce is None else cached.style.replace(_NONCE, escape(nonce))
    return dataclasses.replace(cached, style=style, region=cached.region.replace(_NEXT, escape(here)))


def _dismiss_url(settings: Settings, kind: Literal["banner", "block"]) -> str | None:
    if kind == "banner":
        return settings.dismiss_path
    return settings.dismiss_path + "?continue" if settings.allow_continue else None


def _is_navigation(headers: Mapping[str, str]) -> bool:
    """A top-level page load: ``Sec-Fetch-Dest: document`` where sent, else an Accept of HTML."""
    dest = headers.get("sec-fetch-dest")
    if dest is not None:
        return dest == "document"
    return "text/html" in headers.get("accept", "")


NAVIGATION_VARY = ("Accept", "Sec-Fetch-Dest")
"""What tells a page load from any other request (`_is_navigation`)."""
HINTS_VARY = tuple(DISPLAY_NAMES[h] for h in HINT_HEADERS)


def _vary(settings: Settings, *, cookie: bool) -> tuple[str, ...]:
    """Every request header the decision read: whether it was there or not can change the page.
    The hints: all of them, since a hint one request lacks may come with the next one (after
    Accept-CH); the dismissal cookie only where a notice could be dismissed (``cookie``)."""
    vary = ["User-Agent"]
    if settings.locale is None:
        vary.append("Accept-Language")
    if cookie:
        vary.append("Cookie")
    return (*vary, *NAVIGATION_VARY, *HINTS_VARY)


def has_cookie(headers: Mapping[str, str], cookie: str) -> bool:
    value = headers.get("cookie")
    if not value or cookie not in value:
        return False
    return any(part.strip().split("=", 1)[0] == cookie for part in value.split(";"))


def _block(
    settings: Settings, verdict: Verdict, notice: Notice, vary: tuple[str, ...]
) -> tuple[int, list[tuple[str, str]], bytes]:
    if settings.block_response is not None:
        status, headers, body = settings.block_response(verdict, notice)
    else:
        title = escape(notice.title)
        body = (
            f'<!DOCTYPE html>\n<html lang="{escape(notice.locale)}" dir="{notice.direction}">\n<head>\n'
            '<meta charset="utf-8">\n<meta name="robots" content="noindex">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n{notice.style}</head>\n<body>\n<main>\n{notice.region}</main>\n</body>\n</html>\n"
        ).encode()
        status = settings.block_status
        headers = [("Content-Type", "text/html; charset=utf-8")]
    headers = [
        *headers,
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Robots-Tag", "noindex"),
        ("Vary", ", ".join(vary)),
    ]
    return status, headers, body


# -- dismissal ---------------------------------------------------------------------------------------------


def dismiss_response(
    settings: Settings, request: RequestInfo, body: bytes, verdict: Verdict | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """The dismiss form's answer: a cookie and a redirect back, to a path on this site only.

    With ``allow_continue=False`` a browser that block mode blocks (``verdict``) gets no cookie:
    a policy, not a secret, since anyone can change their User-Agent; but what the site says."""
    if request.method != "POST":
        return _plain(405, "405 use POST here.\n", [("Allow", "POST")])
    if (
        verdict is not None
        and settings.mode == "block"
        and not settings.allow_continue
        and verdict.status is Status.UNSUPPORTED
    ):
        return _plain(403, "403 this browser cannot continue to this site.\n", [("Cache-Control", "no-store")])
    # Read as Latin-1: each byte of the posted value stays one character, and is percent-encoded
    # back as the same byte (a non-ASCII Location header is not HTTP).
    form = query_fields(body[:MAX_DISMISS_BODY].decode("latin-1"), 10, encoding="latin-1")
    target = safe_redirect(form.get("next", ["/"])[0])
    if "continue" in query_fields(request.query, 10, keep_blank_values=True):
        name, max_age = settings.continue_cookie, settings.continue_max_age  # "continue anyway" on a block page
    else:
        name, max_age = settings.dismiss_cookie, settings.dismiss_max_age  # "hide this message" on a notice
    cookie = f"{name}=1; Max-Age={max_age}; Path=/; SameSite=Lax; HttpOnly"
    if request.scheme == "https":
        cookie += "; Secure"
    headers = [
        ("Location", quote_url(target, PATH_SAFE + "%?#[]")),
        ("Set-Cookie", cookie),
        ("Cache-Control", "no-store"),
        ("Content-Length", "0"),
    ]
    return 303, headers, b""


def _plain(status: int, text: str, headers: list[tuple[str, str]]) -> tuple[int, list[tuple[str, str]], bytes]:
    body = text.encode()
    return status, [*headers, ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))], body


def safe_redirect(target: str) -> str:
    """``target`` if it is a path on this site, else ``/``: no open redirect."""
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(c) < 0x20 or c in "\\\x7f" for c in target)
        or urllib.parse.urlsplit(target).netloc
    ):
        return "/"
    return target


# Kept as they are in a path: RFC 3986 pchar and "/" (quote() keeps letters, digits and "_.-~").
PATH_SAFE = "/!$&'()*+,;=:@"


def quote_url(text: str, safe: str) -> str:
    """``text`` with every byte outside ``safe`` percent-encoded: ASCII, fit for a header or a link.
    Text read as Latin-1 (WSGI's strings, raw bytes) is encoded byte for byte, other text as UTF-8."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    return urllib.parse.quote(raw, safe=safe)


def printable(text: str, limit: int = 300) -> str:
    """``text`` fit for one log line: control characters escaped (``\\n``, ``\\x1b``), cut at ``limit``."""
    if len(text) > limit:
        text = text[:limit] + "..."
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


RENDERED = "browsercheck.rendered"
"""Set (in the WSGI environ, the ASGI state, Django's META) when the page's own template put the
notice in: the middleware then inserts no second one."""
UNJUDGED = "browsercheck.unjudged"
"""Set where the verdict was not needed and so not made (script mode's pages): ``None`` is then
not an excluded path's."""
SETTINGS = "browsercheck.settings"
"""Where the WSGI and ASGI middleware publish their `Settings`, for template helpers."""

READ_HEADERS = ("user-agent", "accept", "accept-language", "sec-fetch-dest", "cookie", *HINT_HEADERS, "if-none-match")
