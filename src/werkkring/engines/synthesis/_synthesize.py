"""The pipeline: validate, skip empty texts, vectorise, cluster unique texts, describe the themes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from werkkring.engines.synthesis import _cluster, _describe, _features, _overview
from werkkring.engines.synthesis._types import Backend, Contribution, Synthesis, Theme
from werkkring.engines.text import detect_language
from werkkring.errors import InputError, Problem

FloatMatrix = npt.NDArray[np.float32]
MAX_THEMES = 1_000


def _validate(contributions: Sequence[Contribution], themes: int | Literal["auto"], backend: str) -> None:
    problems: list[Problem] = []
    if not (themes == "auto" or (isinstance(themes, int) and not isinstance(themes, bool) and themes >= 1)):
        problems.append(Problem(f"themes must be 'auto' or a whole number of at least 1, not {themes!r}"))
    elif isinstance(themes, int) and themes > MAX_THEMES:
        problems.append(Problem(f"themes must be at most {MAX_THEMES}, not {themes}"))
    if backend not in ("lexical", "embedding"):
        problems.append(Problem(f"backend must be 'lexical' or 'embedding', not {backend!r}"))
    for index, item in enumerate(contributions):
        if not isinstance(item, Contribution):
            problems.append(Problem(f"contribution {index} is a {type(item).__name__}, not a Contribution"))
        elif not isinstance(item.text, str):
            problems.append(Problem(f"contribution {index} has text of type {type(item.text).__name__}"))
        if len(problems) >= 20:
            break
    if problems:
        raise InputError(problems)


def synthesize(
    contributions: Sequence[Contribution],
    *,
    themes: int | Literal["auto"] = "auto",
    backend: Backend = "lexical",
    model_path: str | None = None,
    seed: int = 0,
) -> Synthesis:
    """Group contributions into themes and describe each in the contributions' own words.

    ``themes`` is the number of themes or ``"auto"``; ``backend`` "lexical" works offline with no model,
    "embedding" needs the ``werkkring[embedding]`` extra and a local sentence-transformers model
    (``model_path``, or the packaged English MiniLM when installed). Deterministic for ``seed``.
    """
    _validate(contributions, themes, backend)
    # One thread for BLAS and OpenMP: on small machines (2 cores) their pools fight each other and made
    # k-means 10-70 times slower; single-threaded is faster here and deterministic.
    with threadpool_limits(limits=1):
        return _synthesize(contributions, themes, backend, model_path, seed)


def _synthesize(
    contributions: Sequence[Contribution],
    themes: int | Literal["auto"],
    backend: Backend,
    model_path: str | None,
    seed: int,
) -> Synthesis:
    n_all = len(contributions)
    kept = [i for i, c in enumerate(contributions) if c.text.strip()]
    texts = [contributions[i].text for i in kept]
    language = detect_language(texts)
    skipped = n_all - len(kept)
    if not texts:
        return Synthesis((), (None,) * n_all, None, language, skipped, 0, backend)

    analysed = _features.analyse(texts, language)
    words, _ = _features.word_tfidf(analysed)

    # Identical contributions (same content lemmas) are clustered once: the same point counts once.
    keys = [" ".join(doc) for doc in analysed.lemmas]
    first_of: dict[str, int] = {}
    unique_of = np.empty(len(texts), dtype=np.int64)
    uniques: list[int] = []
    for i, key in enumerate(keys):
        if key not in first_of:
            first_of[key] = len(uniques)
            uniques.append(i)
        unique_of[i] = first_of[key]
    empty_unique = np.array([not analysed.lemmas[i] for i in uniques])

    if backend == "embedding":
        from werkkring.engines.embedding import local_embedder

        vectors_unique = local_embedder(model_path).encode([texts[i] for i in uniques])
    else:
        chars = _features.char_tfidf(analysed)
        stacked = _features.stacked(words[uniques], chars[uniques])
        vectors_unique = _features.lsa(stacked, seed)
        vectors_unique[empty_unique] = 0.0

    usable = np.flatnonzero(~empty_unique) if backend == "lexical" else np.arange(len(uniques))
    labels_unique = np.full(len(uniques), -1, dtype=np.int64)
    if len(usable) > 0:
        points = vectors_unique[usable]
        if themes == "auto":
            labels_unique[usable] = _cluster.cluster_auto(points, seed)
        else:
            labels_unique[usable] = _cluster.cluster(points, min(themes, len(usable)), seed)
        if themes == "auto" and len(usable) >= 10:
            # A theme of one contribution is an outlier, not a theme.
            counts = np.bincount(labels_unique[usable])
            lonely = np.isin(labels_unique, np.flatnonzero(counts == 1))
            labels_unique[lonely & (labels_unique >= 0)] = -1

    labels = labels_unique[unique_of]
    vectors = vectors_unique[unique_of]
    clusters = [np.flatnonzero(labels == c).tolist() for c in np.unique(labels[labels >= 0])]
    clusters.sort(key=lambda members: (-len(members), members[0]))

    keywords = _describe.class_tfidf_keywords(analysed, clusters)
    groups_of = [contributions[i].group for i in kept]
    built: list[Theme] = []
    theme_of = np.full(len(texts), -1, dtype=np.int64)
    for theme_id, members in enumerate(clusters):
        theme_of[members] = theme_id
        components = _describe.near_duplicate_components(words, members)
        summary, quotes = _describe.pick_summary_and_quotes(texts, vectors, members, components)
        groups = sorted({g for g in (groups_of[i] for i in members) if g is not None})
        label = _describe.label_from(keywords[theme_id]) or _short(texts[summary])
        built.append(
            Theme(
                id=theme_id,
                label=label,
                summary=texts[summary].strip(),
                size=len(members),
                distinct=len(set(components)),
                groups=tuple(groups),
                quotes=tuple(texts[q].strip() for q in quotes),
                keywords=tuple(keywords[theme_id]),
            )
        )
    assignments: list[int | None] = [None] * n_all
    for position, original in enumerate(kept):
        value = int(theme_of[position])
        assignments[original] = value if value >= 0 else None
    outliers = int(np.sum(theme_of < 0))
    undercurrent = max(built, key=lambda t: (len(t.groups), t.size, -t.id)).id if built else None
    overview = _overview.build_overview(built, clusters, texts, vectors, analysed, seed)
    return Synthesis(
        tuple(built), tuple(assignments), undercurrent, language, skipped, outliers, backend, overview
    )


def _short(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
