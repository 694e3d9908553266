"""Theme labels: a short phrase in the input's own words, anchored on the word family most of the theme's
contributions share; and the draft's summary line and quotes."""

from __future__ import annotations

from werkkring.engines.synthesis import Contribution, GroupSummary, _describe, _features, _label, synthesize

BIKES = [
    "Fietsen repareren in de buurt, samen op zaterdag.",
    "Een fietsenmaker die uitlegt hoe je zelf een band plakt.",
    "Oude fietsen opknappen voor wie er geen heeft.",
    "Meer plekken om je fiets veilig te stallen.",
]
TREES = [
    "Bomen in elke straat voor schaduw in de zomer.",
    "Een boom planten bij elke nieuwe school.",
    "De bomen langs de gracht beter verzorgen.",
    "Geveltuintjes en bomen in plaats van tegels.",
]


def test_plural_singular_and_verb_forms_are_one_family() -> None:
    dutch = _features.analyse(["de winkel is leeg", "twee winkels minder", "kleine winkeltjes"], "nl")
    family = _label.word_families(dutch)
    lemmas = [lemma for doc in dutch.lemmas for lemma in doc]
    shops = {family[lemma] for lemma in lemmas if lemma.startswith("winkel")}
    assert len(shops) == 1
    # A family needs overlapping words: "leeg" and "klein" stay on their own.
    assert len({family["leeg"], family["klein"], *shops}) == 3
    english = _features.analyse(["we meet weekly", "a meeting on Monday", "meetings"], "en")
    family = _label.word_families(english)
    assert len({family[lemma] for doc in english.lemmas for lemma in doc if lemma.startswith("meet")}) == 1


def test_counts_are_per_family_so_forms_of_one_word_add_up() -> None:
    texts = ["Boom planten", "Bomen in de straat", "Meer bomen", "Fietsen repareren", "Een fiets", "Fiets"]
    analysed = _features.analyse(texts, "nl")
    weights, family = _label.term_weights(analysed, [[0, 1, 2], [3, 4, 5]], [1.0] * len(texts))
    # "boom" and "bomen" lemmatise alike, "fiets" and "fietsen" do not: as one family each is shared by all.
    assert family["fiets"] == family["fietsen"]
    assert max(weights[1], key=weights[1].__getitem__) == family["fiets"]
    assert max(weights[0], key=weights[0].__getitem__) == family["boom"]


def test_the_label_holds_the_word_most_contributions_share() -> None:
    # Two contributions share a four-word phrase; three share "luisterend oor". The label names what most
    # wrote (before: "Eerlijke tarieven voor goede vakmensen", the phrase with the most shared words).
    texts = [
        "Een luisterend oor.",
        "Een luisterend oor, geen advies.",
        "Een luisterend oor als het tegenzit.",
        "Eerlijke tarieven voor goede vakmensen.",
        "Samen praten over eerlijke tarieven voor goede vakmensen.",
    ]
    others = ["Samen nieuwe opdrachten binnenhalen.", "Nieuwe klanten via elkaar.", "Nieuwe opdrachten"]
    analysed = _features.analyse([*texts, *others], "nl")
    weights, family = _label.term_weights(analysed, [[0, 1, 2, 3, 4], [5, 6, 7]], [1.0] * 8)
    label = _label.phrase_label(texts, "nl", weights[0], [0.0] * 5, family)
    assert label.casefold().startswith("luisterend oor")
    assert len(label.split()) <= 7 and "·" not in label


def test_a_second_phrase_joins_in_the_input_language_and_only_once() -> None:
    english = [
        "Safe cycle routes to school",
        "Cycle routes that feel safe",
        "Walk to school safely",
        "Walk more",
    ]
    other = ["Cheaper buses", "Buses on Sundays", "More buses"]
    analysed = _features.analyse([*english, *other], "en")
    weights, family = _label.term_weights(analysed, [[0, 1, 2, 3], [4, 5, 6]], [1.0] * 7)
    label = _label.phrase_label(english, "en", weights[0], [0.0] * 4, family)
    assert label.casefold().count(" and ") <= 1 and " en " not in label
    dutch = _label.phrase_label(BIKES, "nl", *_weights_of(BIKES, TREES))
    assert " and " not in dutch and dutch.casefold().count(" en ") <= 1
    # A second phrase is a phrase: never a lone word tacked on ("Counsellors and first").
    if " en " in dutch:
        assert len(dutch.split(" en ", 1)[1].split()) >= 2


def _weights_of(theme: list[str], rest: list[str]) -> tuple[dict[str, float], list[float], dict[str, str]]:
    analysed = _features.analyse([*theme, *rest], "nl")
    clusters = [list(range(len(theme))), list(range(len(theme), len(theme) + len(rest)))]
    weights, family = _label.term_weights(analysed, clusters, [1.0] * (len(theme) + len(rest)))
    return weights[0], [0.0] * len(theme), family


