"""What an optional language model may propose for a synthesis, and how werkkring checks it before using any
of it. Pure: the HTTP call lives in ``werkkring.clients.chat``; this module builds the messages and merges a
proposal into a draft.

Guard rails: the model sees only the contribution texts (numbered) and the question, never names, groups or
profile fields; its answer must be JSON of :data:`PROPOSAL_SCHEMA`, or nothing of it is used; it proposes
which contributions form a theme, a label and a summary line per theme, quotes and off-topic lines, but every
count (size, groups, support) is computed here from the assignments; a quote that is not verbatim one of its
theme's own contributions is dropped; the host's board wins over the model (placed cards, named themes,
cards set aside or put back); a group's key contribution is never set aside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from werkkring.engines.synthesis._types import Board, Contribution, HostTheme, SetAside, Synthesis, Theme

MAX_MODEL_CONTRIBUTIONS = 400
MAX_MODEL_THEMES = 20
MAX_LABEL = 120
MAX_SUMMARY = 400
MAX_QUOTES = 5
_MODEL_KEY = "\x00model-"

PROPOSAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["themes"],
    "additionalProperties": False,
    "properties": {
        "themes": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_MODEL_THEMES,
            "items": {
                "type": "object",
                "required": ["label", "summary", "contributions"],
                "additionalProperties": False,
                "properties": {
                    "label": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL},
                    "summary": {"type": "string", "maxLength": MAX_SUMMARY},
                    "contributions": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                    "quotes": {"type": "array", "maxItems": MAX_QUOTES, "items": {"type": "string"}},
                },
            },
        },
        "off_topic": {"type": "array", "items": {"type": "integer", "minimum": 1}},
    },
}


class ProposalError(ValueError):
    """The model's answer is not a usable proposal; the message says why (shown to the host)."""


@dataclass(frozen=True)
class ProposedTheme:
    label: str
    summary: str
    contributions: tuple[int, ...]  # 1-based numbers as sent
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    themes: tuple[ProposedTheme, ...]
    off_topic: tuple[int, ...]


_LANGUAGE_NAMES = {"nl": "Dutch", "en": "English", "mixed": "Dutch"}


def numbered(contributions: Sequence[Contribution]) -> list[int]:
    """The input positions of the contributions sent to the model, numbered 1.. in this order."""
    return [i for i, c in enumerate(contributions) if c.text.strip()]


def model_messages(
    contributions: Sequence[Contribution], draft: Synthesis, question: str | None
) -> list[dict[str, str]]:
    """The chat messages: the task and the schema, then the question and the numbered texts, with the
    offline draft's grouping as a starting point. Only the texts and the question leave werkkring."""
    positions = numbered(contributions)
    number_of = {p: n + 1 for n, p in enumerate(positions)}
    language = _LANGUAGE_NAMES[draft.language]
    system = (
        "You help the host of a work session turn what the breakout groups wrote into a few themes. "
        "Group the numbered contributions by what they mean, not by shared words. Leave out contributions "
        "that do not answer the question (logistics, remarks about the evening, complaints about something "
        "else) and list their numbers under off_topic. For every theme give a short label (a phrase of 2 to "
        "6 words that says what the theme is about), a summary line of one sentence, and up to three quotes "
        "copied exactly, character for character, from that theme's own contributions. Write labels and "
        f"summary lines in {language}, the language of the contributions. Answer with one JSON object only, "
        "following this JSON Schema: " + json.dumps(PROPOSAL_SCHEMA, separators=(",", ":"))
    )
    lines = []
    if question:
        lines.append(f"Question: {question.strip()}")
        lines.append("")
    lines.append("Contributions:")
    lines += [f"{n + 1}. {' '.join(contributions[p].text.split())}" for n, p in enumerate(positions)]
    if draft.themes:
        lines.append("")
        lines.append("A first draft grouped them like this (improve it where it is wrong):")
        for theme in draft.themes:
            numbers = sorted(number_of[m] for m in theme.members if m in number_of)
            if numbers:
                lines.append(f"- {', '.join(map(str, numbers))}")
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_proposal(text: str, count: int) -> Proposal:
    """The model's answer as a :class:`Proposal`, checked against :data:`PROPOSAL_SCHEMA` and against the
    ``count`` contributions sent (numbers 1..count, each in at most one theme)."""
    if not isinstance(text, str) or not text.strip():
        raise ProposalError("the language model gave an empty answer")
    fenced = _FENCE.match(text)
    try:
        data = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError as error:
        raise ProposalError(f"the language model's answer is not JSON ({error.msg})") from None
    _check(data, PROPOSAL_SCHEMA, "answer")
    seen: set[int] = set()
    themes = []
    for index, item in enumerate(data["themes"]):
        numbers = tuple(item["contributions"])
        for number in numbers:
            if number > count:
                raise ProposalError(f"theme {index + 1} names contribution {number}; there are only {count}")
            if number in seen:
                raise ProposalError(f"contribution {number} is in more than one theme")
            seen.add(number)
        themes.append(
            ProposedTheme(
                " ".join(item["label"].split()),
                " ".join(item.get("summary", "").split()),
                numbers,
                tuple(item.get("quotes", ())),
            )
        )
    off = tuple(data.get("off_topic", ()))
    for number in off:
        if number > count:
            raise ProposalError(f"off_topic names contribution {number}; there are only {count}")
        if number in seen:
            raise ProposalError(f"contribution {number} is both in a theme and off_topic")
    return Proposal(tuple(themes), off)


