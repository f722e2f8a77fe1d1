"""One error family and one table of exit codes. The core raises; only the CLI exits."""

from __future__ import annotations

from collections import namedtuple
from enum import IntEnum


class Exit(IntEnum):
    """Exit statuses, as grep uses them."""

    OK = 0  # every query found
    NOT_ALL_FOUND = 1  # at least one query was not `found` (all records still printed)
    USAGE = 2  # bad invocation or bad dataset: one clear line per problem on stderr
    INTERRUPTED = 130  # Ctrl-C


class Problem(namedtuple("Problem", "file line message")):
    """One problem in a dataset file (file: str, line: int, message: str), printed as
    FILE:LINE: message."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class JurError(Exception):
    """Base of every error jur reports to a user (never a bug)."""

    exit_code: Exit = Exit.USAGE

    def lines(self) -> list[str]:
        """What the CLI prints on stderr, one line each."""
        return [f"jur: {self}"]


class UsageError(JurError):
    """The invocation is wrong: an unknown name, a bad option value."""


class DataError(JurError):
    """The dataset does not load or does not validate; it is never used for answers."""

    def __init__(self, problems: list[Problem]) -> None:
        # In the order found (units.yaml before streets.yaml), each once, by line within a file.
        seen = list(dict.fromkeys(problems))
        order = {f: i for i, f in enumerate(dict.fromkeys(p.file for p in seen))}
        self.problems = sorted(seen, key=lambda p: (order[p.file], p.line))
        super().__init__(str(self.problems[0]) if self.problems else "invalid dataset")

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]  # FILE:LINE: message, as they are