def test_a_label_is_taken_from_the_themes_own_words() -> None:
    texts = BIKES + TREES
    result = synthesize([Contribution(t, group=g) for t, g in zip(texts, "ABCDABCD", strict=True)], themes=2)
    for theme in result.themes:
        own = {w for m in theme.members for w in _features.tokenize(texts[m])}
        assert theme.label and theme.label_source == "draft" and theme.label[0].isupper()
        assert set(_features.tokenize(theme.label)) <= own | {"en"}


def test_key_contributions_and_group_summaries_weigh_in_on_the_label() -> None:
    theme = [
        "Schaduw in de zomer.",
        "Meer schaduw op het plein.",
        "Schaduw bij de speeltuin.",
        "Een bankje om te zitten.",
        "Een bankje bij de bushalte.",
    ]
    rest = ["Fietsen repareren.", "Fietsen delen.", "Een fietsenmaker in de wijk.", "Fietsen lenen"]
    harvest = ["Bankjes, overal bankjes.", "Een bankje om uit te rusten."]
    analysed = _features.analyse([*theme, *rest, *harvest], "nl")
    clusters = [[0, 1, 2, 3, 4], [5, 6, 7, 8]]

    def label(weight: list[float], with_harvest: bool = False) -> str:
        members = [clusters[0] + ([9, 10] if with_harvest else []), clusters[1]]
        weights, family = _label.term_weights(analysed, members, weight)
        texts = [[*theme, *rest, *harvest][i] for i in members[0]]
        return _label.phrase_label(texts, "nl", weights[0], [0.0] * len(texts), family).casefold()

    plain = [1.0] * 11
    assert label(plain).startswith("schaduw"), "three contributions say schaduw, two bankje"
    key = [2.0 if "bankje" in text else 1.0 for text in [*theme, *rest]] + [1.0, 1.0]
    assert label(key).startswith("bankje"), "a key contribution counts twice"
    assert label(plain, with_harvest=True).startswith("bankje"), "a group's own summary counts as one more"
    # In the pipeline, the summaries go to the theme they are most like and take part in its label.
    items = [Contribution(t, group=g) for t, g in zip(theme + rest, "ABCABCABC", strict=True)]
    result = synthesize(items, themes=2, summaries=[GroupSummary("A", h) for h in harvest])
    assert next(t for t in result.themes if 0 in t.members).summary_source == "group"


def test_the_summary_line_is_a_contribution_marked_draft_and_quotes_come_from_other_groups() -> None:
    texts = [
        "Een veilige plek om te oefenen.",
        "Een veilige plek waar ik twijfels kwijt kan.",
        "Een plek waar het veilig is om fouten te maken.",
        "Een veilige omgeving om te leren.",
    ]
    groups = ["A", "A", "B", "C"]
    analysed = _features.analyse(texts, "nl")
    words, _ = _features.word_tfidf(analysed)
    vectors = _features.lsa(_features.stacked(words, _features.char_tfidf(analysed)), seed=0)
    summary, quotes = _describe.pick_summary_and_quotes(
        texts, vectors, [0, 1, 2, 3], [0, 1, 2, 3], quotes=2, groups=groups
    )
    assert summary in range(4) and summary not in quotes
    picked_groups = [groups[p] for p in [summary, *quotes]]
    assert len(set(picked_groups)) == 3, "the quotes come from groups not quoted yet"
    result = synthesize(
        [Contribution(t, group=g) for t, g in zip(texts + TREES, groups * 2, strict=True)], themes=2
    )
    for theme in result.themes:
        assert theme.summary_source == "draft"
        assert theme.summary in texts + TREES
        assert set(theme.quotes) <= set(texts + TREES) - {theme.summary}


def test_cards_between_two_themes_say_less_about_either() -> None:
    import numpy as np

    from werkkring.engines.synthesis._synthesize import _clearly_of

    def unit(x: float, y: float) -> list[float]:
        return [x / np.hypot(x, y), y / np.hypot(x, y)]

    vectors = np.array([unit(1, 0), unit(1, 0.1), unit(1, 0.9), unit(0, 1), unit(0.1, 1)], dtype=np.float32)
    weights = _clearly_of(vectors, [[0, 1, 2], [3, 4]], [1.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    assert weights[2] == 0.5, "the card nearly as close to the other theme counts half"
    assert weights[0] == 1.0 and weights[1] == 1.5, "a key card (2.0) counts twice what it would"
    assert weights[5] == 1.0, "a group summary keeps its weight"
    assert sorted(weights[3:5]) == [0.5, 1.0]
    one = _clearly_of(vectors, [[0, 1, 2, 3, 4], []], [1.0] * 5)
    assert one == [1.0] * 5, "with one theme there is nothing to be between"
