"""How alike two texts are: by the network's own words (lexical), by meaning (a multilingual embedding model),
or both (hybrid).

Why a hybrid, and why this rule. The lexical space (``_space.TextSpace``: lemmas, character n-grams, LSA
fitted on the network) is precise where needs and offers share words, and knows the network's own vocabulary;
it cannot see that "boekhouding" and "bookkeeping" mean the same. A multilingual sentence embedding (E5) can,
across Dutch and English, but blurs specific terms. The two similarities live on different scales (E5 cosines
of unrelated short texts sit around 0.75, lexical ones around 0.05), so they are put on one scale first: the
semantic cosine is mapped onto the lexical one by matching mean and spread over a sample of the network's own
need-offer pairs (a z-score calibration that needs no labels and is refitted with every network). The hybrid
similarity is then a weighted sum: ``(1 - w) * lexical + w * semantic_on_lexical_scale``, with ``w`` the
semantic weight for two texts in the same language and a separate (higher) weight when the two are in
different languages, where shared words mean little. The weights were chosen on draws of the shared sets and
checked on other draws (bench/connections/quality.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.preprocessing import normalize

from werkkring.engines.connections._space import SpaceSettings, TextSpace, _smooth, smooth_towards
from werkkring.engines.embedding import Embedder, FloatMatrix, Kind, unit_rows
from werkkring.engines.text import Language, detect_language, language_of
from werkkring.errors import InputError

Backend = Literal["lexical", "embedding", "hybrid"]
BACKENDS: tuple[Backend, ...] = ("lexical", "embedding", "hybrid")
Encoder = Callable[[Sequence[str]], NDArray[np.floating]]
"""Turns texts into vectors (one row per text): a bare function may stand in for an :class:`Embedder`."""
Role = Literal["need", "offer"]

_LANGUAGE_CODE = {None: 0, "nl": 1, "en": 2}


@dataclass(frozen=True)
class HybridSettings:
    """The knobs of the hybrid similarity; the defaults were chosen on draws of the shared sets."""

    semantic_weight: float = 0.7
    """Share of the semantic similarity for two texts in the same language (or of unknown language)."""
    cross_language_weight: float = 0.9
    """Share of the semantic similarity for a Dutch and an English text."""
    need_kind: Kind = "query"
    offer_kind: Kind = "query"
    calibration_texts: int = 300
    """Needs and offers sampled (each) to calibrate the two scales: 300 x 300 pairs."""
    semantic_smooth: float = 0.5
    """Neighbourhood smoothing of the embeddings, as the lexical space smooths its LSA vectors: each text
    moves this far towards the similarity-weighted mean of its ten nearest texts in the network."""

    def kind(self, role: Role) -> Kind:
        return self.need_kind if role == "need" else self.offer_kind


@dataclass(frozen=True)
class Calibration:
    """Mean and spread of both similarities over the network's need-offer pairs."""

    lexical_mean: float
    lexical_std: float
    semantic_mean: float
    semantic_std: float

    def semantic_on_lexical_scale(self, sims: FloatMatrix) -> FloatMatrix:
        scale = self.lexical_std / self.semantic_std
        out: FloatMatrix = ((sims - self.semantic_mean) * scale + self.lexical_mean).astype(np.float32)
        return out


@dataclass(frozen=True)
class Vectors:
    """Texts placed in the fitted space: the lexical part (sparse words and n-grams, dense LSA), the semantic
    part (embedding rows) and each text's language (0 unknown, 1 Dutch, 2 English)."""

    sparse: sp.csr_matrix | None
    dense: FloatMatrix | None
    semantic: FloatMatrix | None
    language: NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.language.size)

    def take(self, rows: NDArray[np.int64] | Sequence[int]) -> Vectors:
        index = np.asarray(rows, dtype=np.int64)
        return Vectors(
            None if self.sparse is None else sp.csr_matrix(self.sparse[index]),
            None if self.dense is None else self.dense[index],
            None if self.semantic is None else self.semantic[index],
            self.language[index],
        )

    def summed(self, owners: sp.csr_matrix) -> Vectors:
        """One row per row of ``owners`` (members x texts, 0/1): the normalised sum of its texts, in each
        part; its language is the texts' language when they share one, else unknown."""
        counts = np.asarray(owners.sum(axis=1)).ravel()
        language = np.zeros(owners.shape[0], dtype=np.int8)
        for code in (1, 2):
            same = np.asarray(owners @ (self.language == code).astype(np.float32)).ravel()
            language[(counts > 0) & (same == counts)] = code
        return Vectors(
            None if self.sparse is None else sp.csr_matrix(normalize(owners @ self.sparse)),
            None if self.dense is None else normalize(owners @ self.dense).astype(np.float32),
            None if self.semantic is None else normalize(owners @ self.semantic).astype(np.float32),
            language,
        )

    @staticmethod
    def stack(parts: Sequence[Vectors]) -> Vectors:
        first = parts[0]
        return Vectors(
            None if first.sparse is None else sp.csr_matrix(sp.vstack([p.sparse for p in parts])),
            None if first.dense is None else np.vstack([p.dense for p in parts]),  # type: ignore[misc]
            None if first.semantic is None else np.vstack([p.semantic for p in parts]),  # type: ignore[misc]
            np.concatenate([p.language for p in parts]),
        )


