"""Labelled networks for the connections benchmarks, built from the public sets in ../shared/data.

Each member has one need (a text with label L) and three offers, texts of labels other than L (so nobody can
help themselves). A suggestion is right when one of the suggested member's offers carries the need's label.
Texts are drawn without replacement after a seeded shuffle; nothing is tuned per set.
"""

from __future__ import annotations

import csv
import os
import random
from dataclasses import dataclass
from pathlib import Path

from werkkring.engines.connections import MemberProfile

ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    return Path(os.environ.get("WERKKRING_DATA", ROOT / ".." / "shared" / "data")).resolve()


def data_sets() -> list[str]:
    return sorted(p.parent.name for p in data_dir().glob("*/data.tsv"))


def load(name: str) -> list[tuple[str, str]]:
    with (data_dir() / name / "data.tsv").open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle, delimiter="\t")]


@dataclass(frozen=True)
class Network:
    name: str
    profiles: list[MemberProfile]
    need_label: list[str]
    offer_labels: list[tuple[str, ...]]

    def relevant(self, asker: int, other: int) -> bool:
        return self.need_label[asker] in self.offer_labels[other]


def build_network(name: str, max_members: int = 1000, offers: int = 3, seed: int = 0) -> Network:
    rows = load(name)
    rng = random.Random(seed)
    rng.shuffle(rows)
    n = min(max_members, len(rows) // (offers + 1))
    needs, pool = rows[:n], rows[n:]
    profiles, need_label, offer_labels = [], [], []
    cursor = 0
    for i, (text, label) in enumerate(needs):
        chosen: list[tuple[str, str]] = []
        while len(chosen) < offers:
            offer = pool[cursor % len(pool)]
            cursor += 1
            if offer[1] != label:
                chosen.append(offer)
        profiles.append(MemberProfile(id=f"m{i}", needs=(text,), offers=tuple(t for t, _ in chosen)))
        need_label.append(label)
        offer_labels.append(tuple(lab for _, lab in chosen))
    return Network(name, profiles, need_label, offer_labels)
