"""The real 17-line Dutch session that failed (../shared/examples/session-17.tsv, read in place): the draft
finds its three themes, sets aside the coffee, leaving-early and wifi lines with a reason and never quotes
them, keeps the listening-ear theme, and counts groups from each theme's own contributions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from werkkring.engines.synthesis import Contribution, synthesize

EXAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "examples" / "session-17.tsv"

pytestmark = pytest.mark.skipif(not EXAMPLE.exists(), reason="../shared/examples is not beside the repo")


def load() -> tuple[list[Contribution], list[int], str]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    question = json.loads(EXAMPLE.with_suffix(".json").read_text(encoding="utf-8"))["question"]
    return (
        [Contribution(r["text"], group=r["group"]) for r in rows],
        [int(r["theme"]) for r in rows],
        question,
    )


def test_the_draft_of_session_17_is_one_a_host_can_sign() -> None:
    contributions, truth, question = load()
    result = synthesize(contributions, question=question, backend="hybrid")
    off = {i for i, t in enumerate(truth) if t == 0}
    assert {item.index for item in result.set_aside} == off
    assert all(item.reason == "off_topic" and item.detail for item in result.set_aside)
    assert len(result.themes) == 3
    quoted = {q for t in result.themes for q in (t.summary, *t.quotes)}
    assert not quoted & {contributions[i].text for i in off}, "an off-topic line is never quoted"
    # The listening-ear theme (five lines of group 3) survives as a theme of its own.
    ear = {i for i, t in enumerate(truth) if t == 3}
    assert any(
        len(ear & set(t.members)) >= 4 and len(ear & set(t.members)) > len(t.members) / 2
        for t in result.themes
    )
    for theme in result.themes:
        assert list(theme.groups) == sorted({contributions[m].group for m in theme.members})  # type: ignore[type-var]
        assert len(theme.label.split()) <= 7 and "·" not in theme.label


def test_without_the_model_the_lexical_draft_still_sets_aside_and_never_quotes_what_it_set_aside() -> None:
    contributions, _, question = load()
    result = synthesize(contributions, question=question, backend="lexical")
    aside = {item.index for item in result.set_aside}
    quoted = {q for t in result.themes for q in (t.summary, *t.quotes)}
    assert not quoted & {contributions[i].text for i in aside}
    assert sum(t.size for t in result.themes) + len(aside) == len(contributions)
