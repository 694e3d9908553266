"""Small pure rules of the domain shared by every layer: who sees a member's fields, age and tenure bands,
countries, the wall clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

TIMEZONE: Final = "Europe/Amsterdam"
"""Stored times are wall-clock times here (a session at 19:30 is 19:30 local time, summer or winter)."""

# ---------------------------------------------------------------- who sees a member's fields

VISIBILITIES: Final = ("network", "circles", "private")
"""How far a member shows one of their fields: to the whole network, to people in their circles, to nobody."""


@dataclass(frozen=True)
class MemberField:
    """One field of a member's record, and where it takes part. The one table below is read by the
    actions (what a member may change), the file formats (the import and export columns, in this order),
    the profile form (how a value is read) and the visibility rule (which fields a member shows or hides)."""

    name: str
    kind: Literal["text", "list", "whole", "flag", "code", "date", "derived"]
    """How a value is typed: a line, a list of lines, a whole number, yes/no, a code from a fixed set (a
    country, a language, a role), a date, or derived from another field (never typed)."""
    editable: bool = False
    """The member changes it on their profile (an admin too)."""
    in_file: bool = False
    """A column of the member file (``werkkring members import`` / ``export``)."""
    private: bool = False
    """Its owner chooses who sees it (network, circles, only me); the others are always seen."""
    clearable: bool = True
    """A member may leave it empty; a required field left empty on the profile form keeps what it was."""


MEMBER_FIELDS: Final = (
    MemberField("name", "text", editable=True, in_file=True, clearable=False),
    MemberField("email", "text", in_file=True, private=True),
    MemberField("region", "text", editable=True, in_file=True, private=True),
    MemberField("country", "code", editable=True, in_file=True, private=True, clearable=False),
    MemberField("birth_year", "whole", editable=True, in_file=True),
    MemberField("age_band", "derived", private=True),
    MemberField("joined_on", "date", in_file=True, private=True),
    MemberField("offers", "list", editable=True, in_file=True, private=True),
    MemberField("needs", "list", editable=True, in_file=True, private=True),
    MemberField("interests", "list", editable=True, in_file=True, private=True),
    MemberField("street", "text", editable=True, in_file=True),
    MemberField("postal_code", "text", editable=True, in_file=True),
    MemberField("city", "text", editable=True, in_file=True),
    MemberField("postal_consent", "flag", editable=True, in_file=True),
    MemberField("circles", "list", in_file=True),
    MemberField("role", "code", in_file=True),
    MemberField("language", "code", editable=True, in_file=True, clearable=False),
    MemberField("visibility", "list", in_file=True),
    MemberField("intro_opt_in", "flag", editable=True),
    MemberField("intro_frequency", "whole", editable=True, clearable=False),
    MemberField("listener", "flag", editable=True),
    MemberField("newsletter", "flag", editable=True),
)
MEMBER_FIELD: Final = {f.name: f for f in MEMBER_FIELDS}

PRIVATE_FIELDS: Final = tuple(f.name for f in MEMBER_FIELDS if f.private)
"""The fields whose visibility a member chooses; name and circles are always visible to the network."""
EDITABLE_FIELDS: Final = tuple(f.name for f in MEMBER_FIELDS if f.editable)
"""The fields a member changes on their profile."""
FILE_COLUMNS: Final = tuple(f.name for f in MEMBER_FIELDS if f.in_file)
"""The columns of the member file, in the order an export writes them."""

NOT_SHARED: Final = "not shared"
"""What a count shows (a report, the host's group mix) for a value its owner does not show its reader."""


class Audience(StrEnum):
    """Who looks at a member's field, as seen from that member."""

    SELF = "self"
    """The member themself."""
    CIRCLE = "circle"
    """Someone who shares a circle with them."""
    NETWORK = "network"
    """Anyone else in the network. Also what a report, a newsletter or an index fitted for everyone counts."""


SEEN_BY: Final[Mapping[Audience, frozenset[str]]] = {
    Audience.SELF: frozenset(VISIBILITIES),
    Audience.CIRCLE: frozenset(("network", "circles")),
    Audience.NETWORK: frozenset(("network",)),
}
"""The visibility rule, written once: the levels each audience sees. ``queries.members`` builds its SQL twin
(a search matches only what the viewer may see) from this same table."""


def audience(viewer_id: int | None, member_id: int, *, shares_circle: bool) -> Audience:
    """How the viewer stands to the member: themself, a circle mate, or anyone in the network (also when
    there is no particular viewer)."""
    if viewer_id is not None and viewer_id == member_id:
        return Audience.SELF
    return Audience.CIRCLE if shares_circle else Audience.NETWORK


def level_of(visibility: Mapping[str, object] | None, field: str) -> str:
    """A member's visibility of ``field``: "network" when they never chose; an unknown stored level counts as
    "private", so a broken value never shows more."""
    value = (visibility or {}).get(field, "network")
    return value if isinstance(value, str) and value in VISIBILITIES else "private"


def shown(visibility: Mapping[str, object] | None, field: str, to: Audience) -> bool:
    """Whether a member with these visibility choices shows ``field`` to this audience."""
    return level_of(visibility, field) in SEEN_BY[to]


# ---------------------------------------------------------------- a room's mix, as its readers may see it

HOME_COUNTRY: Final = "NL"


@dataclass(frozen=True)
class MixKeys:
    """How one person counts in a room's mix (a report's tallies, the host's group mix): tenure band, age
    band, and where from — a region at home, a country abroad — each :data:`NOT_SHARED` where the person does
    not show that field to the reader."""

    tenure: str
    age: str
    place: str
    abroad: bool


def mix_keys(
    *,
    joined_on: dt.date,
    age_band: str | None,
    region: str | None,
    country: str,
    visibility: Mapping[str, object] | None,
    day: dt.date,
    to: Audience,
) -> MixKeys:
    """One person's keys in a mix counted on ``day`` for this audience."""
    tenure = tenure_band(joined_on, day) if shown(visibility, "joined_on", to) else NOT_SHARED
    age = age_band if age_band and shown(visibility, "age_band", to) else NOT_SHARED
    if country != HOME_COUNTRY and shown(visibility, "country", to):
        return MixKeys(tenure, age, country, abroad=True)
    place = region if region and shown(visibility, "region", to) else NOT_SHARED
    return MixKeys(tenure, age, place, abroad=False)


# ---------------------------------------------------------------- bands and countries

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
