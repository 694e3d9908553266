"""Dictionary lemmatisation with simplemma (offline, no model download), cached per word."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import simplemma

from werkkring.engines.text._language import Language

_LANGS: dict[str, tuple[str, ...]] = {"nl": ("nl",), "en": ("en",), "mixed": ("nl", "en")}


@lru_cache(maxsize=200_000)
def _lemma(token: str, langs: tuple[str, ...]) -> str:
    if not token.isalpha():
        return token
    lang: str | tuple[str, ...] = langs[0] if len(langs) == 1 else langs
    return str(simplemma.lemmatize(token, lang=lang)).casefold()


def lemmatize(token: str, language: Language = "nl") -> str:
    """The dictionary form of one normalised token; unknown words come back unchanged."""
    return _lemma(token, _LANGS[language])


def lemmatize_tokens(tokens: Sequence[str], language: Language = "nl") -> list[str]:
    langs = _LANGS[language]
    return [_lemma(token, langs) for token in tokens]
