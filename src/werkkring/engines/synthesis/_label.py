"""A theme's label as a short phrase from its own contributions ("Een luisterend oor", "fair meeting times"),
not a list of keywords.

What the label must name is the word most of the theme's contributions share and the other themes use less:
per word *family* ("meet"/"meeting", "winkel"/"winkeltje" count as one, so plural, singular and verb forms
merge), the share of the theme's contributions that hold it times how distinctive it is (class-based
TF-IDF; a key contribution of a group counts twice, a group's own summary counts as a contribution). That
strongest family is the label's *anchor*. Candidates are stretches of words as someone wrote them: two to six
words inside one clause (no comma, full stop or colon in between), starting and ending with a content word;
a stretch scores by the weight of the families it holds, less a little per word. The label is the best
stretch that holds the anchor. When one of the next two families, at least half as strong, is not in it, the
best stretch of two words or more holding that one is joined with "en" / "and" ("Veilige plek en een
luisterend oor") as long as that stays within seven words.

Measured on the dev sessions of bench/synthesis/sessions.py (label shares a content word with the
facilitator's title): the anchor, the word families and weighing the cards that sit between two themes at
half (``_synthesize._clearly_of``) took the labels on the facilitator's own grouping from 52 % to 58 % and on
the draft's own grouping from 41 % to 48 %. Re-ranking the phrases by how close their sentence vector is to
the theme's (the previous step) no longer paid and is gone; the question's own words are not left out, as
facilitators' titles use them as often as not.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from werkkring.engines.synthesis._describe import _overlaps
from werkkring.engines.synthesis._features import Analysed
from werkkring.engines.text import Language, is_stopword, lemmatize_tokens, normalize

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)?", re.UNICODE)
_BREAK = re.compile(r"[,.;:!?()\[\]/\"“”„]|\s[-–—]\s")
_MAX_WORDS = 6
_MAX_LABEL_WORDS = 7
# A word more must bring at least this share of the theme's strongest word's weight.
_LENGTH_COST = 0.15
# A second phrase joins when its family has at least this share of the anchor's weight ...
_JOIN_FROM = 0.5
# ... and is one of the next this many families.
_JOIN_LOOK = 2
# What the same phrase written by one more person adds to its score.
_REPEATED = 0.05
# Words that open a new clause: a label does not run across them ("opdrachten of met mezelf"). "En" and
# "and" may stand inside a label ("bomen en schaduw").
_CLAUSE = frozenset(
    """of maar want omdat dat die dan wat welke wie waar als zodat terwijl or but because that which who
    where when if so while than""".split()
)
# Words that say nothing as a theme's label but are no stop words for clustering: Dutch separable-verb
# particles, pronouns, numerals and ordinals, and words of frequency or quantity.
_NOT_A_LABEL = frozenset(
    """toe af mee elkaar iemand iets ze één twee drie vier vijf zes zeven acht negen tien eerste tweede
    derde half per keer weer soms another two three four five six seven eight nine ten first second third
    half per times again sometimes once twice""".split()
)


@dataclass(frozen=True)
class _Span:
    text: str
    lemmas: frozenset[str]
    score: float
    words: int


def word_families(analysed: Analysed) -> dict[str, str]:
    """Each content lemma and compound part of the texts mapped to its word family: the most frequent lemma
    of the texts whose family it overlaps with (``_overlaps``: "meet"/"meeting", "klus"/"klussen"/"klusje"),
    the most frequent first. Two families are never merged afterwards."""
    frequency: Counter[str] = Counter()
    for lemmas, parts in zip(analysed.lemmas, analysed.parts, strict=True):
        frequency.update(set(lemmas) | set(parts))
    # By the first four letters, which two words of one family share: the families begun there, each a
    # head and its members.
    buckets: dict[str, list[list[str]]] = {}
    family: dict[str, str] = {}
    for lemma, _ in sorted(frequency.items(), key=lambda item: (-item[1], item[0])):
        bucket = buckets.setdefault(lemma[:4], [])
        found = next((f for f in bucket if any(_overlaps(w, lemma) for w in f)), None)
        if found is None:
            found = []
            bucket.append(found)
        found.append(lemma)
        family[lemma] = found[0]
    return family


def term_weights(
    analysed: Analysed, clusters: Sequence[Sequence[int]], weight: Sequence[float]
) -> tuple[list[dict[str, float]], dict[str, str]]:
    """Per cluster, each word family's class-based TF-IDF: the (weighted) share of the cluster's texts that
    hold it, times log(1 + average cluster mass / its mass everywhere); and the families themselves
    (``word_families``). Only families at least two texts of the cluster share (one in a cluster of one or
    two) get a weight; in a cluster whose texts share none, every family does."""
    family = word_families(analysed)
    counts: list[dict[str, float]] = []
    holding: list[Counter[str]] = []
    for members in clusters:
        counter: dict[str, float] = {}
        texts_of: Counter[str] = Counter()
        for i in members:
            held = {family[w] for w in set(analysed.lemmas[i]) | set(analysed.parts[i])}
            texts_of.update(held)
            for f in held:
                counter[f] = counter.get(f, 0.0) + weight[i]
        counts.append(counter)
        holding.append(texts_of)
    total: dict[str, float] = {}
    for counter in counts:
        for f, count in counter.items():
            total[f] = total.get(f, 0.0) + count
    average = max(1.0, sum(sum(c.values()) for c in counts) / max(1, len(counts)))
    result = []
    for members, counter, texts_of in zip(clusters, counts, holding, strict=True):
        mass = sum(weight[i] for i in members) or 1.0
        shared = [
            f for f in counter if f not in _NOT_A_LABEL and texts_of[f] >= (2 if len(members) >= 3 else 1)
        ]
        chosen = shared or [f for f in counter if f not in _NOT_A_LABEL]
        result.append({f: counter[f] / mass * math.log(1 + average / total[f]) for f in chosen})
    return result, family


def _spans(
    text: str, language: Language, weights: dict[str, float], cost: float, family: dict[str, str]
) -> list[_Span]:
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
            held = frozenset(family.get(lemmas[i], lemmas[i]) for i in range(start, end + 1) if content[i])
            gain = sum(weights.get(f, 0.0) for f in held)
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
    family: dict[str, str] | None = None,
) -> str:
    """The label of a theme whose contributions are ``texts``, with ``weights`` per word family (from
    ``term_weights``, whose ``family`` map says which family a lemma belongs to; without it every lemma is
    its own family) and ``prefer`` a small bonus per text (e.g. for key contributions); "" when its
    contributions share no content word."""
    if not weights:
        return ""
    families = family or {}
    strongest = max(weights.values())
    cost = _LENGTH_COST * strongest
    best: dict[str, _Span] = {}
    frequency: Counter[str] = Counter()
    for text, bonus in zip(texts, prefer, strict=True):
        for span in _spans(text, language, weights, cost, families):
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
        key=lambda s: (-(s.score + _REPEATED * (frequency[s.text.casefold()] - 1)), s.words, s.text),
    )
    order = sorted(weights, key=lambda f: (-weights[f], f))
    anchor = order[0]
    top = next((s for s in ranked if anchor in s.lemmas), ranked[0])
    label = top.text
    # A second phrase when one of the next strongest families is missing from the first and nearly as
    # strong, and it is a phrase itself: "Safe cycle routes and walk to school"; "Counsellors and first"
    # says less than "Counsellors", and one "and" in a label is enough.
    missing = [f for f in order[1 : 1 + _JOIN_LOOK] if not any(_overlaps(f, b) for b in top.lemmas)]
    if missing and weights[missing[0]] >= _JOIN_FROM * weights[anchor]:
        second = next(
            (
                s
                for s in ranked
                if missing[0] in s.lemmas
                and not any(_overlaps(a, b) for a in s.lemmas for b in top.lemmas)
                and top.words + s.words < _MAX_LABEL_WORDS
                and s.words >= 2
            ),
            None,
        )
        conjunction = "and" if language == "en" else "en"
        if second is not None and not any(
            conjunction in _WORD.findall(phrase.text.casefold()) for phrase in (top, second)
        ):
            label = f"{top.text} {conjunction} {_lower_first(second.text)}"
    return label[:1].upper() + label[1:]


def _lower_first(text: str) -> str:
    """ "Drempels" in the middle of a label is "drempels"; "LinkedIn" and "ICT" stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
