"""``browsercheck data update``: the newest npm releases of the data packages, into the user's cache.

Each tarball is checked against the registry's ``integrity`` hash (SHA-512) before it is read, the
converted data is checked as any data is loaded, and the file is replaced atomically: a failure at
any step leaves the data in use as it was.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import urllib.parse
import urllib.request
from typing import Any

from ._browserdata import BASELINE, CACHE_FILE, CANIUSE, DataError, browser_data, cache_dir, parse, reload
from ._dataconvert import ConversionError, build, dumps
from ._errors import BrowsercheckError

TIMEOUT = 30
MAX_DOWNLOAD = 32 * 1024 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class UpdateError(BrowsercheckError):
    """Browser data that could not be fetched, checked or stored; the data in use stays."""


def update(registry: str) -> str:
    """Download, check, convert and store; returns what was stored, for the user."""
    found = {package: _latest(registry, package) for package in (BASELINE, CANIUSE)}
    tarballs = {package: _tarball(meta) for package, meta in found.items()}
    try:
        data = build(
            tarballs[BASELINE],
            tarballs[CANIUSE],
            baseline_date=found[BASELINE]["date"],
            caniuse_date=found[CANIUSE]["date"],
            firefox_esr=browser_data().firefox_esr,  # browserslist keeps it in its code: not updated here
        )
        text = dumps(data)
        try:
            folder = cache_dir()
        except OSError as e:
            raise UpdateError(str(e)) from None
        parse(text, str(folder / CACHE_FILE))
    except (ConversionError, DataError) as e:
        raise UpdateError(str(e)) from None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp") as f:
            f.write(text)
        os.replace(f.name, folder / CACHE_FILE)
    except OSError as e:
        raise UpdateError(f"cannot store the data in {folder}: {e.strerror or e}") from None
    reload()
    stored = ", ".join(f"{p} {m['version']} ({m['date']})" for p, m in found.items())
    return f"stored {stored} in {folder / CACHE_FILE}"


def _latest(registry: str, package: str) -> dict[str, Any]:
    url = registry.rstrip("/") + "/" + urllib.parse.quote(package, safe="@")
    try:
        meta = json.loads(_get(url, "application/json"))
        version = meta["dist-tags"]["latest"]
        dist = meta["versions"][version]["dist"]
        return {
            "version": str(version),
            "date": str(meta["time"][version])[:10],
            "tarball": str(dist["tarball"]),
            "integrity": str(dist["integrity"]),
        }
    except (ValueError, KeyError, TypeError) as e:
        raise UpdateError(f"{url}: not an npm package document ({type(e).__name__}: {e})") from None


def _tarball(meta: dict[str, Any]) -> bytes:
    data = _get(meta["tarball"], "application/octet-stream")
    algorithm, _, expected = meta["integrity"].partition("-")
    if algorithm != "sha512":
        raise UpdateError(f"{meta['tarball']}: unsupported integrity hash {meta['integrity'][:20]!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise UpdateError(
            f"{meta['tarball']}: integrity check failed (expected sha512-{expected}, got sha512-{actual})"
        )
    return data


def _get(url: str, accept: str) -> bytes:
    parts = urllib.parse.urlsplit(url)
    # HTTPS, except to this machine (a registry mirror or the tests' server)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise UpdateError(f"refusing {url}: the registry must be reached over HTTPS")
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "browsercheck data update"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body: bytes = response.read(MAX_DOWNLOAD + 1)
    except OSError as e:
        raise UpdateError(f"cannot fetch {url}: {e}") from None
    if len(body) > MAX_DOWNLOAD:
        raise UpdateError(f"{url}: larger than {MAX_DOWNLOAD:,} bytes")
    return body
