"""A theme's label as a short phrase from its own contributions ("Een luisterend oor", "fair meeting times"),
not a list of keywords.

Every candidate is a stretch of words as someone wrote it: two to six words inside one clause (no comma,
full stop or colon in between), starting and ending with a content word. A stretch scores by the weight of
the content words it holds that *several* contributions of the theme share and other themes use less
(class-based TF-IDF; a key contribution of a group counts twice); longer stretches pay a little per word.
When the best stretch leaves out a word nearly as strong, the two best stretches that share no word are
joined with "en" / "and" ("Veilige plek en een luisterend oor") as long as that stays within eight words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from werkkring.engines.synthesis._describe import _overlaps
from werkkring.engines.synthesis._features import Analysed
from werkkring.engines.text import Language, is_stopword, lemmatize_tokens, normalize

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)?", re.UNICODE)
_BREAK = re.compile(r"[,.;:!?()\[\]/\"“”„]|\s[-–—]\s")
_MAX_WORDS = 6
_MAX_LABEL_WORDS = 7
# A word more must bring at least this share of the theme's strongest word's weight.
_LENGTH_COST = 0.15
_JOIN_FROM = 0.7
_RERANK = 12
_WORDS_IN_RERANK = 0.5
# Words that say nothing as a theme's label but are no stop words for clustering: Dutch separable-verb
# particles, pronouns, numerals and words of frequency or quantity.
# Words that open a new clause: a label does not run across them ("opdrachten of met mezelf"). "En" and
# "and" may stand inside a label ("bomen en schaduw").
_CLAUSE = frozenset(
    """of maar want omdat dat die dan wat welke wie waar als zodat terwijl or but because that which who
    where when if so while than""".split()
)
_NOT_A_LABEL = frozenset(
    """toe af mee elkaar iemand iets één twee drie vier vijf zes zeven acht negen tien half per keer weer
    soms two three four five six seven eight nine ten half per times again sometimes once twice""".split()
)


@dataclass(frozen=True)
class _Span:
    text: str
    lemmas: frozenset[str]
    score: float
    words: int


def term_weights(
    analysed: Analysed, clusters: Sequence[Sequence[int]], weight: Sequence[float]
) -> list[dict[str, float]]:
    """Per cluster, each content lemma's class-based TF-IDF: the (weighted) share of the cluster's texts that
    hold it, times log(1 + average cluster mass / its mass everywhere). Only lemmas at least two texts of
    the cluster share (one in a cluster of one or two) get a weight."""
    counts: list[dict[str, float]] = []
    for members in clusters:
        counter: dict[str, float] = {}
        for i in members:
            for lemma in set(analysed.lemmas[i]) | set(analysed.parts[i]):
                counter[lemma] = counter.get(lemma, 0.0) + weight[i]
        counts.append(counter)
    total: dict[str, float] = {}
    for counter in counts:
        for lemma, count in counter.items():
            total[lemma] = total.get(lemma, 0.0) + count
    average = max(1.0, sum(sum(c.values()) for c in counts) / max(1, len(counts)))
    result = []
    for members, counter in zip(clusters, counts, strict=True):
        mass = sum(weight[i] for i in members) or 1.0
        texts_of: Counter[str] = Counter()
        for i in members:
            texts_of.update(set(analysed.lemmas[i]) | set(analysed.parts[i]))
        # Words several contributions share; in a theme whose contributions share none, every word.
        shared = [
            w for w in counter if w not in _NOT_A_LABEL and texts_of[w] >= (2 if len(members) >= 3 else 1)
        ]
        chosen = shared or [w for w in counter if w not in _NOT_A_LABEL]
        result.append({w: counter[w] / mass * math.log(1 + average / total[w]) for w in chosen})
    return result


def _spans(text: str, language: Language, weights: dict[str, float], cost: float) -> list[_Span]:
    matches = list(_WORD.finditer(text))
    tokens = [normalize(m.group()) for m in matches]
    lemmas = lemmatize_tokens(tokens, language)
    content = [not (is_stopword(t) or is_stopword(lemma)) for t, lemma in zip(tokens, lemmas, strict=True)]
    spans: list[_Span] = []
    for start in range(len(matches)):
        if not content[start]:
            continue
        for end in range(start, min(len(matches), start + _MAX_WORDS)):
            if end > start and (
                _BREAK.search(text[matches[end - 1].end() : matches[end].start()]) or tokens[end] in _CLAUSE
            ):
                break
            if not content[end] or _attributive(tokens, lemmas, content, end, language):
                continue
            held = frozenset(lemmas[i] for i in range(start, end + 1) if content[i])
            gain = sum(weights.get(lemma, 0.0) for lemma in held)
            if gain <= 0:
                continue
            words = end - start + 1
            surface = text[matches[start].start() : matches[end].end()]
            spans.append(_Span(surface, held, gain - cost * (words - 1), words))
    return spans


def _attributive(
    tokens: list[str], lemmas: list[str], content: list[bool], index: int, language: Language
) -> bool:
    """A Dutch inflected adjective before a content word ("nieuwe" in "nieuwe mogelijkheden"): a phrase
    does not end there, it takes the noun along."""
    return (
        language != "en"
        and index + 1 < len(tokens)
        and content[index + 1]
        and tokens[index].endswith("e")
        and lemmas[index] != tokens[index]
        and tokens[index].startswith(lemmas[index])
    )


def phrase_label(
    texts: Sequence[str],
    language: Language,
    weights: dict[str, float],
    prefer: Sequence[float],
    meaning: Callable[[list[str]], npt.NDArray[np.float32]] | None = None,
) -> str:
    """The label of a theme whose contributions are ``texts`` (``prefer``: a small bonus per text, e.g. for
    key contributions), or "" when its contributions share no content word.

    ``meaning`` (with sentence embeddings): how close each candidate phrase is to what the theme's
    contributions mean (cosine to their centre). The best ``_RERANK`` phrases by words are then ranked by
    meaning plus half their word score (relative to the best), so the label says what the theme is about
    rather than which word its contributions repeat."""
    if not weights:
        return ""
    cost = _LENGTH_COST * max(weights.values())
    best: dict[str, _Span] = {}
    frequency: Counter[str] = Counter()
    for text, bonus in zip(texts, prefer, strict=True):
        for span in _spans(text, language, weights, cost):
            key = span.text.casefold()
            frequency[key] += 1
            scored = _Span(span.text, span.lemmas, span.score + bonus, span.words)
            if key not in best or scored.score > best[key].score:
                best[key] = scored
    if not best:
        return ""
    # The same phrase written by several people is a better label than one person's wording.
    ranked = sorted(
        best.values(),
        key=lambda s: (-(s.score + 0.05 * (frequency[s.text.casefold()] - 1)), s.words, s.text),
    )
    if meaning is not None and len(ranked) > 1:
        shortlist = ranked[:_RERANK]
        close = meaning([span.text for span in shortlist])
        best_words = max(span.score for span in shortlist) or 1.0
        reranked = [
            _Span(span.text, span.lemmas, float(sim) + _WORDS_IN_RERANK * span.score / best_words, span.words)
            for span, sim in zip(shortlist, close, strict=True)
        ]
        ranked = sorted(reranked, key=lambda s: (-s.score, s.words, s.text))
    top = ranked[0]
    label = top.text
    # A second phrase only when it is nearly as strong, says something else (no word of one family with the
    # first) and is a phrase itself: "Waiting and talking" says less than "Talking".
    rest = [
        s
        for s in ranked[1:]
        if not any(_overlaps(a, b) for a in s.lemmas for b in top.lemmas) and s.words >= 2
    ]
    if rest and rest[0].score >= _JOIN_FROM * top.score and top.words + rest[0].words < _MAX_LABEL_WORDS:
        label = f"{top.text} {'and' if language == 'en' else 'en'} {_lower_first(rest[0].text)}"
    return label[:1].upper() + label[1:]


def _lower_first(text: str) -> str:
    """ "Drempels" in the middle of a label is "drempels"; "LinkedIn" and "ICT" stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
