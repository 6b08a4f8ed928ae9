"""Visitors told apart by a stable hash of their address: SipHash-1-3 under a fixed key.

A visitor is an address with a User-Agent; tallies keep the hash of the address instead of the
address. The hash must be the same in every process, on every machine and Python version, in the
C counter (`_speedups.siphash`) and here alike: tallies counted apart (forked workers, Dask
workers on other machines, another day's run) merge by the union of these hashes, and Python's own
``hash()`` is salted per interpreter, so that two interpreters' tallies would count one visitor
twice. SipHash-1-3 is what CPython itself uses for ``hash(bytes)``; the key is fixed and public:
the hash needs to be stable, not secret (it samples visitors, it protects nothing).

`VISITOR_HASH` names the function; tallies carry it and refuse to merge with another.
"""

from __future__ import annotations

from functools import lru_cache

VISITOR_HASH = "siphash13:browsercheck-1"
KEY = b"browsercheck\x00v1\x00"
"""16 bytes. Changing it changes every visitor's hash: change `VISITOR_HASH` with it."""

_MASK = (1 << 64) - 1


def _sip_rounds(v0: int, v1: int, v2: int, v3: int, n: int) -> tuple[int, int, int, int]:
    m = _MASK
    for _ in range(n):
        v0 = (v0 + v1) & m
        v1 = (((v1 << 13) | (v1 >> 51)) & m) ^ v0
        v0 = ((v0 << 32) | (v0 >> 32)) & m
        v2 = (v2 + v3) & m
        v3 = (((v3 << 16) | (v3 >> 48)) & m) ^ v2
        v0 = (v0 + v3) & m
        v3 = (((v3 << 21) | (v3 >> 43)) & m) ^ v0
        v2 = (v2 + v1) & m
        v1 = (((v1 << 17) | (v1 >> 47)) & m) ^ v2
        v2 = ((v2 << 32) | (v2 >> 32)) & m
    return v0, v1, v2, v3


def siphash(key: bytes, data: bytes, c_rounds: int = 1, d_rounds: int = 3) -> int:
    """SipHash-c-d of ``data`` under the 16-byte ``key``, as in Aumasson and Bernstein's paper
    (SipHash-2-4 with ``c_rounds=2, d_rounds=4``): an unsigned 64-bit number."""
    if len(key) != 16:
        raise ValueError(f"siphash: the key must be 16 bytes, got {len(key)}")
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:], "little")
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    n = len(data)
    whole = n - n % 8
    words = [int.from_bytes(data[i : i + 8], "little") for i in range(0, whole, 8)]
    words.append(int.from_bytes(data[whole:], "little") | ((n & 0xFF) << 56))  # the tail and the length
    for word in words:
        v3 ^= word
        v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, c_rounds)
        v0 ^= word
    v2 ^= 0xFF
    v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, d_rounds)
    return v0 ^ v1 ^ v2 ^ v3


@lru_cache(maxsize=1 << 16)  # a visitor's address recurs line after line
def visitor_hash(address: bytes) -> int:
    """The address's stable hash (`VISITOR_HASH`): what the C counter computes for it."""
    return siphash(KEY, address)
