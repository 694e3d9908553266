"""A short title suggested for a longer text (a proposal that becomes an initiative): its first sentence,
cut at a word boundary, never mid-word; the person confirms or rewrites it."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")


def short_title(text: str, limit: int = 60) -> str:
    """The first sentence of ``text`` in at most ``limit`` characters, without a trailing full stop."""
    first = _SENTENCE.split(text.strip(), maxsplit=1)[0].strip() if text.strip() else ""
    first = re.sub(r"\s+", " ", first)
    if len(first) > limit:
        cut = first[: limit + 1]
        space = cut.rfind(" ")
        first = cut[:space] if space > limit // 3 else first[:limit]
    first = first.rstrip(" .,;:-–—")
    return first[:1].upper() + first[1:]
