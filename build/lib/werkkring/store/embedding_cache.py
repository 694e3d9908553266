"""The database side of the embedding cache: one row per (model space, text hash), shared by every process.

Implements ``werkkring.engines.embedding.EmbeddingCache``; wrap an embedder in ``CachedEmbedder`` with it.
Writes are idempotent (a row another process wrote first is kept), so two web workers embedding the same
new offer at the same moment both succeed. It is derived data: losing it costs time, never information, so a
failing cache is logged and the vectors are computed instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from werkkring.engines.embedding import FloatVector
from werkkring.store.db import Database
from werkkring.store.models import TextEmbedding

logger = logging.getLogger(__name__)
_CHUNK = 500  # keys per statement: well under SQLite's bound-parameter limit


class DatabaseEmbeddingCache:
    """Vectors in the ``text_embeddings`` table of ``database``."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def lookup(self, space: str, hashes: Sequence[str]) -> dict[str, FloatVector]:
        found: dict[str, FloatVector] = {}
        try:
            with self.database.reader() as session:
                for start in range(0, len(hashes), _CHUNK):
                    rows = session.execute(
                        select(TextEmbedding.text_hash, TextEmbedding.vector).where(
                            TextEmbedding.model == space,
                            TextEmbedding.text_hash.in_(hashes[start : start + _CHUNK]),
                        )
                    )
                    for text_hash, vector in rows:
                        found[text_hash] = np.frombuffer(vector, dtype="<f4").astype(np.float32)
        except SQLAlchemyError:
            logger.warning("reading the embedding cache failed; computing the vectors instead", exc_info=True)
        return found

    def store(self, space: str, vectors: Mapping[str, FloatVector]) -> None:
        if not vectors:
            return
        rows = [
            {"model": space, "text_hash": h, "vector": np.asarray(v, dtype="<f4").tobytes()}
            for h, v in vectors.items()
        ]
        insert = pg_insert if self.database.engine.dialect.name == "postgresql" else sqlite_insert
        try:
            with self.database.transaction() as session:
                for start in range(0, len(rows), _CHUNK):
                    statement = insert(TextEmbedding).on_conflict_do_nothing(
                        index_elements=["model", "text_hash"]
                    )
                    session.execute(statement, rows[start : start + _CHUNK])
        except SQLAlchemyError:
            logger.warning("writing the embedding cache failed; the vectors were still used", exc_info=True)
