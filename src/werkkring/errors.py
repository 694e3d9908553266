"""The errors werkkring raises on purpose. Each names what is wrong and where (file, line, field)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class WerkkringError(Exception):
    """Base of every error werkkring raises on purpose; the CLI turns it into a message and exit status 2."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: what, and where (source file, 1-based line, field or column)."""

    message: str
    source: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"column {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InputError(WerkkringError):
    """Bad input: carries every problem found, not just the first, so a user can fix them all at once."""

    def __init__(self, problems: Sequence[Problem] | str, *, source: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, source=source)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConstraintError(WerkkringError):
    """Constraints that cannot all hold (e.g. a keep-together set larger than a group)."""


class NotFoundError(WerkkringError):
    """A record that was asked for does not exist."""


class PermissionDenied(WerkkringError):
    """The acting member may not do this."""
