"""What the middleware adds to a request, beside the bare application, in one run.

    python benchmarks/bench_middleware.py

A minimal WSGI and ASGI application answers a small HTML page; each is called directly (no server,
so only the application and the middleware are timed) bare, and behind browsercheck in annotate,
banner and script mode, for a repeated (cached) User-Agent: a current browser (no banner: the Vary
header is appended) and an outdated one (the notice is built and inserted). Script mode twice: its
pages (the same tag for everyone) and its notice endpoint (JSON for this browser), each beside the
bare application answering the page.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

from browsercheck.asgi import BrowserCheckMiddleware as ASGIMiddleware
from browsercheck.wsgi import BrowserCheckMiddleware as WSGIMiddleware

PAGE = b"<!DOCTYPE html><html><head><title>t</title></head><body><h1>Hello</h1></body></html>"
CURRENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)
OUTDATED = CURRENT.replace("157.0.0.0", "124.0.0.0")


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))])
    return [PAGE]


async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(PAGE)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": PAGE})


def time_wsgi(app: Callable[..., Iterable[bytes]], ua: str, n: int, path: str = "/", query: str = "") -> float:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.url_scheme": "https",
        "HTTP_USER_AGENT": ua,
        "HTTP_ACCEPT": "text/html",
        "HTTP_SEC_FETCH_DEST": "document",
        "HTTP_ACCEPT_LANGUAGE": "sv-SE,sv;q=0.9,en;q=0.8",
    }

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return None

    def once() -> None:
        body = app(dict(environ), start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close:
            close()

    return best_of(once, n)


def time_asgi(app: Any, ua: str, n: int, path: str = "/", query: str = "") -> float:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "scheme": "https",
        "headers": [
            (b"user-agent", ua.encode()),
            (b"accept", b"text/html"),
            (b"sec-fetch-dest", b"document"),
            (b"accept-language", b"sv-SE,sv;q=0.9,en;q=0.8"),
        ],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        return None

    async def many() -> float:
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(n):
                await app(dict(scope), receive, send)
            best = min(best, (time.perf_counter() - start) / n)
        return best

    return asyncio.run(many())


def best_of(once: Callable[[], None], n: int) -> float:
    once()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            once()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def main() -> int:
    n = 20_000
    print("per request, best of 5 runs of", f"{n:,}", "requests (us); added = over the bare app\n")
    for name, bare_app, middleware, timer in [
        ("WSGI", wsgi_app, WSGIMiddleware, time_wsgi),
        ("ASGI", asgi_app, ASGIMiddleware, time_asgi),
    ]:
        bare = timer(bare_app, CURRENT, n)
        print(f"  {name} bare application{'':33} {bare * 1e6:8.2f}")
        for mode in ("annotate", "banner", "script"):
            app = middleware(bare_app, mode=mode, site="haninge.se")
            for label, ua in (("current browser", CURRENT), ("outdated browser", OUTDATED)):
                t = timer(app, ua, n if label == "current browser" else n // 4)
                print(f"  {name} {mode:8} {label:17} {'':21} {t * 1e6:8.2f}   added {(t - bare) * 1e6:7.2f}")
        app = middleware(bare_app, mode="script", site="haninge.se")
        for label, ua in (("current browser", CURRENT), ("outdated browser", OUTDATED)):
            t = timer(app, ua, n // 4, "/.browsercheck/notice", "next=%2F")
            print(f"  {name} notice endpoint, {label:17} {'':12} {t * 1e6:8.2f}   added {(t - bare) * 1e6:7.2f}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
