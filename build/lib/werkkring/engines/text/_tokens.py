"""Normalisation and tokenisation for short Dutch and English texts."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)?", re.UNICODE)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def normalize(text: str) -> str:
    """NFKC-normalise, unify apostrophes and lower-case; keeps diacritics (Dutch lemmas need them)."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()


def tokenize(text: str) -> list[str]:
    """Words and numbers of ``text``, normalised; hyphenated words stay whole ("win-win-win")."""
    return _WORD.findall(normalize(text))
