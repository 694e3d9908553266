"""A digest of every suggestion (member, score, reason) on quality networks, to show that two versions of the
engine give the same answers: run it on both and compare the lines.

    python bench/connections/digest.py [--sets xsid-nld,sib200-eng] [--backend lexical]
    PYTHONPATH=/path/to/other/checkout/src python bench/connections/digest.py ...   # the other version
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from networks import build_network

import werkkring
from werkkring.engines.connections import match_members


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="xsid-nld,sib200-eng")
    parser.add_argument("--members", type=int, default=1250)
    parser.add_argument("--backend", default="lexical")
    args = parser.parse_args()
    print(f"engine: {Path(werkkring.__file__).parent}")
    for name in args.sets.split(","):
        network = build_network(name, args.members, seed=0)
        results = match_members(network.profiles, top=10, backend=args.backend)  # type: ignore[arg-type]
        text = repr([(r.id, [(m.id, m.score, m.why) for m in r.matches]) for r in results])
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        print(f"{name}: {len(network.profiles)} members, digest {digest}")


if __name__ == "__main__":
    main()
