"""`werkkring match --backend embedding`: which model it loads, and what it says when it cannot."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from typer.testing import CliRunner

from werkkring.cli import app
from werkkring.engines.embedding import _sentence_transformers as _embedding
from werkkring.errors import InputError

from .conftest import NETWORK

runner = CliRunner()
HAS_ST = importlib.util.find_spec("sentence_transformers") is not None
PACKAGED = _embedding.default_model_path()


def _members(path: Path) -> Path:
    records = [{"id": i, "needs": need, "offers": offers} for i, need, offers, _ in NETWORK]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _match(members: Path) -> Any:
    return runner.invoke(app, ["match", str(members), "--top", "1", "--backend", "embedding"])


def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No model override; the offline switches the CLI may set are undone after the test."""
    for name in ("WERKKRING_EMBEDDING_MODEL", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)


class _FakeModel:
    """Stands in for SentenceTransformer: remembers what it was asked to load; vectors from word hashes."""

    loaded: ClassVar[list[str]] = []

    def __init__(self, name: str, **_: object) -> None:
        _FakeModel.loaded.append(name)

    def encode(self, texts: list[str], **_: object) -> Any:
        vectors = np.zeros((len(texts), 64))
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, sum(map(ord, word)) % 64] += 1.0
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def fake_st(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    module = types.ModuleType("sentence_transformers")
    module.SentenceTransformer = _FakeModel  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", module)
    _clean_environment(monkeypatch)
    _FakeModel.loaded.clear()
    return _FakeModel.loaded


def test_without_sentence_transformers_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    result = _match(_members(tmp_path / "m.jsonl"))
    assert isinstance(result.exception, InputError)
    assert "werkkring[embedding]" in str(result.exception)


def test_by_default_the_packaged_model_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_st: list[str]
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    monkeypatch.setattr(_embedding, "default_model_path", lambda: str(model))
    result = _match(_members(tmp_path / "m.jsonl"))
    assert result.exit_code == 0, result.output
    assert fake_st == [str(model)]
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # a model on disk is loaded without the hub
    assert len(result.stdout.splitlines()) == len(NETWORK)


def test_the_environment_variable_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_st: list[str]
) -> None:
    monkeypatch.setattr(_embedding, "default_model_path", lambda: str(tmp_path))
    monkeypatch.setenv("WERKKRING_EMBEDDING_MODEL", "my/own-model")
    assert _match(_members(tmp_path / "m.jsonl")).exit_code == 0
    assert fake_st == ["my/own-model"]


def test_without_any_model_the_error_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_st: list[str]
) -> None:
    monkeypatch.setattr(_embedding, "default_model_path", lambda: None)
    result = _match(_members(tmp_path / "m.jsonl"))
    assert isinstance(result.exception, InputError)
    message = str(result.exception)
    assert "werkkring[embedding]" in message and "WERKKRING_EMBEDDING_MODEL" in message and not fake_st


@pytest.mark.skipif(not HAS_ST or PACKAGED is None, reason="needs the 'embedding' extra")
def test_the_packaged_model_matches_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_environment(monkeypatch)
    result = _match(_members(tmp_path / "m.jsonl"))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(NETWORK)
    best: dict[str, Sequence[str]] = {
        row["id"]: [m["id"] for m in row["matches"]] for row in rows if row["matches"]
    }
    # bram builds websites, which is what anna needs; daan does the bookkeeping cato needs.
    assert best.get("anna") == ["bram"] and best.get("cato") == ["daan"]
