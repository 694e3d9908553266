"""Embed a text once: a cache interface keyed by (model space, text hash), an in-memory cache, and an
embedder that asks its cache before its model and encodes only the texts it has never seen, in batches.

The engines know only the interface; the database cache (one table, so every process and every run shares
what was embedded) is ``werkkring.store.embedding_cache.DatabaseEmbeddingCache``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from werkkring.engines.embedding._protocol import (
    Embedder,
    FloatMatrix,
    Kind,
    cache_space,
    check_texts,
    text_hash,
    unit_rows,
)
from werkkring.errors import InputError

FloatVector = npt.NDArray[np.float32]


class EmbeddingCache(Protocol):
    """Stored vectors by ``space`` (see :func:`cache_space`) and text hash (see :func:`text_hash`).

    ``lookup`` returns the vectors it holds (missing hashes are simply absent); ``store`` keeps new ones.
    Both take many at once, because a database answers a thousand keys as fast as one. A cache may forget
    (it is never the only copy of anything: a vector can always be computed again from its text)."""

    def lookup(self, space: str, hashes: Sequence[str]) -> Mapping[str, FloatVector]: ...

    def store(self, space: str, vectors: Mapping[str, FloatVector]) -> None: ...


class MemoryCache:
    """An in-process cache of at most ``capacity`` vectors, least recently used first out; thread-safe.

    384 float32 a vector: 100,000 vectors are about 150 MB."""

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 1:
            raise InputError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, str], FloatVector] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def lookup(self, space: str, hashes: Sequence[str]) -> dict[str, FloatVector]:
        found: dict[str, FloatVector] = {}
        with self._lock:
            for h in hashes:
                vector = self._items.get((space, h))
                if vector is not None:
                    self._items.move_to_end((space, h))
                    found[h] = vector
        return found

    def store(self, space: str, vectors: Mapping[str, FloatVector]) -> None:
        with self._lock:
            for h, vector in vectors.items():
                self._items[(space, h)] = vector
                self._items.move_to_end((space, h))
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


class CachedEmbedder:
    """An :class:`Embedder` that looks in ``cache`` first and sends only unseen texts to ``embedder``,
    ``batch_size`` at a time (each distinct text once, however often it occurs in the call).

    It has the wrapped embedder's ``model_id`` and ``dimension``, so it can stand wherever an embedder does.
    ``encoded`` counts the texts actually sent to the model (for tests and benchmarks)."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, *, batch_size: int = 256) -> None:
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}")
        self.embedder = embedder
        self.cache = cache
        self.batch_size = batch_size
        self.encoded = 0

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    @property
    def asymmetric(self) -> bool:
        return self.embedder.asymmetric

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        items = check_texts(texts, kind)
        dimension = self.embedder.dimension
        out = np.zeros((len(items), dimension), dtype=np.float32)
        if not items:
            return out
        space = cache_space(self.embedder, kind)
        positions: dict[str, list[int]] = {}
        first_text: dict[str, str] = {}
        for position, text in enumerate(items):
            h = text_hash(text)
            positions.setdefault(h, []).append(position)
            first_text.setdefault(h, text)
        hashes = list(positions)
        found = dict(self.cache.lookup(space, hashes))
        for h, vector in list(found.items()):
            if vector.shape != (dimension,):  # another model under the same name: recompute
                del found[h]
        missing = [h for h in hashes if h not in found]
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = unit_rows(
                self.embedder.encode([first_text[h] for h in batch], kind=kind), len(batch), dimension
            )
            fresh = {h: vectors[row] for row, h in enumerate(batch)}
            self.cache.store(space, fresh)
            found.update(fresh)
            self.encoded += len(batch)
        for h, where in positions.items():
            out[where] = found[h]
        return out
