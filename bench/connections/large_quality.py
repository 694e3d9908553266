"""Quality of the large-network shortcuts of the lexical fit: P@5 on one labelled network above the sizes
where the text space samples its LSA axes and takes its smoothing neighbours from an HNSW graph.

    python bench/connections/large_quality.py [--sets banking77,clinc150,...] [--members 1250] [--out FILE.md]

The network merges the networks of several shared sets (networks.build_network, draw 0, ``--members`` each;
labels kept apart per set, so a member can only be relevant to someone from the same set): with the default
five sets about 6,250 members and 25,000 texts, so both shortcuts are in play. Quality.py's networks are at
most 1,250 members (5,000 texts), below both thresholds, so its figures do not see them at all.

Variants, all ``match_members``'s scoring on one network (lexical backend, top 10):
*exact* = SVD on all texts, all-pairs neighbours (main before HNSW); *HNSW neighbours* = SVD on all texts,
neighbours from hnswlib above 10,000 texts (what main shipped); *as shipped* = this branch's defaults (SVD on
a sample of 12,000 texts, HNSW neighbours); TF-IDF cosine as the floor. One thread.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime as dt
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from networks import Network, build_network
from quality import K, metrics, tfidf_cosine

from werkkring.engines.connections import MemberMatches
from werkkring.engines.connections._matching import _Texts, match_fitted
from werkkring.engines.connections._similarity import Similarity
from werkkring.engines.connections._space import SpaceSettings

SETS = "banking77,clinc150,stackoverflow,searchsnippets,biomedical"


def merged(names: list[str], members: int) -> Network:
    profiles, need_label, offer_labels = [], [], []
    for name in names:
        net = build_network(name, members, seed=0)
        for p, need, offers in zip(net.profiles, net.need_label, net.offer_labels, strict=True):
            profiles.append(replace(p, id=f"{name}:{p.id}"))
            need_label.append(f"{name}:{need}")
            offer_labels.append(tuple(f"{name}:{o}" for o in offers))
    return Network("+".join(names), profiles, need_label, offer_labels)


def lexical(network: Network, space: SpaceSettings) -> tuple[list[MemberMatches], float]:
    started = time.perf_counter()
    texts = _Texts.of(network.profiles)
    similarity = Similarity(texts.texts, texts.roles, "lexical", space_settings=space)
    fit = time.perf_counter() - started
    results = match_fitted(network.profiles, texts, similarity, K, None, 0.25, 1.0)
    return results, fit


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default=SETS)
    parser.add_argument("--members", type=int, default=1250)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--skip-exact", action="store_true", help="leave out the exact variant (overlap then against main's)"
    )
    args = parser.parse_args()
    at = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    network = merged(args.sets.split(","), args.members)
    texts = sum(len(p.needs) + len(p.offers) for p in network.profiles)
    index = {p.id: i for i, p in enumerate(network.profiles)}
    shipped = SpaceSettings()
    variants = {
        "exact (SVD on all texts, all-pairs neighbours)": replace(
            shipped, lsa_sample=10**9, exact_neighbours_up_to=10**9
        ),
        "HNSW neighbours, SVD on all texts (main)": replace(shipped, lsa_sample=10**9),
        f"as shipped (SVD on a sample of {shipped.lsa_sample:,}, HNSW neighbours)": shipped,
    }
    if args.skip_exact:
        del variants[next(iter(variants))]
    p5, rr = metrics(network, tfidf_cosine(network))
    rows = [f"| TF-IDF cosine | {p5:.3f} | {rr:.3f} | – | – |"]
    print(rows[0], flush=True)
    reference: list[set[str]] | None = None
    for label, space in variants.items():
        results, fit = lexical(network, space)
        ranking = [[index[m.id] for m in r.matches] for r in results]
        p5, rr = metrics(network, ranking)
        tops = [{m.id for m in r.matches[:5]} for r in results]
        if reference is None:
            reference = tops
        overlap = np.mean([len(a & b) / max(1, len(a)) for a, b in zip(tops, reference, strict=True)])
        rows.append(f"| {label} | {p5:.3f} | {rr:.3f} | {overlap:.3f} | {fit:.0f} |")
        print(rows[-1], flush=True)
    command = "python bench/connections/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    lines = [
        f"Command: `{command}`. Date: {at:%Y-%m-%d %H:%M} UTC, commit {commit}; load average {load:.1f} "
        f"at the start, {os.getloadavg()[0]:.1f} at the end. Network: {len(network.profiles):,} members, "
        f"{texts:,} texts ({network.name}).",
        "",
        f"| variant | P@5 | MRR | top-5 overlap with {'main' if args.skip_exact else 'exact'} | fit (s) |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
