"""Dutch compound splitting: "radarontwikkelingen" -> "radar", "ontwikkeling".

Dutch writes compounds as one word, so two texts about the same thing often share no word at all. A long word
is split into parts that are known lemmas (from the texts at hand, or simplemma's Dutch dictionary), allowing
the linking sounds "s", "e" and "en" between them (arbeid-s-markt, boek-en-kast). Among the possible splits
the whose parts are most frequent wins (Koehn & Knight 2003), and only if that beats keeping the word whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import simplemma

_MIN_PART = 3
_MIN_WORD = 8
_LINKS = ("", "s", "e", "en")


@lru_cache(maxsize=100_000)
def _known_nl(word: str) -> bool:
    return bool(simplemma.is_known(word, lang="nl"))


def _lemma_nl(word: str) -> str:
    form = str(simplemma.lemmatize(word, lang="nl")).casefold()
    # simplemma sometimes maps a fragment to an unrelated word ("geving" -> "vangen"): keep the fragment then.
    return form if form.isalpha() and form[:3] == word[:3] else word


def split_compound(
    token: str,
    frequencies: Mapping[str, int] | None = None,
    *,
    max_parts: int = 3,
    lemma: Callable[[str], str] = _lemma_nl,
) -> list[str]:
    """The parts of a Dutch compound as lemmas, or ``[token]`` when no split is convincing.

    ``frequencies`` counts lemmas in the texts at hand; a part is acceptable when it occurs there or is a
    word in the Dutch dictionary. The split is chosen by the geometric mean of the parts' frequencies (a known
    word not in the texts counts as 1), and must beat the whole word's own frequency.
    """
    freq = frequencies or {}
    if len(token) < _MIN_WORD or not token.isalpha():
        return [token]
    best = _best_split(token, freq, max_parts, lemma)
    if best is None:
        return [token]
    parts, score = best
    if score <= freq.get(token, 0) and freq.get(token, 0) > 0:
        return [token]
    return parts


def _part_score(part: str, freq: Mapping[str, int], lemma: Callable[[str], str]) -> tuple[str, int] | None:
    if len(part) < _MIN_PART:
        return None
    form = lemma(part)
    count = max(freq.get(part, 0), freq.get(form, 0))
    if count > 0:
        return form, count
    # Short dictionary words ("ra", "dar") are everywhere; only trust the dictionary for parts of 4+ letters.
    if len(part) >= 4 and _known_nl(part):
        return form, 1
    return None


def _best_split(
    word: str, freq: Mapping[str, int], max_parts: int, lemma: Callable[[str], str]
) -> tuple[list[str], float] | None:
    best: tuple[list[str], float] | None = None
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head = word[:cut]
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            stem = head[: len(head) - len(link)] if link else head
            head_part = _part_score(stem, freq, lemma)
            if head_part is None:
                continue
            tail = word[cut:]
            options: list[tuple[list[str], list[int]]] = []
            tail_part = _part_score(tail, freq, lemma)
            if tail_part is not None:
                options.append(([tail_part[0]], [tail_part[1]]))
            if max_parts > 2 and len(tail) >= 2 * _MIN_PART:
                deeper = _best_split(tail, freq, max_parts - 1, lemma)
                if deeper is not None:
                    # Undo the geometric mean to combine counts fairly.
                    options.append((deeper[0], [round(deeper[1])] * len(deeper[0])))
            for parts, counts in options:
                all_counts = [head_part[1], *counts]
                score = float(_geometric_mean(all_counts))
                if best is None or score > best[1] or (score == best[1] and len(parts) + 1 < len(best[0])):
                    best = ([head_part[0], *parts], score)
    return best


def _geometric_mean(values: list[int]) -> float:
    product = 1.0
    for value in values:
        product *= max(value, 1)
    return float(product ** (1.0 / len(values)))
