"""Lexical vectors for short texts: lemmas, Dutch compound parts, word and character n-gram TF-IDF, LSA.

Why each step: short contributions share few words, so (1) lemmas make "werkt" and "werken" one feature,
(2) compound parts let "arbeidsmarkt" meet "markt", (3) character n-grams within words catch what lemmas
miss (spelling variants, unknown inflections, English plurals), and (4) LSA folds co-occurring words into
shared dimensions, so two texts can be close without sharing a word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from werkkring.engines.text import Language, is_stopword, lemmatize_tokens, tokenize
from werkkring.engines.text._compounds import split_compound

FloatMatrix = npt.NDArray[np.float32]

# Weight of the character block against the word block (each is L2-normalised per row first).
CHAR_WEIGHT = 1.0
LSA_DIMENSIONS = 100


@dataclass(frozen=True)
class Analysed:
    """Per text, its content lemmas (compound parts added after the whole word); per lemma, its surface forms."""

    lemmas: list[list[str]]
    surfaces: dict[str, Counter[str]]


def analyse(texts: Sequence[str], language: Language) -> Analysed:
    """Tokenise, lemmatise and drop stop words; add the parts of Dutch compounds."""
    lemmas: list[list[str]] = []
    surfaces: dict[str, Counter[str]] = {}
    for text in texts:
        tokens = [token for token in tokenize(text) if not is_stopword(token)]
        forms = lemmatize_tokens(tokens, language)
        kept: list[str] = []
        for token, form in zip(tokens, forms, strict=True):
            if is_stopword(form):
                continue
            kept.append(form)
            surfaces.setdefault(form, Counter())[token] += 1
        lemmas.append(kept)
    if language != "en":
        frequencies = Counter(form for doc in lemmas for form in set(doc))
        cache: dict[str, list[str]] = {}
        for doc in lemmas:
            extra: list[str] = []
            for form in doc:
                parts = cache.get(form)
                if parts is None:
                    parts = [p for p in split_compound(form, frequencies) if not is_stopword(p)]
                    cache[form] = parts if len(parts) > 1 else []
                extra.extend(parts)
            doc.extend(extra)
    return Analysed(lemmas, surfaces)


def _with_bigrams(doc: list[str]) -> list[str]:
    return doc + [f"{a} {b}" for a, b in zip(doc, doc[1:], strict=False)]


def _identity(doc: list[str]) -> list[str]:
    return doc


def word_tfidf(analysed: Analysed) -> tuple[sp.csr_matrix, list[str]]:
    """Sublinear TF-IDF over lemma unigrams and bigrams (bigrams of the whole words, before compound parts)."""
    n = len(analysed.lemmas)
    vectorizer = TfidfVectorizer(
        analyzer=_identity,
        sublinear_tf=True,
        min_df=2 if n >= 200 else 1,
        dtype=np.float32,
    )
    docs = [_with_bigrams(doc) for doc in analysed.lemmas]
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no term survives (e.g. only stop words)
        return sp.csr_matrix((n, 1), dtype=np.float32), [""]
    return sp.csr_matrix(matrix), list(vectorizer.get_feature_names_out())


def char_tfidf(analysed: Analysed) -> sp.csr_matrix:
    """Sublinear TF-IDF over character 3- to 5-grams inside the content lemmas."""
    n = len(analysed.lemmas)
    vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=2 if n >= 200 else 1,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform([" ".join(doc) for doc in analysed.lemmas])
    except ValueError:
        return sp.csr_matrix((n, 1), dtype=np.float32)
    return sp.csr_matrix(matrix)


def stacked(word: sp.csr_matrix, char: sp.csr_matrix, char_weight: float = CHAR_WEIGHT) -> sp.csr_matrix:
    both = sp.hstack([l2_normalize(word), l2_normalize(char) * char_weight], format="csr")
    return sp.csr_matrix(l2_normalize(both))


def lsa(matrix: sp.csr_matrix, seed: int, dimensions: int = LSA_DIMENSIONS) -> FloatMatrix:
    """Rows of ``matrix`` in a truncated SVD space, L2-normalised (cosine becomes a dot product)."""
    n, m = matrix.shape
    k = min(dimensions, n - 1, m - 1)
    if k < 2:
        return np.asarray(l2_normalize(matrix.toarray()), dtype=np.float32)
    svd = TruncatedSVD(n_components=k, random_state=seed, n_iter=5 if n < 50_000 else 4)
    reduced = svd.fit_transform(matrix)
    return np.asarray(l2_normalize(reduced), dtype=np.float32)
