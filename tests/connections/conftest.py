from __future__ import annotations

import pytest

from werkkring.engines.connections import MemberProfile

NETWORK = [
    (
        "anna",
        "hulp bij het bouwen van mijn website",
        ["coaching van ondernemers", "loopbaancoaching"],
        "utrecht",
    ),
    ("bram", "coaching voor mijn team", ["websites bouwen en webdesign", "wordpress"], "utrecht"),
    (
        "cato",
        "iemand die mijn boekhouding en belastingaangifte doet",
        ["fotografie van portretten"],
        "zwolle",
    ),
    (
        "daan",
        "een fotograaf voor portretten van ons team",
        ["boekhouding en belastingaangifte voor zzp"],
        "zwolle",
    ),
    ("eva", "subsidie aanvragen voor een cultureel project", ["vertalingen engels nederlands"], "delft"),
    (
        "floor",
        "vertaling van mijn website naar het engels",
        ["subsidieaanvragen schrijven voor cultuur"],
        "delft",
    ),
    ("gijs", "advies over duurzame energie in mijn pand", ["juridisch advies over contracten"], None),
    (
        "hanna",
        "een jurist die mijn contracten nakijkt",
        ["advies over zonnepanelen en duurzame energie"],
        None,
    ),
]


@pytest.fixture
def profiles() -> list[MemberProfile]:
    return [
        MemberProfile(id=i, needs=(need,), offers=tuple(offers), circle=circle)
        for i, need, offers, circle in NETWORK
    ]
