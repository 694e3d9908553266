"""Lexical vectors for short texts: lemmas, Dutch compound parts, word and character n-gram TF-IDF, LSA.

Why each step: short contributions share few words, so (1) lemmas make "werkt" and "werken" one feature,
(2) compound parts let "arbeidsmarkt" meet "markt", (3) character n-grams within words catch what lemmas
miss (spelling variants, unknown inflections, English plurals), and (4) LSA folds co-occurring words into
shared dimensions, so two texts can be close without sharing a word.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg import eigh
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from werkkring.engines.text import Language, is_stopword, lemmatize_tokens, tokenize
from werkkring.engines.text._compounds import split_compound

FloatMatrix = npt.NDArray[np.float32]

# Weight of the character block against the word block (each is L2-normalised per row first).
CHAR_WEIGHT = 1.0
LSA_DIMENSIONS = 100
KEEP_STOPWORDS_FROM = 0
_GRAM_UP_TO = 5_000
_HASH_FROM = 20_000
_SVD_SAMPLE = 20_000


@dataclass(frozen=True)
class Analysed:
    """Per text, its content lemmas in order and the parts of its Dutch compounds; per lemma, its surface
    forms (for showing a lemma as people wrote it)."""

    lemmas: list[list[str]]
    parts: list[list[str]]
    surfaces: dict[str, Counter[str]]
    everything: list[list[str]]
    content: list[list[bool]]  # per text and position in ``everything``: a content word (kept in ``lemmas``)

    def terms(self, index: int, with_stopwords: bool = False) -> list[str]:
        """Lemmas (with or without function words), bigrams of adjacent ones and compound parts of a text."""
        doc = self.everything[index] if with_stopwords else self.lemmas[index]
        return doc + [f"{a} {b}" for a, b in itertools.pairwise(doc)] + self.parts[index]


def analyse(texts: Sequence[str], language: Language) -> Analysed:
    """Tokenise, lemmatise and drop stop words; add the parts of Dutch compounds."""
    lemmas: list[list[str]] = []
    everything: list[list[str]] = []
    content: list[list[bool]] = []
    surfaces: dict[str, Counter[str]] = {}
    for text in texts:
        tokens = tokenize(text)
        forms = lemmatize_tokens(tokens, language)
        kept: list[str] = []
        mask: list[bool] = []
        for token, form in zip(tokens, forms, strict=True):
            mask.append(not (is_stopword(token) or is_stopword(form)))
            if not mask[-1]:
                continue
            kept.append(form)
            surfaces.setdefault(form, Counter())[token] += 1
        lemmas.append(kept)
        everything.append(forms)
        content.append(mask)
    compound_parts: list[list[str]] = [[] for _ in lemmas]
    if language != "en":
        frequencies = Counter(form for doc in lemmas for form in set(doc))
        cache: dict[str, list[str]] = {}
        for doc, extra in zip(lemmas, compound_parts, strict=True):
            for form in doc:
                parts = cache.get(form)
                if parts is None:
                    parts = [p for p in split_compound(form, frequencies) if not is_stopword(p)]
                    cache[form] = parts if len(parts) > 1 else []
                extra.extend(parts)
    return Analysed(lemmas, compound_parts, surfaces, everything, content)


def _identity(doc: list[str]) -> list[str]:
    return doc


def word_tfidf(analysed: Analysed) -> tuple[sp.csr_matrix, list[str]]:
    """Sublinear TF-IDF over lemma unigrams, bigrams of adjacent words, and compound parts."""
    n = len(analysed.lemmas)
    vectorizer = TfidfVectorizer(
        analyzer=_identity,
        sublinear_tf=True,
        min_df=2 if n >= 200 else 1,
        dtype=np.float32,
    )
    # Function words stay in the word block: IDF already gives them little weight, and in short questions
    # and commands they carry meaning ("how hot", "set an alarm"). Measured: better NMI on 8 of 11 data sets
    # and on small sessions. Labels and character n-grams use content words only.
    with_stopwords = n >= KEEP_STOPWORDS_FROM
    docs = [analysed.terms(i, with_stopwords) for i in range(n)]
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no term survives (e.g. only stop words)
        return sp.csr_matrix((n, 1), dtype=np.float32), [""]
    return sp.csr_matrix(matrix), list(vectorizer.get_feature_names_out())


def char_tfidf(analysed: Analysed) -> sp.csr_matrix:
    """Sublinear TF-IDF over character 3- to 5-grams inside the content lemmas.

    Above ``_HASH_FROM`` texts the n-grams are hashed (no vocabulary to build and sort, the slowest step at
    100,000 texts); n-grams in a single text are dropped either way, as they link nothing.
    """
    n = len(analysed.lemmas)
    docs = [" ".join(doc + parts) for doc, parts in zip(analysed.lemmas, analysed.parts, strict=True)]
    if n < _HASH_FROM:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2 if n >= 200 else 1,
            dtype=np.float32,
        )
        try:
            return sp.csr_matrix(vectorizer.fit_transform(docs))
        except ValueError:
            return sp.csr_matrix((n, 1), dtype=np.float32)
    hashed = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        n_features=2**20,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    ).transform(docs)
    hashed = sp.csr_matrix(hashed)
    frequency = np.bincount(hashed.indices, minlength=hashed.shape[1])
    hashed = sp.csr_matrix(hashed[:, np.flatnonzero(frequency >= 2)])
    weighted = TfidfTransformer(sublinear_tf=True).fit_transform(hashed)
    return sp.csr_matrix(weighted, dtype=np.float32)


def stacked(word: sp.csr_matrix, char: sp.csr_matrix, char_weight: float = CHAR_WEIGHT) -> sp.csr_matrix:
    both = sp.hstack([l2_normalize(word), l2_normalize(char) * char_weight], format="csr")
    return sp.csr_matrix(l2_normalize(both))


def lsa(matrix: sp.csr_matrix, seed: int, dimensions: int = LSA_DIMENSIONS) -> FloatMatrix:
    """Rows of ``matrix`` in a truncated SVD space, L2-normalised (cosine becomes a dot product).

    Up to a few thousand rows the top eigenvectors of the small Gram matrix give the exact SVD fastest;
    beyond, randomized SVD keeps memory linear in the number of rows.
    """
    n, m = matrix.shape
    k = min(dimensions, n - 1, m - 1)
    if k < 2:
        return np.asarray(l2_normalize(matrix.toarray()), dtype=np.float32)
    if n <= _GRAM_UP_TO:
        gram = (matrix @ matrix.T).toarray().astype(np.float64)
        values, vectors = eigh(gram, subset_by_index=[n - k, n - 1])
        reduced = vectors * np.sqrt(np.clip(values, 0.0, None))
    elif n <= _SVD_SAMPLE:
        reduced = TruncatedSVD(n_components=k, random_state=seed, n_iter=4).fit_transform(matrix)
    else:
        # The topic subspace of 20,000 random texts is as good as that of all; projecting the rest is one
        # sparse product instead of several passes over everything.
        rows = np.random.default_rng(seed).choice(n, _SVD_SAMPLE, replace=False)
        svd = TruncatedSVD(n_components=k, random_state=seed, n_iter=4).fit(matrix[np.sort(rows)])
        reduced = svd.transform(matrix)
    return np.asarray(l2_normalize(reduced), dtype=np.float32)
