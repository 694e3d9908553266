"""The errors werkkring raises on purpose. Each names what is wrong and where (file, line, field).

A message is an English template with named parameters (``"session %(session)s is full"`` with
``{"session": 12}``), marked with :func:`N_` so the catalog extraction finds it. ``str(error)`` and
:attr:`Problem.message` give the English text with the parameters filled in (the CLI and the JSON API show
that); the web pages translate the template into the reader's language first and fill in the parameters after
(:meth:`Problem.render`). A parameter that is itself a word of the interface (a field's display name, see
:mod:`werkkring.limits`) is a :class:`Term` and is translated along with the template.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Translate = Callable[[str], str]
"""Turns an English template into the reader's language (gettext); ``None`` keeps it English."""


def N_(message: str) -> str:
    """Marks a message for the catalog where it is translated later (gettext_noop)."""
    return message


class Term(str):
    """A word of the interface used as a message parameter (``Term(N_("Title"))``): translated with the
    template, where other parameters (values the person typed, numbers) are shown as they are."""

    __slots__ = ()


def fill(template: str, params: Mapping[str, Any] | None, translate: Translate | None = None) -> str:
    """The template in the reader's language, the named parameters filled in (``%(name)s`` or ``%(name)r``).

    Without parameters the template is returned as it is, so a plain message may contain a literal ``%``."""
    text = translate(template) if translate is not None else template
    if not params:
        return text
    if translate is not None:
        params = {k: translate(v) if isinstance(v, Term) else v for k, v in params.items()}
    try:
        return text % params
    except (KeyError, ValueError, TypeError):  # a broken translation must not hide the error itself
        return template % params


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: what, and where (source file, 1-based line, field, 1-based column).

    ``template`` is the English message, possibly with ``%(name)s`` placeholders filled from ``params``.
    ``field`` names the field or the file's named column; ``column`` is the character position in the line
    where there is one (a byte that is not UTF-8, a JSON syntax error)."""

    template: str
    source: str | None = None
    line: int | None = None
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)
    column: int | None = None

    @property
    def message(self) -> str:
        """The English message with the parameters filled in."""
        return fill(self.template, self.params)

    def render(self, translate: Translate | None = None) -> str:
        """The message in the reader's language (``translate`` is gettext for it), parameters filled in."""
        return fill(self.template, self.params, translate)

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"column {self.field!r}")
        if self.column is not None:
            where.append(f"character {self.column}" if self.field else f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class WerkkringError(Exception):
    """Base of every error werkkring raises on purpose; the CLI turns it into a message and exit status 2.

    Like a :class:`Problem` it keeps its English template and parameters apart, so a page can translate it."""

    def __init__(self, template: str = "", params: Mapping[str, Any] | None = None) -> None:
        self.template = template
        self.params: Mapping[str, Any] = dict(params or {})
        super().__init__(fill(template, self.params))

    def render(self, translate: Translate | None = None) -> str:
        """The message in the reader's language (``translate`` is gettext for it), parameters filled in."""
        return fill(self.template, self.params, translate)


class InputError(WerkkringError):
    """Bad input: carries every problem found, not just the first, so a user can fix them all at once."""

    def __init__(
        self,
        problems: Sequence[Problem] | str,
        *,
        source: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, source=source, params=dict(params or {}))]
        self.problems: tuple[Problem, ...] = tuple(problems)
        Exception.__init__(self, "\n".join(str(p) for p in self.problems))
        self.template = str(self)
        self.params = {}

    def render(self, translate: Translate | None = None) -> str:
        """Each problem's message in the reader's language, one a line (no CLI-style file/line/column)."""
        return "\n".join(p.render(translate) for p in self.problems)


class ConstraintError(WerkkringError):
    """Constraints that cannot all hold (e.g. a keep-together set larger than a group)."""


class NotFoundError(WerkkringError):
    """A record that was asked for does not exist."""


class PermissionDenied(WerkkringError):
    """The acting member may not do this."""


class ConflictError(WerkkringError):
    """Someone else changed the same thing a moment earlier (two hosts forming groups, Send pressed twice):
    nothing was changed by this request; the person looks at the new state and decides again. HTTP 409."""