class _FunctionEmbedder:
    """A bare encoder function as an :class:`Embedder` (symmetric, dimension from its first answer)."""

    model_id = "function"
    asymmetric = False

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self.dimension = 0

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        if not texts:
            return np.zeros((0, max(self.dimension, 1)), dtype=np.float32)
        vectors = unit_rows(self._encoder(list(texts)), len(texts))
        self.dimension = int(vectors.shape[1])
        return vectors


def as_embedder(embedder: Embedder | Encoder | None) -> Embedder | None:
    if embedder is None or isinstance(embedder, Embedder):
        return embedder
    return _FunctionEmbedder(embedder)


def languages(texts: Sequence[str]) -> NDArray[np.int8]:
    return np.asarray([_LANGUAGE_CODE[language_of(t)] for t in texts], dtype=np.int8)


class Similarity:
    """A network's texts fitted once (``rows``), outside texts placed in the same space (``encode``), and the
    similarity between any two sets of placed texts (``compare``).

    ``roles`` says which texts are needs and which offers: the embedding model may encode them differently
    (``HybridSettings.need_kind`` / ``offer_kind``), and the calibration samples need-offer pairs."""

    def __init__(
        self,
        texts: Sequence[str],
        roles: Sequence[Role],
        backend: Backend,
        embedder: Embedder | Encoder | None = None,
        *,
        settings: HybridSettings = HybridSettings(),
        space_settings: SpaceSettings = SpaceSettings(),
        seed: int = 0,
    ) -> None:
        if backend not in BACKENDS:
            raise InputError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.backend = backend
        self.settings = settings
        self.embedder = as_embedder(embedder)
        if backend != "lexical" and self.embedder is None:
            raise InputError(f"the {backend!r} backend needs an embedder (a model from texts to vectors)")
        self.space: TextSpace | None = None
        if backend != "embedding":
            self.space = TextSpace(texts, space_settings, seed=seed)
            self.language: Language = self.space.language
        else:
            self.language = detect_language(list(texts[:: max(1, len(texts) // 500)]))
        role_array = np.asarray([r == "need" for r in roles], dtype=bool)
        semantic = None
        self._raw_semantic: FloatMatrix | None = None
        if self.embedder is not None:
            self._raw_semantic = self._embed(list(texts), role_array)
            semantic = self._smoothed(self._raw_semantic, settings, seed)
        self._roles = role_array
        self._seed = seed
        self.corpus = Vectors(
            None if self.space is None else self.space.sparse,
            None if self.space is None else self.space.dense,
            semantic,
            languages(texts),
        )
        self.calibration: Calibration | None = None
        if backend != "lexical":
            self.calibration = self._calibrate(role_array, seed)

    @staticmethod
    def _smoothed(vectors: FloatMatrix, settings: HybridSettings, seed: int) -> FloatMatrix:
        if settings.semantic_smooth <= 0:
            return vectors
        return _smooth(vectors, 10, settings.semantic_smooth, seed)

    def _embed(self, texts: list[str], is_need: NDArray[np.bool_]) -> FloatMatrix:
        assert self.embedder is not None
        kinds = {self.settings.need_kind, self.settings.offer_kind}
        if len(kinds) == 1 or not self.embedder.asymmetric:
            return self.embedder.encode(texts, kind=self.settings.need_kind)
        out: FloatMatrix | None = None
        parts: tuple[tuple[Role, NDArray[np.bool_]], ...] = (("need", is_need), ("offer", ~is_need))
        for role, mask in parts:
            rows = np.flatnonzero(mask)
            if rows.size:
                part = self.embedder.encode([texts[i] for i in rows], kind=self.settings.kind(role))
                if out is None:
                    out = np.zeros((len(texts), part.shape[1]), dtype=np.float32)
                out[rows] = part
        return out if out is not None else np.zeros((0, 1), dtype=np.float32)

    def _calibrate(self, is_need: NDArray[np.bool_], seed: int) -> Calibration:
        rng = np.random.default_rng(seed)
        needs, offers = np.flatnonzero(is_need), np.flatnonzero(~is_need)
        if needs.size == 0 or offers.size == 0:
            needs = offers = np.arange(len(self.corpus))
        k = self.settings.calibration_texts
        a = self.corpus.take(np.sort(rng.choice(needs, min(k, needs.size), replace=False)))
        b = self.corpus.take(np.sort(rng.choice(offers, min(k, offers.size), replace=False)))
        semantic = self._semantic(a, b)
        lexical = self._lexical(a, b) if self.space is not None else semantic
        return Calibration(
            float(lexical.mean()),
            max(float(lexical.std()), 1e-3),
            float(semantic.mean()),
            max(float(semantic.std()), 1e-3),
        )

    @property
    def _lsa_weight(self) -> float:
        if self.space is None or self.space.dense.shape[1] <= 1:
            return 0.0
        return self.space.settings.lsa_weight

    def _lexical(self, a: Vectors, b: Vectors) -> FloatMatrix:
        assert a.sparse is not None and b.sparse is not None
        w = self._lsa_weight
        sims: FloatMatrix = (1 - w) * np.asarray((a.sparse @ b.sparse.T).toarray(), dtype=np.float32)
        if w and a.dense is not None and b.dense is not None:
            sims += w * (a.dense @ b.dense.T)
        return sims

    def _semantic(self, a: Vectors, b: Vectors) -> FloatMatrix:
        assert a.semantic is not None and b.semantic is not None
        sims: FloatMatrix = a.semantic @ b.semantic.T
        return sims

    def rows(self, rows: NDArray[np.int64] | Sequence[int]) -> Vectors:
        """Texts of the fitted corpus."""
        return self.corpus.take(rows)

    def encode(self, texts: Sequence[str], role: Role) -> Vectors:
        """Texts outside the fitted corpus (a search query, a member's own texts, a profile changed since the
        fit), placed in the fitted space (lexical: without neighbourhood smoothing)."""
        texts = list(texts)
        if not texts:
            return self.corpus.take([])
        sparse = dense = semantic = None
        if self.space is not None:
            sparse, dense = self.space.transform(texts)
        if self.embedder is not None:
            semantic = self._embed(texts, np.full(len(texts), role == "need"))
            if self.settings.semantic_smooth > 0 and self.corpus.semantic is not None:
                semantic = smooth_towards(semantic, self.corpus.semantic, 10, self.settings.semantic_smooth)
        return Vectors(sparse, dense, semantic, languages(texts))

    def compare(self, a: Vectors, b: Vectors) -> FloatMatrix:
        """Similarity of every text in ``a`` (rows) to every text in ``b`` (columns)."""
        if self.backend == "lexical":
            return self._lexical(a, b)
        if self.backend == "embedding":
            return self._semantic(a, b)
        assert self.calibration is not None
        lexical = self._lexical(a, b)
        semantic = self.calibration.semantic_on_lexical_scale(self._semantic(a, b))
        weight = _pair_weights(a.language, b.language, self.settings)
        out: FloatMatrix = (lexical + weight * (semantic - lexical)).astype(np.float32)
        return out

    def with_settings(self, settings: HybridSettings) -> Similarity:
        """The same fitted space with other hybrid weights (the benchmark's choice, without refitting)."""
        copy = object.__new__(Similarity)
        copy.__dict__.update(self.__dict__)
        kinds = {"need_kind": self.settings.need_kind, "offer_kind": self.settings.offer_kind}
        copy.settings = replace(settings, **kinds)  # type: ignore[arg-type]
        if settings.semantic_smooth != self.settings.semantic_smooth and self._raw_semantic is not None:
            semantic = self._smoothed(self._raw_semantic, copy.settings, self._seed)
            copy.corpus = replace(self.corpus, semantic=semantic)
            if self.calibration is not None:
                copy.calibration = copy._calibrate(self._roles, self._seed)
        return copy


def _pair_weights(a: NDArray[np.int8], b: NDArray[np.int8], settings: HybridSettings) -> FloatMatrix | float:
    """The semantic weight per pair: the cross-language weight where one text is Dutch, the other English."""
    if settings.cross_language_weight == settings.semantic_weight or not (
        ((a == 1).any() and (b == 2).any()) or ((a == 2).any() and (b == 1).any())
    ):
        return settings.semantic_weight
    cross = (a[:, None] != b[None, :]) & (a[:, None] > 0) & (b[None, :] > 0)
    weights: FloatMatrix = np.where(cross, settings.cross_language_weight, settings.semantic_weight).astype(
        np.float32
    )
    return weights
