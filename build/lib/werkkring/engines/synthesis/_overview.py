"""A handful of headings above many themes: themes whose centroids lie close together form one family.

A national consultation gives a hundred themes or more; nobody reads a hundred bullets. The families come from
the same method that picks the number of themes of a work session (modularity of the nearest-neighbour
graph, here over the themes' centroids), so their number follows the data, from 2 up to about 1.5 * sqrt of
the number of themes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from werkkring.engines.synthesis import _cluster, _describe
from werkkring.engines.synthesis._features import Analysed
from werkkring.engines.synthesis._types import Overview, Theme

FloatMatrix = npt.NDArray[np.float32]

# More themes than this (what a reader takes in at once; the Markdown write-up lists 12) get an overview.
OVERVIEW_FROM = 12


def build_overview(
    themes: Sequence[Theme],
    members_of: Sequence[Sequence[int]],
    texts: Sequence[str],
    vectors: FloatMatrix,
    analysed: Analysed,
    seed: int,
) -> tuple[Overview, ...]:
    """Families of ``themes`` (``members_of[i]`` are the rows of theme i), largest first."""
    if len(themes) <= OVERVIEW_FROM:
        return ()
    centroids = np.stack([vectors[list(rows)].mean(axis=0) for rows in members_of]).astype(np.float32)
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    centroids = (centroids / np.where(norms == 0, 1, norms)).astype(np.float32)
    family_of = _cluster.modularity_spectral(centroids, seed)
    families = [np.flatnonzero(family_of == f).tolist() for f in np.unique(family_of)]
    families = [sorted(f, key=lambda t: (-themes[t].size, t)) for f in families]
    families.sort(key=lambda f: (-sum(themes[t].size for t in f), f[0]))
    rows = [sorted(r for t in family for r in members_of[t]) for family in families]
    keywords = _describe.class_tfidf_keywords(analysed, rows)
    result = []
    for index, (family, members) in enumerate(zip(families, rows, strict=True)):
        summary, _ = _describe.pick_summary_and_quotes(
            texts, vectors, members, list(range(len(members))), quotes=0
        )
        groups = sorted({g for t in family for g in themes[t].groups})
        result.append(
            Overview(
                id=index,
                label=_describe.label_from(keywords[index]) or themes[family[0]].label,
                summary=texts[summary].strip(),
                size=sum(themes[t].size for t in family),
                themes=tuple(themes[t].id for t in family),
                groups=tuple(groups),
            )
        )
    return tuple(result)
