"""The synthesis engine's inputs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from werkkring.engines.text import Language

Backend = Literal["lexical", "embedding", "hybrid"]
Source = Literal["draft", "host", "group", "model"]
"""Where a label or summary line comes from: the offline draft (from the contributions' own words, to be
accepted by the host), the host, a breakout group's own summary (harvest), or the optional language model."""
AsideReason = Literal["host", "off_topic", "alone"]


@dataclass(frozen=True)
class Contribution:
    """One thing a participant (or a breakout group) wrote down.

    ``key``: the breakout group marked it as one of its key contributions (group harvest); the draft weighs
    it more for labels, summary lines and quotes, and never sets it aside on its own."""

    text: str
    group: str | None = None
    author: str | None = None
    key: bool = False


@dataclass(frozen=True)
class Vote:
    """One participant's vote for one contribution (by its position in the input)."""

    contribution: int
    voter: str
    group: str | None = None


@dataclass(frozen=True)
class GroupSummary:
    """A breakout group's own one-line summary of its input (group harvest). Never a card: it is the first
    candidate for the summary line of the theme it belongs to."""

    group: str
    text: str


@dataclass(frozen=True)
class HostTheme:
    """A theme on the host's board: the cards the host placed in it (input positions) and, when the host
    wrote them, its label and summary line. A re-run keeps all of it; it only adds cards the host left."""

    key: str
    cards: tuple[int, ...] = ()
    label: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class Board:
    """What the host decided: themes with placed cards, cards set aside, and cards put back on topic (the
    engine never sets those aside again)."""

    themes: tuple[HostTheme, ...] = ()
    set_aside: tuple[int, ...] = ()
    on_topic: tuple[int, ...] = ()


@dataclass(frozen=True)
class SetAside:
    """A contribution with no theme, and why. ``reason``: ``host`` (the host set it aside), ``off_topic``
    (does not seem to answer the question: unlike every other contribution and the question itself),
    ``alone`` (fits no theme: a theme of one). Set-aside contributions are never quoted."""

    index: int
    reason: AsideReason
    detail: str
    score: float = 0.0


@dataclass(frozen=True)
class Theme:
    """A theme found in the contributions.

    ``size`` counts every contribution of the theme; ``distinct`` counts them once more with near-duplicates
    merged (the same point made twice counts once). ``summary`` and ``quotes`` are contributions' own text,
    verbatim, or the host's, or a group's own summary line (``summary_source``). ``members`` are the input
    positions of its contributions; ``groups`` the groups they came from ("came up in N of M groups", M =
    ``Synthesis.groups``). ``support`` counts distinct voters over its contributions and ``support_groups``
    their groups. ``key`` is the host's theme key when the theme is on the host's board.
    """

    id: int
    label: str
    summary: str
    size: int
    distinct: int
    groups: tuple[str, ...]
    quotes: tuple[str, ...]
    keywords: tuple[str, ...] = field(default=())
    members: tuple[int, ...] = ()
    label_source: Source = "draft"
    summary_source: Source = "draft"
    support: int = 0
    support_groups: tuple[str, ...] = ()
    key: str | None = None


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
    """Themes, the theme of every contribution (``None``: skipped or set aside), and the undercurrent.

    ``assignments`` has one entry per input contribution, in input order. ``skipped`` counts the empty or
    whitespace-only contributions (their assignment is ``None``); ``outliers`` counts the contributions set
    aside, each in ``set_aside`` with its reason. ``overview`` groups the themes into a handful of families
    when there are more than a dozen themes (empty otherwise). ``groups`` are all breakout groups that wrote
    anything; ``from_model`` names the parts a language model proposed (empty for the offline draft) and
    ``model_notes`` what of its proposal was dropped, or why none of it was used.
    """

    themes: tuple[Theme, ...]
    assignments: tuple[int | None, ...]
    undercurrent: int | None
    language: Language
    skipped: int
    outliers: int
    backend: Backend = "lexical"
    overview: tuple[Overview, ...] = ()
    set_aside: tuple[SetAside, ...] = ()
    groups: tuple[str, ...] = ()
    question: str | None = None
    from_model: tuple[str, ...] = ()
    model_notes: tuple[str, ...] = ()
