"""What every text embedder offers, and the checks that keep its output usable by the engines."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from werkkring.errors import InputError

FloatMatrix = npt.NDArray[np.float32]
Kind = Literal["query", "passage"]
"""What a text is for. E5-style models are trained with a prefix: ``query`` for a short question or for
texts compared with each other (symmetric tasks), ``passage`` for the documents a query should find.
Models that do not distinguish them give the same vector for both."""

KINDS: tuple[Kind, ...] = ("query", "passage")


@runtime_checkable
class Embedder(Protocol):
    """Texts in, one unit-length float32 row per text out.

    ``model_id`` names the model and its settings exactly (two embedders with the same id give the same
    vector for the same text), so caches and fitted indexes key on it; ``dimension`` is the row length.
    ``asymmetric`` says whether ``kind`` changes the vector (then caches keep the two apart).
    """

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def asymmetric(self) -> bool: ...

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        """An ``(len(texts), dimension)`` float32 matrix with L2-normalised rows, in input order."""
        ...


def check_texts(texts: Sequence[str], kind: str) -> list[str]:
    """The texts as a list, or an InputError naming the first one that is not a string."""
    if isinstance(texts, str):
        raise InputError("encode takes a list of texts, not one string")
    if kind not in KINDS:
        raise InputError(f"kind must be 'query' or 'passage', not {kind!r}")
    out = list(texts)
    for position, text in enumerate(out):
        if not isinstance(text, str):
            raise InputError(f"text {position + 1} is a {type(text).__name__}, not a string")
    return out


def unit_rows(vectors: npt.ArrayLike, rows: int, dimension: int | None = None) -> FloatMatrix:
    """``vectors`` as float32 with unit-length rows (zero rows stay zero); the shape is checked, because a
    model or endpoint that returns the wrong number of rows would silently misalign texts and vectors."""
    matrix = np.asarray(vectors, dtype=np.float32)
    wrong_dimension = dimension is not None and matrix.ndim == 2 and matrix.shape[1] != dimension
    if matrix.ndim != 2 or matrix.shape[0] != rows or wrong_dimension:
        expected = f"({rows}, {dimension if dimension is not None else 'd'})"
        raise InputError(f"the embedding model returned shape {matrix.shape}, expected {expected}")
    if not np.all(np.isfinite(matrix)):
        raise InputError("the embedding model returned a vector that is not finite")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    result: FloatMatrix = (matrix / np.where(norms == 0, 1, norms)).astype(np.float32, copy=False)
    return result


def text_hash(text: str) -> str:
    """The key a text is cached under: SHA-256 of its UTF-8 bytes, hex (64 characters)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cache_space(embedder: Embedder, kind: Kind) -> str:
    """The name a cache files ``embedder``'s vectors of ``kind`` under: the model id, plus the kind when the
    model distinguishes queries from passages."""
    return f"{embedder.model_id}#{kind}" if embedder.asymmetric else embedder.model_id