def _check(value: Any, schema: dict[str, Any], where: str) -> None:
    """The subset of JSON Schema that :data:`PROPOSAL_SCHEMA` uses, strictly."""
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            raise ProposalError(f"{where} must be an object")
        for name in schema.get("required", ()):
            if name not in value:
                raise ProposalError(f"{where} lacks {name!r}")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name not in properties:
                raise ProposalError(f"{where} has an unexpected field {name!r}")
            _check(item, properties[name], f"{where}.{name}")
    elif kind == "array":
        if not isinstance(value, list):
            raise ProposalError(f"{where} must be a list")
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            raise ProposalError(f"{where} has {len(value)} items")
        for position, item in enumerate(value):
            _check(item, schema["items"], f"{where}[{position}]")
    elif kind == "string":
        if not isinstance(value, str):
            raise ProposalError(f"{where} must be text")
        if len(value.strip()) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 10**9):
            raise ProposalError(f"{where} is empty or too long")
    elif kind == "integer" and (
        not isinstance(value, int) or isinstance(value, bool) or value < schema.get("minimum", value)
    ):
        raise ProposalError(f"{where} must be a whole number of at least {schema.get('minimum', 0)}")


def proposal_board(contributions: Sequence[Contribution], proposal: Proposal, board: Board) -> Board:
    """The host's board with the model's themes after the host's own: the model places only cards the host
    left, and sets aside only cards nobody protected (placed, put back on topic, or a group's key card)."""
    positions = numbered(contributions)
    placed = {c for t in board.themes for c in t.cards}
    protected = placed | set(board.on_topic) | set(board.set_aside)
    protected |= {i for i, c in enumerate(contributions) if c.key}
    model_themes = []
    for index, theme in enumerate(proposal.themes):
        cards = tuple(positions[n - 1] for n in theme.contributions if positions[n - 1] not in protected)
        model_themes.append(HostTheme(f"{_MODEL_KEY}{index}", cards, theme.label, theme.summary or None))
    off = tuple(positions[n - 1] for n in proposal.off_topic if positions[n - 1] not in protected)
    return Board(
        themes=(*board.themes, *model_themes),
        set_aside=(*board.set_aside, *off),
        on_topic=board.on_topic,
    )


def merge_proposal(
    contributions: Sequence[Contribution], proposal: Proposal, result: Synthesis, board: Board
) -> Synthesis:
    """The synthesis run on :func:`proposal_board`, with the model's parts marked as the model's: its
    labels and summaries (``"model"`` sources), its quotes where they are verbatim contributions of their
    own theme (the others dropped, and said so), its off-topic lines with that reason."""
    host_aside = set(board.set_aside)
    notes: list[str] = []
    used: set[str] = set()
    themes: list[Theme] = []
    dropped = 0
    for theme in result.themes:
        if theme.key is None or not theme.key.startswith(_MODEL_KEY):
            themes.append(theme)
            continue
        proposed = proposal.themes[int(theme.key[len(_MODEL_KEY) :])]
        own = {" ".join(contributions[m].text.split()): contributions[m].text.strip() for m in theme.members}
        quotes = []
        for quote in proposed.quotes:
            verbatim = own.get(" ".join(quote.split()))
            if verbatim is None or verbatim == theme.summary or verbatim in quotes:
                dropped += verbatim is None
                continue
            quotes.append(verbatim)
        used.add("labels")
        changes: dict[str, Any] = {"key": None, "label_source": "model"}
        if proposed.summary:
            changes["summary_source"] = "model"
            used.add("summaries")
        if quotes:
            changes["quotes"] = tuple(quotes[:3])
            used.add("quotes")
        if theme.size:
            used.add("assignments")
        themes.append(replace(theme, **changes))
    if dropped:
        notes.append(
            f"{dropped} quote(s) from the language model dropped: not verbatim a contribution of their theme"
        )
    set_aside = []
    for item in result.set_aside:
        if item.reason == "host" and item.index not in host_aside:
            item = SetAside(
                item.index, "off_topic", "the language model found it does not answer the question"
            )
            used.add("off_topic")
        set_aside.append(item)
    order = ("assignments", "labels", "summaries", "quotes", "off_topic")
    return replace(
        result,
        themes=tuple(themes),
        set_aside=tuple(set_aside),
        from_model=tuple(part for part in order if part in used),
        model_notes=(*result.model_notes, *notes),
    )
