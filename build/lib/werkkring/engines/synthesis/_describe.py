"""Describing a theme in the contributions' own words: label, summary line, quotes, near-duplicates."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.preprocessing import normalize as l2_normalize

from werkkring.engines.synthesis._features import Analysed

FloatMatrix = npt.NDArray[np.float32]

NEAR_DUPLICATE = 0.9
_PAIRWISE_UP_TO = 3_000
_SUMMARY_MAX_WORDS = 30
# What a quote from a group already quoted costs (about a quarter of the usual spread in centrality).
_SAME_GROUP = 0.15
# Dutch separable-verb particles ("voeg ... toe", "zet ... af"): content words for clustering, but no label.
# Pronouns and numerals that are not stop words for clustering but say nothing as a label.
_NOT_A_LABEL = frozenset({"toe", "af", "mee", "elkaar", "één", "iemand", "iets"})


def near_duplicate_components(words: sp.csr_matrix, members: Sequence[int]) -> list[int]:
    """A component id per member: members whose word TF-IDF cosine exceeds 0.9 share one (union-find).

    Pairwise only within one theme and only up to a few thousand members; beyond that only identical
    vectors are merged, so memory stays linear.
    """
    m = len(members)
    parent = list(range(m))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    block = sp.csr_matrix(l2_normalize(words[list(members)]))
    if m <= _PAIRWISE_UP_TO:
        similar = sp.triu(block @ block.T, k=1, format="coo")
        close = similar.data > NEAR_DUPLICATE
        for i, j in zip(similar.row[close].tolist(), similar.col[close].tolist(), strict=True):
            parent[find(i)] = find(j)
    else:
        seen: dict[bytes, int] = {}
        for i in range(m):
            row = block.getrow(i)
            key = row.indices.tobytes() + np.round(row.data, 4).tobytes()
            if key in seen:
                parent[find(i)] = find(seen[key])
            else:
                seen[key] = i
    return [find(i) for i in range(m)]


def centrality(vectors: FloatMatrix, members: Sequence[int]) -> FloatMatrix:
    block = vectors[list(members)]
    centre = block.mean(axis=0)
    norm = float(np.linalg.norm(centre))
    if norm == 0.0:
        return np.zeros(len(members), dtype=np.float32)
    return np.asarray(block @ (centre / norm), dtype=np.float32)


def pick_summary_and_quotes(
    texts: Sequence[str],
    vectors: FloatMatrix,
    members: Sequence[int],
    components: Sequence[int],
    quotes: int = 3,
    diversity: float = 0.4,
    *,
    bonus: Sequence[float] | None = None,
    groups: Sequence[str | None] | None = None,
) -> tuple[int, list[int]]:
    """The most central reasonably short contribution as the summary line, then up to ``quotes`` others,
    central but unlike each other (maximal marginal relevance), one per near-duplicate component, and from
    a group not quoted yet where the theme has one. ``bonus`` (per member) lifts key or voted ones."""
    central = centrality(vectors, members)
    if bonus is not None:
        central = (central + np.asarray(bonus, dtype=np.float32)).astype(np.float32)
    representative: dict[int, int] = {}
    for position in np.argsort(-central, kind="stable"):
        representative.setdefault(components[int(position)], int(position))
    candidates = sorted(representative.values(), key=lambda p: -float(central[p]))
    short = [p for p in candidates if len(texts[members[p]].split()) <= _SUMMARY_MAX_WORDS]
    summary = (short or candidates)[0]
    rest = [p for p in candidates if p != summary]
    chosen: list[int] = []
    block = vectors[list(members)]
    while rest and len(chosen) < quotes:
        picked = [summary, *chosen]
        similarity = block[rest] @ block[picked].T
        score = (1 - diversity) * central[rest] - diversity * similarity.max(axis=1)
        if groups is not None:
            used = {groups[p] for p in picked}
            score = score - _SAME_GROUP * np.array([groups[p] in used for p in rest], dtype=np.float32)
        best = rest[int(np.argmax(score))]
        chosen.append(best)
        rest.remove(best)
    return members[summary], [members[p] for p in chosen]


def class_tfidf_keywords(
    analysed: Analysed, clusters: Sequence[Sequence[int]], top: int = 3
) -> list[list[str]]:
    """Per cluster, the lemmas (or lemma pairs) that are frequent in it and rare elsewhere (c-TF-IDF),
    each shown in its most common surface form."""
    counts: list[Counter[str]] = []
    for members in clusters:
        counter: Counter[str] = Counter()
        for i in members:
            counter.update(set(analysed.lemmas[i]))
            # Pairs of words that stand next to each other in the text ("luisterend oor"), not pairs that
            # only meet once the function words between them are gone ("groot ... persoon").
            forms = zip(analysed.everything[i], analysed.content[i], strict=True)
            doc = [form if keep else "" for form, keep in forms]
            counter.update({f"{a} {b}" for a, b in itertools.pairwise(doc) if a and b and a != b})
        counts.append(counter)
    total: Counter[str] = Counter()
    for counter in counts:
        total.update(counter)
    average = max(1.0, sum(sum(c.values()) for c in counts) / max(1, len(counts)))
    result: list[list[str]] = []
    for members, counter in zip(clusters, counts, strict=True):
        size = len(members)
        minimum = 2 if size >= 4 else 1
        scored = sorted(
            (
                (count / size * math.log(1 + average / total[term]) * (1.3 if " " in term else 1.0), term)
                for term, count in counter.items()
                if count >= minimum
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        words: list[str] = []
        covered: set[str] = set()
        for _, term in scored:
            parts = term.split(" ")
            if any(part in _NOT_A_LABEL for part in parts):
                continue
            if any(_overlaps(part, seen) for part in parts for seen in covered):
                continue
            words.append(" ".join(_surface(analysed, part) for part in parts))
            covered.update(parts)
            if len(words) == top:
                break
        result.append(words)
    return result


def _overlaps(a: str, b: str) -> bool:
    """The same word or one word family ("herinneren", "herinnering"; "werk", "werken"): equal, sharing a
    6-letter start, or one a 4+-letter start of the other."""
    short, long = sorted((a, b), key=len)
    return (
        a == b
        or (len(a) >= 6 and len(b) >= 6 and a[:6] == b[:6])
        or (len(short) >= 4 and long.startswith(short))
    )


def _surface(analysed: Analysed, lemma: str) -> str:
    forms = analysed.surfaces.get(lemma)
    if not forms:
        return lemma
    return min(forms.items(), key=lambda item: (-item[1], item[0]))[0]


def label_from(keywords: Sequence[str]) -> str:
    if not keywords:
        return ""
    text = " · ".join(keywords)
    return text[0].upper() + text[1:]
