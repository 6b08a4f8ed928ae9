"""The clock evergreen policies read: one place, so that tests can pin the day for everything."""

from __future__ import annotations

import time

now = time.time
"""Seconds since 1970 (UTC); replaced in tests, never in production."""
