"""A text space fitted on the network's own needs and offers: lemmas, character n-grams and LSA.

Why this shape: needs and offers are short, written by different people in different words. Lemmatised word
TF-IDF (sublinear, idf from the network itself) catches the shared words; character 2-5-grams catch
compounds and spelling variants ("websitebouw" ~ "website"), which matter a lot in Dutch; a latent semantic
(LSA) projection of both bridges vocabulary ("boekhouding" ~ "administratie") because words that occur in
the same texts end up close. The LSA axes are weighted by their singular value to the power 1.5 (plain LSA:
power 1), so the broad themes the network shares count more than the many small axes that mostly carry
the quirks of single texts. A light neighbourhood smoothing of the LSA vectors (each text moves towards its
nearest texts in the network) lets a need borrow words from texts like it. The similarity of two texts is a
fixed mix of the sparse cosine and the LSA cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from werkkring.engines.text import Language, detect_language, is_stopword, lemmatize_tokens, tokenize

FloatMatrix = NDArray[np.float32]


def content_words(text: str, language: Language) -> list[str]:
    """Lemmas of the words that carry meaning (no stop words, no bare numbers)."""
    return lemmatize_tokens([t for t in tokenize(text) if not is_stopword(t)], language)


# Above this many texts the neighbours for smoothing come from an HNSW graph (hnswlib, extra ``ann``) instead
# of all-pairs products; where exact stops paying is measured by bench/connections/neighbours.py (results in
# bench/results/connections.md).
APPROXIMATE_ABOVE = 10_000


@dataclass(frozen=True)
class SpaceSettings:
    """The knobs of the text space; the defaults were chosen on all public benchmark sets together."""

    char_weight: float = 1.25
    char_ngrams: tuple[int, int] = (2, 5)
    lsa_dims: int = 300
    lsa_power: float = 1.5
    """Each LSA axis is weighted by its singular value to this power (1: plain LSA)."""
    lsa_weight: float = 0.5
    lsa_sample: int = 12_000
    """Above this many texts the LSA axes are fitted on a seeded sample of this many (then every text is
    projected on them): the randomized SVD was 60 % of a 10,000-member fit, and grows with the texts times
    the features they bring (bench/connections/speed.py --profile)."""
    smooth_neighbours: int = 10
    smooth_weight: float = 0.5
    exact_neighbours_up_to: int = APPROXIMATE_ABOVE
    """Neighbours for the smoothing by all-pairs products up to this many texts, above from an HNSW graph
    (hnswlib): where exact stops paying, bench/connections/neighbours.py."""


class TextSpace:
    """Vectors for a fixed corpus of texts (fit once per network), plus the similarity between them."""

    def __init__(
        self, texts: Sequence[str], settings: SpaceSettings = SpaceSettings(), seed: int = 0
    ) -> None:
        self.settings = settings
        sample = list(texts[:: max(1, len(texts) // 500)])
        self.language: Language = detect_language(sample)
        language = self.language
        corpus = list(texts) or [""]

        def analyse(text: str) -> list[str]:
            return content_words(text, language)

        self._words = TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=settings.char_ngrams, sublinear_tf=True, min_df=2
        )
        blocks: list[sp.csr_matrix] = []
        for vectorizer in (self._words, self._chars):
            try:
                blocks.append(sp.csr_matrix(vectorizer.fit_transform(corpus)))
            except ValueError:  # empty vocabulary (e.g. only stop words, or too few texts for min_df)
                blocks.append(sp.csr_matrix((len(corpus), 1)))
        self._fitted = [b.shape[1] > 1 for b in blocks]
        blocks[1] = blocks[1] * settings.char_weight
        self.sparse: sp.csr_matrix = sp.csr_matrix(normalize(sp.hstack(blocks).tocsr()))[: len(texts)]
        dims = min(settings.lsa_dims, self.sparse.shape[0] - 1, self.sparse.shape[1] - 1)
        self._lsa: _Projection | None = None
        if dims >= 2 and settings.lsa_weight > 0:
            self._lsa, dense = _Projection.fit(
                self.sparse, dims, settings.lsa_power, settings.lsa_sample, seed
            )
            self.dense: FloatMatrix = _smooth(
                dense,
                settings.smooth_neighbours,
                settings.smooth_weight,
                seed,
                approximate_above=settings.exact_neighbours_up_to,
            )
        else:
            self.dense = np.zeros((len(texts), 1), dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, FloatMatrix]:
        """Vectors for new texts (e.g. a search query) in the fitted space, without smoothing."""
        blocks = []
        for fitted, vectorizer in zip(self._fitted, (self._words, self._chars), strict=True):
            if fitted:
                blocks.append(sp.csr_matrix(vectorizer.transform(list(texts))))
            else:
                blocks.append(sp.csr_matrix((len(texts), 1)))
        blocks[1] = blocks[1] * self.settings.char_weight
        sparse = sp.csr_matrix(normalize(sp.hstack(blocks).tocsr()))
        if self._lsa is None:
            return sparse, np.zeros((len(texts), 1), dtype=np.float32)
        return sparse, self._lsa.project(sparse)

    def similarity(
        self, rows: Sequence[int] | NDArray[np.int64], columns: Sequence[int] | NDArray[np.int64]
    ) -> FloatMatrix:
        """Mixed cosine similarity between corpus texts ``rows`` and ``columns`` (dense block)."""
        return self.similarity_to((self.sparse[rows], self.dense[rows]), columns)

    def similarity_to(
        self, query: tuple[sp.csr_matrix, FloatMatrix], columns: Sequence[int] | NDArray[np.int64]
    ) -> FloatMatrix:
        """Mixed cosine similarity between texts in this space (``transform`` or corpus rows) and corpus
        texts ``columns``: (1 - w) * sparse cosine + w * LSA cosine, w the LSA weight."""
        a = self.settings.lsa_weight if self._lsa is not None else 0.0
        sims: FloatMatrix = (1 - a) * np.asarray(
            (query[0] @ self.sparse[columns].T).toarray(), dtype=np.float32
        )
        if a:
            sims += a * (query[1] @ self.dense[columns].T)
        return sims


@dataclass(frozen=True)
class _Projection:
    """The LSA axes: sparse text vectors -> unit dense vectors, each axis weighted by its singular value to
    the power ``lsa_power`` (fit_transform gives U * S, so the corpus itself is scaled by S ** (power - 1)).

    Up to ``sample`` texts the SVD is fitted on all of them, exactly as before. Above, on a seeded sample of
    ``sample`` texts and only the features that occur in it (a feature the sample never saw would get a zero
    axis anyway), in float32; all texts are then projected, which costs one sparse product."""

    svd: TruncatedSVD
    columns: NDArray[np.int64] | None
    """The features the axes were fitted on (None: all)."""
    axis_weight: FloatMatrix
    components: FloatMatrix | None = None
    """Features x axes, float32, for the sampled fit."""

    @staticmethod
    def fit(
        matrix: sp.csr_matrix, dims: int, power: float, sample: int, seed: int
    ) -> tuple[_Projection, FloatMatrix]:
        """The projection and the fitted texts' own vectors."""
        svd = TruncatedSVD(dims, n_iter=3, random_state=seed)
        if matrix.shape[0] <= sample:
            dense = svd.fit_transform(matrix)
            weight = (svd.singular_values_ ** (power - 1)).astype(np.float32)
            return _Projection(svd, None, weight), normalize(dense * weight).astype(np.float32)
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(matrix.shape[0], size=sample, replace=False))
        part = sp.csr_matrix(matrix[rows], dtype=np.float32)
        columns = np.flatnonzero(np.diff(part.tocsc().indptr)).astype(np.int64)
        svd.n_components = min(dims, sample - 1, columns.size - 1)
        svd.fit(part[:, columns])
        weight = (svd.singular_values_ ** (power - 1)).astype(np.float32)
        components = np.ascontiguousarray(svd.components_.T, dtype=np.float32)
        projection = _Projection(svd, columns, weight, components)
        return projection, projection.project(matrix)

    def project(self, matrix: sp.csr_matrix) -> FloatMatrix:
        if self.columns is None or self.components is None:
            axes = self.svd.transform(matrix)
        else:
            axes = np.asarray(sp.csr_matrix(matrix[:, self.columns], dtype=np.float32) @ self.components)
        vectors: FloatMatrix = normalize(axes * self.axis_weight).astype(np.float32)
        return vectors


