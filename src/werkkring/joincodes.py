"""Join codes of work sessions: short, read aloud and typed on a phone without doubt (``WIN-4821``).

Three letters, then four digits, from alphabets without look-alikes: no I, L, O, Q (1, 0), no B, S, Z
(8, 5, 2), no U and V, and no 0 or 1: 17^3 x 8^4 = 20 million codes. Letters and digits never share a
position, so a typed ``S`` among the digits is read as ``5`` and a ``0`` as an ``O`` among the letters would
be (the letters have no O). A code is drawn at random when a session is stored
(:mod:`werkkring.store.models` retries on the rare collision), so codes say nothing about each other. What a
person types is read leniently: case, spaces and a missing or different dash do not matter."""

from __future__ import annotations

import re
import secrets
from typing import Final

LETTERS: Final = "ACDEFGHJKMNPRTWXY"
DIGITS: Final = "23456789"
LENGTH: Final = 8  # with the dash
_AS_DIGIT: Final = str.maketrans({"S": "5", "Z": "2", "B": "8"})
_SHAPE: Final = re.compile(rf"([{LETTERS}]{{3}})([{DIGITS}]{{4}})")


def new_code() -> str:
    """A fresh random code such as ``WAN-4739``."""
    letters = "".join(secrets.choice(LETTERS) for _ in range(3))
    digits = "".join(secrets.choice(DIGITS) for _ in range(4))
    return f"{letters}-{digits}"


def normalise(text: str) -> str | None:
    """The code in its stored form (``WIN-4821``), or None when ``text`` cannot be a join code at all."""
    if len(text) > 40:
        return None
    cleaned = re.sub(r"[\s\-_.–—]", "", text).upper()
    if len(cleaned) == 7:
        cleaned = cleaned[:3] + cleaned[3:].translate(_AS_DIGIT)
    match = _SHAPE.fullmatch(cleaned)
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2)}"
