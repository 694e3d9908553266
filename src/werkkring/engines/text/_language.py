"""Which language a set of short texts is in: Dutch, English or a mix, from stop-word evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from werkkring.engines.text._stopwords import DUTCH, ENGLISH
from werkkring.engines.text._tokens import tokenize

Language = Literal["nl", "en", "mixed"]

# Words that are function words in both languages tell nothing, and neither do Dutch function words that are
# also common English words ("best", "met", "net", "die", "door", "van" in names): in English keyword-style
# texts (headlines, search snippets, tweets) they made English look Dutch.
_AMBIGUOUS = frozenset(
    str.split(
        """
    best met net men even later door die ben hem hen word op ding deed ga mag erg elk ok oh u na nu ca bv dan
    van al als kan ja dat er te 'n 't
    """
    )
)
_ONLY_DUTCH = DUTCH - ENGLISH - _AMBIGUOUS
_ONLY_ENGLISH = ENGLISH - DUTCH


def _votes(text: str) -> tuple[int, int]:
    tokens = tokenize(text)
    return (
        sum(token in _ONLY_DUTCH for token in tokens),
        sum(token in _ONLY_ENGLISH for token in tokens),
    )


def language_of(text: str) -> Literal["nl", "en"] | None:
    """The language of one text by its function words, or None when it shows none (or as many of each)."""
    nl, en = _votes(text)
    return "nl" if nl > en else "en" if en > nl else None


def detect_language(texts: Iterable[str], mixed_share: float = 0.2) -> Language:
    """Dutch or English by majority of texts; "mixed" when the minority language holds at least
    ``mixed_share`` of the texts that show a language at all. With no evidence, Dutch (our users' default)."""
    dutch = english = 0
    for text in texts:
        nl, en = _votes(text)
        if nl > en:
            dutch += 1
        elif en > nl:
            english += 1
    decided = dutch + english
    if decided == 0:
        return "nl"
    if min(dutch, english) / decided >= mixed_share:
        return "mixed"
    return "nl" if dutch >= english else "en"