def nearest(
    vectors: FloatMatrix,
    k: int,
    *,
    approximate_above: int = APPROXIMATE_ABOVE,
    block: int = 2048,
    seed: int = 0,
) -> tuple[NDArray[np.int64], FloatMatrix]:
    """Each row's ``k`` nearest other rows by inner product (unit rows: cosine) and the similarities.

    Exact by blocks of matrix products up to ``approximate_above`` rows, then an HNSW graph when hnswlib is
    installed (exact without it: the same results, only slower)."""
    n = vectors.shape[0]
    if n > approximate_above:
        try:
            import hnswlib
        except ImportError:
            hnswlib = None
        if hnswlib is not None:
            index = hnswlib.Index(space="ip", dim=vectors.shape[1])
            index.init_index(max_elements=n, M=16, ef_construction=100, random_seed=seed)
            index.add_items(vectors, np.arange(n), num_threads=1)
            index.set_ef(max(64, 2 * (k + 1)))
            labels, distances = index.knn_query(vectors, k=k + 1, num_threads=1)
            labels = labels.astype(np.int64)
            sims = (1.0 - distances).astype(np.float32)
            # Drop each row itself (usually first; when a duplicate text ties it, whichever comes first).
            own = labels == np.arange(n)[:, None]
            own[~own.any(axis=1), -1] = True
            keep = ~own
            return labels[keep].reshape(n, k), sims[keep].reshape(n, k)
    idx = np.empty((n, k), dtype=np.int64)
    out = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = vectors[start:stop] @ vectors.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        idx[start:stop] = part
        out[start:stop] = np.take_along_axis(sims, part, axis=1)
    return idx, out


