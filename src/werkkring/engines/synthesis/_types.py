"""The synthesis engine's inputs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from werkkring.engines.text import Language

Backend = Literal["lexical", "embedding"]


@dataclass(frozen=True)
class Contribution:
    """One thing a participant (or a breakout group) wrote down."""

    text: str
    group: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Theme:
    """A theme found in the contributions.

    ``size`` counts every contribution of the theme; ``distinct`` counts them once more with near-duplicates
    merged (the same point made twice counts once). ``summary`` and ``quotes`` are contributions' own text,
    verbatim: nothing is invented.
    """

    id: int
    label: str
    summary: str
    size: int
    distinct: int
    groups: tuple[str, ...]
    quotes: tuple[str, ...]
    keywords: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Overview:
    """A family of related themes: for inputs with more themes than a reader takes in at once (a citizens'
    summit, a consultation), the handful of headings above them. ``themes`` are the ids of its themes,
    largest first; ``summary`` is the contribution most central to the whole family, verbatim."""

    id: int
    label: str
    summary: str
    size: int
    themes: tuple[int, ...]
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Synthesis:
    """Themes, the theme of every contribution (``None``: skipped or an outlier), and the undercurrent.

    ``assignments`` has one entry per input contribution, in input order. ``skipped`` counts the empty or
    whitespace-only contributions (their assignment is ``None``); ``outliers`` counts contributions that fit
    no theme. ``overview`` groups the themes into a handful of families when there are more than a dozen
    themes (empty otherwise).
    """

    themes: tuple[Theme, ...]
    assignments: tuple[int | None, ...]
    undercurrent: int | None
    language: Language
    skipped: int
    outliers: int
    backend: Backend = "lexical"
    overview: tuple[Overview, ...] = ()
