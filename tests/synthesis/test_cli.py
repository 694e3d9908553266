"""`werkkring themes`: the CLI contract (flags, JSON keys, Markdown, exit status 2 on bad input)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from werkkring.cli import main
from werkkring.io.contributions import read_contributions

from .test_engine import AWARE, NEW, SAFE

ROWS = [(text, group) for texts in (SAFE, NEW, AWARE) for text, group in zip(texts, "ABCABC", strict=True)]


def write_tsv(path: Path, rows: list[tuple[str, str]], header: str = "text\tgroup\tauthor") -> Path:
    path.write_text(header + "\n" + "".join(f"{t}\t{g}\tx\n" for t, g in rows), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the real entry point (which maps werkkring errors to exit status 2), capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["themes", *args])
        except SystemExit as done:
            code = done.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


def test_json_output_follows_the_contract(tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "c.tsv", [*ROWS[:4], ("   ", "A"), *ROWS[4:]])
    code, out, _ = invoke(str(path), "--themes", "3")
    assert code == 0
    data = json.loads(out)
    assert {"themes", "assignments", "undercurrent", "language", "skipped"} <= set(data)
    assert len(data["assignments"]) == len(ROWS) + 1
    assert data["assignments"][4] is None and data["skipped"] == 1
    assert data["language"] == "nl"
    assert len(data["themes"]) == 3
    for theme in data["themes"]:
        assert {"id", "label", "summary", "size", "groups", "quotes"} <= set(theme)
        assert theme["size"] == data["assignments"].count(theme["id"])
        assert set(theme["groups"]) <= {"A", "B", "C"}
    assert data["undercurrent"] in {t["id"] for t in data["themes"]}


def test_csv_with_other_columns_and_custom_text_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "id,answer,table\n" + "".join(f'{i},"{t}",{g}\n' for i, (t, g) in enumerate(ROWS)), encoding="utf-8"
    )
    code, out, _ = invoke(str(path), "--text-column", "answer", "--group-column", "table", "--themes", "auto")
    assert code == 0
    data = json.loads(out)
    assert len(data["assignments"]) == len(ROWS)
    assert any(theme["groups"] for theme in data["themes"])


def test_markdown_to_a_file_in_dutch(tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "c.tsv", ROWS)
    target = tmp_path / "out.md"
    code, out, _ = invoke(
        str(path), "--format", "markdown", "--themes", "3", "--out", str(target), "--seed", "3"
    )
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "In het kort leverde dit de volgende input op:" in text
    assert "Wat in alle groepen leefde" in text or "Wat in de meeste groepen leefde" in text
    assert text.count("\n- **") == 3


def test_same_seed_same_output(tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "c.tsv", ROWS)
    assert invoke(str(path), "--seed", "5")[1] == invoke(str(path), "--seed", "5")[1]


def test_one_or_two_contributions_still_give_a_result(tmp_path: Path) -> None:
    for rows in (ROWS[:1], ROWS[:2]):
        code, out, _ = invoke(str(write_tsv(tmp_path / "c.tsv", rows)))
        assert code == 0
        data = json.loads(out)
        assert len(data["assignments"]) == len(rows)
        assert all(a is not None for a in data["assignments"])


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "file not found"),
        (b"", [], "empty"),
        (b"   \n", [], "empty"),
        (b"text\tgroup\nveilig\tA\n", ["--text-column", "answer"], "no column 'answer'"),
        (b"text\nveilig\n", ["--group-column", "table"], "no column 'table'"),
        (b"text\nveilig \xff\xfe plek\n", [], "UTF-8"),
        (b"text\nveilig\n", ["--themes", "many"], ""),
        (b"text\nveilig\n", ["--themes", "0"], ""),
        (b"text\nveilig\n", ["--format", "pdf"], ""),
        (b"text\nveilig\n", ["--backend", "magic"], ""),
        (b"text\nveilig\n", ["--no-such-flag"], ""),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, content: bytes | None, args: list[str], message: str
) -> None:
    path = tmp_path / "c.tsv"
    if content is not None:
        path.write_bytes(content)
    code, _, err = invoke(str(path), *args)
    assert code == 2
    assert message in err


def test_unknown_extension_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    path.write_text("text\nveilig\n", encoding="utf-8")
    code, _, err = invoke(str(path))
    assert code == 2 and "xlsx" in err


def test_help_names_every_flag_of_the_contract() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for flag in (
        "--text-column",
        "--group-column",
        "--themes",
        "--backend",
        "--model",
        "--seed",
        "--format",
        "--out",
    ):
        assert flag in out


def test_reader_reports_line_numbers_and_keeps_order(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text('text\tgroup\n"two\nlines"\tA\n\nlast\t\n', encoding="utf-8")
    data = read_contributions(path, group_column="group")
    assert [c.text for c in data.contributions] == ["two\nlines", "last"]
    assert [c.group for c in data.contributions] == ["A", None]
    assert data.lines == (2, 5)  # the line each contribution starts on


SESSION_17 = Path(__file__).resolve().parents[2] / ".." / "shared" / "examples" / "session-17.tsv"


@pytest.mark.skipif(not SESSION_17.exists(), reason="../shared/examples is not beside the repo")
def test_question_sets_aside_with_a_reason_per_card() -> None:
    code, out, _ = invoke(str(SESSION_17), "--question", "Waar heb jij behoefte aan in WIN-verband?")
    assert code == 0
    data = json.loads(out)
    assert data["question"] == "Waar heb jij behoefte aan in WIN-verband?"
    aside = {item["index"] for item in data["set_aside"]}
    assert aside == {4, 10, 16}
    assert len(data["cards"]) == 17
    for index, card in enumerate(data["cards"]):
        if index in aside:
            assert card["theme"] is None and card["set_aside"]["reason"] == "off_topic"
            assert card["set_aside"]["why"].startswith("does not seem to answer the question")
        else:
            assert card["set_aside"] is None and card["theme"] is not None
    assert all({"members", "label_source", "summary_source", "support"} <= set(t) for t in data["themes"])


def test_a_question_of_ten_thousand_characters_is_refused(tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "c.tsv", ROWS)
    code, out, err = invoke(str(path), "--question", "waarom " * 1_500)
    assert code == 2 and out == ""
    assert "characters" in err and "question" in err


def test_a_file_with_only_a_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text("text\tgroup\n", encoding="utf-8")
    code, out, err = invoke(str(path))
    assert code == 2 and out == ""
    assert "no rows" in err or "no contributions" in err


@pytest.mark.parametrize("mode", ["garbage", "slow", "invented"])
def test_a_model_endpoint_that_misbehaves_falls_back_or_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    import threading

    from .test_model import FakeChat, good_answer

    chat = FakeChat()
    chat.reply = (
        (lambda body: "geen json") if mode == "garbage" else (lambda body: good_answer(invented=True))
    )
    chat.delay = 3.0 if mode == "slow" else 0.0
    thread = threading.Thread(target=chat.server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("WERKKRING_LLM_URL", chat.url)
        monkeypatch.setenv("WERKKRING_LLM_MODEL", "fake-model")
        monkeypatch.setenv("WERKKRING_LLM_TIMEOUT", "0.5")
        path = write_tsv(tmp_path / "c.tsv", ROWS)
        code, out, err = invoke(str(path), "--question", "Waar heb jij behoefte aan?")
    finally:
        chat.server.shutdown()
        chat.server.server_close()
    assert code == 0
    data = json.loads(out)
    texts = {t for t, _ in ROWS}
    assert all(q in texts for theme in data["themes"] for q in theme["quotes"]), "every quote is verbatim"
    if mode == "invented":
        assert "labels" in data["from_model"] and "dropped" in err
    else:
        assert data["from_model"] == [] and "offline draft" in err


def test_a_model_url_without_a_model_name_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WERKKRING_LLM_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("WERKKRING_LLM_MODEL", raising=False)
    code, _, err = invoke(str(write_tsv(tmp_path / "c.tsv", ROWS)))
    assert code == 2 and "WERKKRING_LLM_MODEL" in err
