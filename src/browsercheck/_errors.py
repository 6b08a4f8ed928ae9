"""Exceptions: one base class, a policy error that carries every problem found, and the audit's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class BrowsercheckError(Exception):
    """Base of every error browsercheck raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file."""

    file: str
    line: int | None
    """1-based line number; ``None`` when the problem has no place (an unreadable file)."""
    field: str
    """Dotted path of the field: ``"browsers.chrome"``; ``""`` for the document itself."""
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PolicyError(BrowsercheckError, ValueError):
    """A policy that cannot be used. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("PolicyError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in policy {self.problems[0].file}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file


class LogFormatError(BrowsercheckError, ValueError):
    """A log format that cannot be used; the message says why and what would work."""


class LogReadError(BrowsercheckError, OSError):
    """A log that cannot be read (missing, unreadable, corrupt compressed data); the message names it."""


class AuditWorkerError(BrowsercheckError, RuntimeError):
    """An audit's worker process failed (a bug) or was killed (out of memory): the counts would be
    incomplete, so the audit stops."""


class CountsTableError(BrowsercheckError, ValueError):
    """A table of counts per User-Agent (``audit --counts``) that cannot be used: a column missing,
    a count that is not a whole number; the message names the file, the row and the value."""


class MissingExtraError(BrowsercheckError, ImportError):
    """An optional feature whose packages are not installed; the message says what to install."""


class ClusterError(BrowsercheckError, ConnectionError):
    """A Dask scheduler that cannot be reached or used; the message names its address."""
