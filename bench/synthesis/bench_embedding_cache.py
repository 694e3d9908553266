"""Benchmark texts embedded once, kept on disk outside the repo (``$WERKKRING_BENCH_CACHE`` or
``~/.cache/werkkring-bench``): the 2 cores here are shared, and every variant and rerun embeds the same
texts.

The embedder is the engines' offline default (``werkkring.engines.embedding.default_embedder``) wrapped in
its own ``CachedEmbedder``; this file only adds a cache that lives in a file (an ``EmbeddingCache``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatVector = npt.NDArray[np.float32]


def cache_folder() -> Path:
    folder = Path(os.environ.get("WERKKRING_BENCH_CACHE", Path.home() / ".cache" / "werkkring-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class FileCache:
    """One ``.npz`` file per space (model and kind), read at the first lookup, written after each store."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._spaces: dict[str, dict[str, FloatVector]] = {}

    def _path(self, space: str) -> Path:
        return self.folder / (hashlib.sha256(space.encode()).hexdigest()[:16] + ".npz")

    def _load(self, space: str) -> dict[str, FloatVector]:
        if space not in self._spaces:
            path = self._path(space)
            items: dict[str, FloatVector] = {}
            if path.exists():
                with np.load(path) as data:
                    items = {k: np.asarray(data[k], dtype=np.float32) for k in data.files}
            self._spaces[space] = items
        return self._spaces[space]

    def lookup(self, space: str, hashes: Sequence[str]) -> Mapping[str, FloatVector]:
        items = self._load(space)
        return {h: items[h] for h in hashes if h in items}

    def store(self, space: str, vectors: Mapping[str, FloatVector]) -> None:
        items = self._load(space)
        items.update(vectors)
        path = self._path(space)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **items)  # type: ignore[arg-type]
        tmp.replace(path)
        (self.folder / "spaces.json").write_text(json.dumps(sorted(self._spaces)), encoding="utf-8")


def cached_default_embedder() -> Any:
    from werkkring.engines.embedding import CachedEmbedder, default_embedder

    return CachedEmbedder(default_embedder(), FileCache(cache_folder()))
