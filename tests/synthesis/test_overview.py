"""Main themes above many themes: families of related themes for large inputs, none for a session."""

from __future__ import annotations

import json
import random
from pathlib import Path

from werkkring.engines.synthesis import Contribution, synthesize, to_markdown

from .test_cli import invoke

DOMAINS = {
    "fiets": (
        ["fiets", "fietsen", "fietser", "wielen"],
        ["band", "ketting", "remmen", "zadel", "verlichting", "bel"],
    ),
    "tuin": (
        ["tuin", "tuinieren", "planten", "grond"],
        ["rozen", "gazon", "moestuin", "snoeien", "compost", "vijver"],
    ),
    "geld": (
        ["geld", "financien", "boekhouding", "belasting"],
        ["aangifte", "facturen", "pensioen", "sparen", "lening", "btw"],
    ),
}


def consultation(per_topic: int = 12, seed: int = 1) -> tuple[list[Contribution], list[tuple[str, str]]]:
    """Three domains of six topics each: every text names its domain and its topic in other words."""
    rng = random.Random(seed)
    items: list[tuple[str, tuple[str, str]]] = []
    for domain, (base, topics) in DOMAINS.items():
        for topic in topics:
            for _ in range(per_topic):
                words = [*rng.sample(base, 2), topic, topic + "werk", rng.choice(["graag", "vaker", "samen"])]
                rng.shuffle(words)
                items.append((" ".join(words), (domain, topic)))
    rng.shuffle(items)
    return [Contribution(text, group=str(i % 20)) for i, (text, _) in enumerate(items)], [t for _, t in items]


def test_many_themes_get_a_handful_of_main_themes_that_follow_the_domains() -> None:
    contributions, truth = consultation()
    result = synthesize(contributions, themes=18, seed=0)
    assert len(result.themes) == 18
    assert 2 <= len(result.overview) <= 6
    listed = [t for family in result.overview for t in family.themes]
    assert sorted(listed) == [t.id for t in result.themes]  # every theme in exactly one family
    texts = {c.text for c in contributions}
    sizes = {t.id: t.size for t in result.themes}
    for family in result.overview:
        assert family.size == sum(sizes[t] for t in family.themes)
        assert family.summary in texts and family.label
        assert [sizes[t] for t in family.themes] == sorted((sizes[t] for t in family.themes), reverse=True)
        # A family holds themes of one domain: its contributions come from one domain.
        rows = [i for i, a in enumerate(result.assignments) if a in set(family.themes)]
        domains = [truth[i][0] for i in rows]
        assert max(domains.count(d) for d in DOMAINS) / len(domains) >= 0.9
    assert [f.size for f in result.overview] == sorted((f.size for f in result.overview), reverse=True)
    text = to_markdown(result)
    assert "hoofdthema's" in text and f"- **{result.overview[0].label}**" in text


def test_a_session_with_a_few_themes_has_no_overview() -> None:
    contributions, _ = consultation(per_topic=3)
    assert synthesize(contributions[:30], themes=4, seed=0).overview == ()
    assert "hoofdthema" not in to_markdown(synthesize(contributions[:30], themes=4, seed=0))


def test_the_cli_json_carries_the_overview(tmp_path: Path) -> None:
    contributions, _ = consultation()
    path = tmp_path / "input.tsv"
    path.write_text(
        "text\tgroup\n" + "".join(f"{c.text}\t{c.group}\n" for c in contributions), encoding="utf-8"
    )
    code, out, err = invoke(str(path), "--themes", "18")
    assert code == 0, err
    data = json.loads(out)
    assert data["overview"] and {"id", "label", "summary", "size", "themes", "groups"} <= set(
        data["overview"][0]
    )
    assert sorted(t for f in data["overview"] for t in f["themes"]) == list(range(18))
