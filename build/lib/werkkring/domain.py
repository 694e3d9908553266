"""Small pure rules of the domain shared by every layer: age and tenure bands, countries, the wall clock."""

from __future__ import annotations

import datetime as dt
from typing import Final

TIMEZONE: Final = "Europe/Amsterdam"
"""Stored times are wall-clock times here (a session at 19:30 is 19:30 local time, summer or winter)."""

AGE_BANDS: Final = ("<20", "20-29", "30-39", "40-49", "50-59", "60-69", "70+")
TENURE_BANDS: Final = ("newcomer", "settling", "old hand")

# Countries the network has members in; any ISO 3166 alpha-2 code is accepted, these have display names.
COUNTRY_NAMES: Final = {
    "NL": ("Nederland", "the Netherlands"),
    "BE": ("België", "Belgium"),
    "CH": ("Zwitserland", "Switzerland"),
    "DE": ("Duitsland", "Germany"),
    "FR": ("Frankrijk", "France"),
    "GB": ("Verenigd Koninkrijk", "United Kingdom"),
    "ES": ("Spanje", "Spain"),
    "PT": ("Portugal", "Portugal"),
    "LU": ("Luxemburg", "Luxembourg"),
    "AT": ("Oostenrijk", "Austria"),
}


def age_band(birth_year: int | None, today: dt.date | None = None) -> str | None:
    if birth_year is None:
        return None
    age = (today or dt.date.today()).year - birth_year
    if age < 20:
        return "<20"
    if age >= 70:
        return "70+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def tenure_band(joined_on: dt.date, today: dt.date | None = None) -> str:
    """Newcomer in the first year, old hand from three years on."""
    years = ((today or dt.date.today()) - joined_on).days / 365.25
    if years < 1:
        return "newcomer"
    if years < 3:
        return "settling"
    return "old hand"


def country_name(code: str, language: str = "nl") -> str:
    names = COUNTRY_NAMES.get(code.upper())
    if names is None:
        return code.upper()
    return names[0] if language == "nl" else names[1]
