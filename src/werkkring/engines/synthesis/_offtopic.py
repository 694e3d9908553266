"""Which contributions do not answer the question: logistics, remarks about the evening, complaints about
something else. No word list: such a line is unlike every other contribution (nobody else wrote anything
like it) and, when the question is known and an embedding model is at hand, further from the question than
the answers are. Both are measured relative to the session itself (robust z-scores: median and MAD), so a
session of short answers and a session of long ones are judged alike.

Measured on the 13 labelled dev sessions (bench/synthesis/sessions.py): with embeddings, the nearest
neighbours' similarity alone separates off-topic lines with ROC AUC 0.92, the similarity to the question
0.75, both together (the question at 0.3 weight) 0.95; at z ≤ -2 that sets aside 68 % of the off-topic lines
and 2.2 % of the others. Lexical neighbours reach AUC 0.84 but with a long tail of unusual on-topic lines,
so the lexical fallback asks for more: a line that shares no content word with any other contribution or
with the question, and is less like its neighbours than the median line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]

THRESHOLD = -2.0
QUESTION_WEIGHT = 0.3
MIN_CONTRIBUTIONS = 8
MAX_SHARE = 0.2
_NEIGHBOURS = 3
DENSE_UP_TO = 5_000


def robust_z(values: FloatArray) -> FloatArray:
    """(x - median) / (1.4826 · MAD): a z-score that a few outliers cannot drag along."""
    median = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - median)))
    if spread <= 1e-9:
        spread = float(np.std(values)) or 1.0
    return np.asarray((values - median) / spread, dtype=np.float64)


def neighbour_similarity(vectors: FloatMatrix, neighbours: int = _NEIGHBOURS) -> FloatArray:
    """Mean cosine similarity of each (unit) row to its ``neighbours`` most similar other rows."""
    n = vectors.shape[0]
    k = max(1, min(neighbours, n - 1))
    similarity = np.asarray(vectors @ vectors.T, dtype=np.float64)
    np.fill_diagonal(similarity, -np.inf)
    top = np.partition(similarity, n - k, axis=1)[:, n - k :]
    return np.asarray(top.mean(axis=1), dtype=np.float64)


def shared_words(lemma_sets: Sequence[set[str]], question: set[str]) -> npt.NDArray[np.int64]:
    """For each text, how many of its content lemmas (and compound parts) another text or the question has."""
    frequency: Counter[str] = Counter(lemma for lemmas in lemma_sets for lemma in lemmas)
    return np.array(
        [sum(frequency[w] >= 2 or w in question for w in lemmas) for lemmas in lemma_sets], dtype=np.int64
    )


def off_topic(
    *,
    semantic: FloatMatrix | None,
    relevance: FloatArray | None,
    lexical: FloatMatrix,
    lemma_sets: Sequence[set[str]],
    question: set[str],
    protected: Collection[int],
) -> dict[int, float]:
    """Rows (positions in the given matrices) that do not answer the question, with their score (lower is
    further off). ``semantic``: unit sentence embeddings or None; ``relevance``: each row's cosine to the
    question (embedding) or None; ``lexical``: the lexical unit vectors. ``protected`` rows are never chosen
    (the host put them back, or their group marked them as key). At most a fifth of the rows are chosen, and
    none in sessions of fewer than eight contributions (too few to say what is unusual)."""
    n = lexical.shape[0]
    if n < MIN_CONTRIBUTIONS or n > DENSE_UP_TO:
        return {}
    shared = shared_words(lemma_sets, question)
    if semantic is not None:
        score = robust_z(neighbour_similarity(semantic))
        if relevance is not None:
            # The question is the weaker signal (it also finds terse answers "unlike the question"), so
            # it counts for less; the sum is rescaled to stay a z-score.
            score = (score + QUESTION_WEIGHT * robust_z(relevance)) / np.sqrt(1 + QUESTION_WEIGHT**2)
        chosen = score <= THRESHOLD
    else:
        score = robust_z(neighbour_similarity(lexical))
        chosen = (shared == 0) & (score <= 0.0)
    candidates = [i for i in np.flatnonzero(chosen).tolist() if i not in protected]
    candidates.sort(key=lambda i: (float(score[i]), i))
    limit = int(MAX_SHARE * n)
    return {i: float(score[i]) for i in candidates[:limit]}
