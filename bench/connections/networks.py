"""Labelled networks for the connections benchmarks, built from the public sets in ../shared/data.

Each member has one need (a text with label L) and three offers, texts of labels other than L (so nobody can
help themselves). A suggestion is right when one of the suggested member's offers carries the need's label.
Texts are drawn without replacement after a seeded shuffle (the seed is the draw) from the set's pool (at most
5,000 texts); nothing is tuned per set.
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


POOL = 5000
"""Texts a set contributes to its networks: the first POOL rows after one fixed shuffle. Every draw takes its
members from this pool (so the embeddings of all draws are computed once: about 35,000 texts in all)."""


def text_pool(name: str) -> list[tuple[str, str]]:
    rows = load(name)
    if len(rows) > POOL:
        random.Random(12345).shuffle(rows)
        rows = rows[:POOL]
    return rows


def build_network(name: str, max_members: int = 1000, offers: int = 3, seed: int = 0) -> Network:
    rows = text_pool(name)
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


# Parallel sets: row i of one is the translation of row i of the other (same label).
PARALLEL: tuple[tuple[str, str], ...] = (
    ("xsid-nld", "xsid-eng"),
    ("xsid-eng", "xsid-nld"),
    ("sib200-nld", "sib200-eng"),
    ("sib200-eng", "sib200-nld"),
)


def build_cross_network(
    need_set: str,
    offer_set: str,
    max_members: int = 1000,
    offers: int = 3,
    seed: int = 0,
    *,
    reuse_offers: bool = False,
) -> Network:
    """Needs in one language, offers in the other, from two parallel sets: the rows are shuffled once, the
    first n give the needs (in ``need_set``'s language), the rest the offers (in ``offer_set``'s), so no
    member is offered the translation of their own need.

    ``reuse_offers``: a set too small for ``max_members`` members with ``offers`` texts each of their own
    (xsid: 634 rows, so 158 members) still gives ``max_members`` needs as long as at least as many rows are
    left for the offers, which then go round more than once (two members may offer the same text)."""
    need_rows, offer_rows = load(need_set), load(offer_set)
    if len(need_rows) != len(offer_rows) or any(
        a[1] != b[1] for a, b in zip(need_rows, offer_rows, strict=True)
    ):
        raise ValueError(f"{need_set} and {offer_set} are not parallel")
    order = list(range(len(need_rows)))
    random.Random(seed).shuffle(order)
    n = min(max_members, len(order) // (2 if reuse_offers else offers + 1))
    pool = [offer_rows[i] for i in order[n:]]
    profiles, need_label, offer_labels = [], [], []
    cursor = 0
    for m, i in enumerate(order[:n]):
        text, label = need_rows[i]
        chosen: list[tuple[str, str]] = []
        while len(chosen) < offers:
            offer = pool[cursor % len(pool)]
            cursor += 1
            if offer[1] != label:
                chosen.append(offer)
        profiles.append(MemberProfile(id=f"m{m}", needs=(text,), offers=tuple(t for t, _ in chosen)))
        need_label.append(label)
        offer_labels.append(tuple(lab for _, lab in chosen))
    return Network(f"{need_set} → {offer_set}", profiles, need_label, offer_labels)