def _smooth(
    vectors: FloatMatrix,
    neighbours: int,
    weight: float,
    seed: int = 0,
    *,
    approximate_above: int = APPROXIMATE_ABOVE,
) -> FloatMatrix:
    """Move each vector towards the similarity-weighted mean of its nearest neighbours (one step)."""
    n = vectors.shape[0]
    k = min(neighbours, n - 1)
    if k < 1 or weight <= 0:
        return vectors
    idx, sims = nearest(vectors, k, seed=seed, approximate_above=approximate_above)
    w = np.clip(sims, 0, None)
    out = np.empty_like(vectors)
    for start in range(0, n, 4096):  # bounded memory: block x k x dims
        stop = min(n, start + 4096)
        ws = w[start:stop]
        mean = (ws[:, :, None] * vectors[idx[start:stop]]).sum(axis=1) / (
            ws.sum(axis=1, keepdims=True) + 1e-9
        )
        out[start:stop] = vectors[start:stop] + weight * mean
    smoothed: FloatMatrix = normalize(out).astype(np.float32)
    return smoothed


def smooth_towards(
    queries: FloatMatrix, corpus: FloatMatrix, neighbours: int, weight: float, block: int = 1024
) -> FloatMatrix:
    """``_smooth`` for texts outside the corpus: each moves towards its nearest corpus texts, so a text placed
    after the fit (an edited profile) is on the same footing as the smoothed corpus."""
    k = min(neighbours, corpus.shape[0])
    if k < 1 or weight <= 0 or queries.shape[0] == 0:
        return queries
    out = np.empty_like(queries)
    for start in range(0, queries.shape[0], block):
        q = queries[start : start + block]
        sims = q @ corpus.T
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        w = np.clip(np.take_along_axis(sims, idx, axis=1), 0, None)
        mean = (w[:, :, None] * corpus[idx]).sum(axis=1) / (w.sum(axis=1, keepdims=True) + 1e-9)
        out[start : start + block] = q + weight * mean
    smoothed: FloatMatrix = normalize(out).astype(np.float32)
    return smoothed
