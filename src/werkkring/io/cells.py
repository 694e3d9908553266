"""Cells that a spreadsheet opens: neutralised against formulas on the way out, read back exactly.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection: ``=HYPERLINK(...)`` in a name becomes a link that leaks data).
Every CSV werkkring writes for people to open (member exports, postal lists) passes its cells through
:func:`safe_cell`, which puts an apostrophe in front, as a spreadsheet shows text; :func:`read_cell` takes it
off again when werkkring reads such a file back, so an export imports unchanged.
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The value with an apostrophe in front when a spreadsheet would run it as a formula (also when it
    already starts with apostrophes before such a character, so that :func:`read_cell` is exact)."""
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def read_cell(value: str) -> str:
    """The value :func:`safe_cell` was given: one apostrophe less before a formula character."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value
