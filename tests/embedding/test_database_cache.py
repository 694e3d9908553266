"""The database cache: a text is embedded once across processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from werkkring.engines.embedding import CachedEmbedder, cache_space, text_hash
from werkkring.store import Database
from werkkring.store.embedding_cache import DatabaseEmbeddingCache

from .test_embedding import _Counting


def test_vectors_survive_a_new_process_and_are_not_recomputed(database: Database) -> None:
    first = CachedEmbedder(_Counting(), DatabaseEmbeddingCache(database))
    texts = [f"tekst {i}" for i in range(1200)]  # more keys than one statement takes
    vectors = first.encode(texts, kind="passage")
    second_model = _Counting()
    second = CachedEmbedder(second_model, DatabaseEmbeddingCache(Database(database.url)))
    again = second.encode([*texts[::-1], "nieuw"], kind="passage")
    assert second_model.batches == [("passage", ["nieuw"])]
    assert np.array_equal(again[:-1], vectors[::-1])
    space = cache_space(second_model, "passage")
    found = DatabaseEmbeddingCache(database).lookup(space, [text_hash("nieuw")])
    assert found[text_hash("nieuw")].dtype == np.float32


def test_two_writers_of_the_same_texts_at_once_both_succeed(database: Database) -> None:
    texts = [f"zelfde tekst {i}" for i in range(300)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            cache = DatabaseEmbeddingCache(database)
            vectors = {text_hash(t): np.full(8, i, dtype=np.float32) for i, t in enumerate(texts)}
            barrier.wait()
            cache.store("space", vectors)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(DatabaseEmbeddingCache(database).lookup("space", [text_hash(t) for t in texts])) == 300


def test_a_broken_cache_only_costs_time(tmp_path: Path) -> None:
    broken = Database(f"sqlite:///{tmp_path}/not-migrated.db")  # no text_embeddings table
    model = _Counting()
    vectors = CachedEmbedder(model, DatabaseEmbeddingCache(broken)).encode(["a", "b"])
    assert vectors.shape == (2, 8) and len(model.batches) == 1
