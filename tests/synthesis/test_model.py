"""The optional language model, against a small local fake of an OpenAI-compatible chat endpoint (a real HTTP
server on 127.0.0.1, no network): what it proposes is used only where it passes every check, and anything
else falls back to the offline draft with the reason."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from werkkring.engines.synthesis import (
    Board,
    Contribution,
    HostTheme,
    ProposalError,
    parse_proposal,
    synthesize,
)
from werkkring.llm import LanguageModel, synthesize_with_model

from .test_engine import AWARE, NEW, SAFE

TEXTS = [*SAFE, *NEW, *AWARE]
QUESTION = "Waar heb jij behoefte aan in WIN-verband?"


class FakeChat:
    """Answers each POST /v1/chat/completions with ``reply(request body)``: a string (the message content),
    or a (status, raw body) pair; ``delay`` seconds first. Remembers every request body."""

    def __init__(self) -> None:
        self.reply: Callable[[dict[str, Any]], str | tuple[int, bytes]] = lambda body: "{}"
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                time.sleep(fake.delay)
                answer = fake.reply(body)
                if isinstance(answer, tuple):
                    status, raw = answer
                else:
                    status = 200
                    raw = json.dumps(
                        {"choices": [{"index": 0, "message": {"role": "assistant", "content": answer}}]}
                    ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(raw)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def model(self, timeout: float = 10.0) -> LanguageModel:
        return LanguageModel(self.url, "fake-model", key="secret-key", timeout=timeout)


@pytest.fixture()
def fake() -> Iterator[FakeChat]:
    chat = FakeChat()
    thread = threading.Thread(target=chat.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield chat
    finally:
        chat.server.shutdown()
        chat.server.server_close()


def items() -> list[Contribution]:
    return [
        Contribution(text, group=f"Tafel {i % 3 + 1}", author=f"Lid Nummer{i}")
        for i, text in enumerate(TEXTS)
    ]


def good_answer(quote_from_other_theme: bool = False, invented: bool = False) -> str:
    def numbers(block: int) -> list[int]:
        return [block * 6 + i + 1 for i in range(6)]

    quotes = [TEXTS[0], "  " + TEXTS[1].replace(" ", "  ") + " "]  # whitespace differences are fine
    if quote_from_other_theme:
        quotes.append(TEXTS[7])
    if invented:
        quotes.append("Een veilige haven voor iedereen, zei iemand die er niet was.")
    return json.dumps(
        {
            "themes": [
                {
                    "label": "Een veilige plek",
                    "summary": "Mensen willen gehoord worden.",
                    "contributions": numbers(0),
                    "quotes": quotes,
                },
                {
                    "label": "Samen nieuwe kansen",
                    "summary": "Samen zoeken naar mogelijkheden.",
                    "contributions": numbers(1),
                },
                {
                    "label": "Anders werken kan",
                    "summary": "",
                    "contributions": numbers(2),
                    "quotes": [TEXTS[12]],
                },
            ],
            "off_topic": [],
        }
    )


def test_a_good_proposal_is_used_and_marked_as_the_models(fake: FakeChat) -> None:
    fake.reply = lambda body: good_answer()
    result = synthesize_with_model(items(), model=fake.model(), question=QUESTION)
    assert [t.label for t in result.themes] == [
        "Een veilige plek",
        "Samen nieuwe kansen",
        "Anders werken kan",
    ]
    assert all(t.label_source == "model" for t in result.themes)
    assert result.themes[0].summary_source == "model" and result.themes[2].summary_source == "draft"
    assert set(result.from_model) >= {"assignments", "labels", "summaries", "quotes"}
    assert result.themes[0].quotes[:2] == (TEXTS[0], TEXTS[1])
    # Counts are werkkring's own, from the assignments.
    for theme in result.themes:
        assert theme.size == len(theme.members) == result.assignments.count(theme.id) == 6
        assert theme.groups == ("Tafel 1", "Tafel 2", "Tafel 3")
    assert result.model_notes == ()
    request = fake.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer secret-key"
    assert request["body"]["model"] == "fake-model"


def test_only_the_texts_and_the_question_are_sent(fake: FakeChat) -> None:
    fake.reply = lambda body: good_answer()
    synthesize_with_model(items(), model=fake.model(), question=QUESTION)
    sent = json.dumps(fake.requests[0]["body"], ensure_ascii=False)
    assert QUESTION in sent
    assert all(" ".join(text.split()) in sent for text in TEXTS)
    assert "Nummer" not in sent and "Tafel" not in sent, "no names, no groups"


def test_a_quote_that_is_not_verbatim_a_contribution_of_its_theme_is_dropped(fake: FakeChat) -> None:
    fake.reply = lambda body: good_answer(quote_from_other_theme=True, invented=True)
    result = synthesize_with_model(items(), model=fake.model(), question=QUESTION)
    first = result.themes[0]
    assert TEXTS[7] not in first.quotes
    assert all(q in {TEXTS[m].strip() for m in first.members} for q in first.quotes)
    assert not any("haven" in q for t in result.themes for q in t.quotes)
    assert any("dropped" in note for note in result.model_notes)


@pytest.mark.parametrize(
    "reply",
    [
        lambda body: "Hier zijn de thema's: veilig, samen, anders.",  # prose, not JSON
        lambda body: json.dumps({"themes": [{"label": "x", "summary": "", "contributions": [999]}]}),
        lambda body: json.dumps(
            {"themes": [{"label": "x", "summary": "", "contributions": [1], "size": 40}]}
        ),
        lambda body: json.dumps(
            {
                "themes": [
                    {"label": "a", "summary": "", "contributions": [1, 2]},
                    {"label": "b", "summary": "", "contributions": [2]},
                ]
            }
        ),
        lambda body: (500, b"internal error"),
        lambda body: (200, b"<html>not json</html>"),
        lambda body: (200, b'{"choices": []}'),
    ],
)
def test_garbage_falls_back_to_the_offline_draft_and_says_why(
    fake: FakeChat, reply: Callable[[dict[str, Any]], str | tuple[int, bytes]]
) -> None:
    fake.reply = reply
    draft = synthesize(items(), question=QUESTION)
    result = synthesize_with_model(items(), model=fake.model(), question=QUESTION)
    assert result.themes == draft.themes and result.assignments == draft.assignments
    assert result.from_model == ()
    assert len(result.model_notes) == 1 and "offline draft" in result.model_notes[0]


def test_a_model_that_does_not_answer_in_time_falls_back(fake: FakeChat) -> None:
    fake.reply = lambda body: good_answer()
    fake.delay = 3.0
    start = time.perf_counter()
    result = synthesize_with_model(items(), model=fake.model(timeout=0.5), question=QUESTION)
    assert time.perf_counter() - start < 2.5
    assert result.from_model == () and "did not answer within 0.5 seconds" in result.model_notes[0]


def test_an_unreachable_model_falls_back() -> None:
    model = LanguageModel("http://127.0.0.1:9/v1", "fake-model", timeout=2.0)
    result = synthesize_with_model(items(), model=model, question=QUESTION)
    assert result.themes and result.from_model == () and "cannot reach" in result.model_notes[0]


def test_the_host_wins_over_the_model(fake: FakeChat) -> None:
    fake.reply = lambda body: json.dumps(
        {
            "themes": [
                {"label": "Alles", "summary": "", "contributions": [n for n in range(1, 19) if n != 4]}
            ],
            "off_topic": [4],
        }
    )
    data = items()
    data[3] = Contribution(data[3].text, group=data[3].group, key=True)
    board = Board(themes=(HostTheme("host", cards=(0, 7), label="Van de host"),), set_aside=(17,))
    result = synthesize_with_model(data, model=fake.model(), question=QUESTION, board=board)
    host = next(t for t in result.themes if t.label == "Van de host")
    assert {0, 7} <= set(host.members) and host.label_source == "host"
    assert result.assignments[17] is None and any(
        s.index == 17 and s.reason == "host" for s in result.set_aside
    )
    assert result.assignments[3] is not None, "a group's key contribution is never set aside"
    assert "Alles" in {t.label for t in result.themes}


def test_the_model_proposes_off_topic_lines_with_the_reason(fake: FakeChat) -> None:
    data = [*items(), Contribution("De koffie was koud vanavond :)", group="Tafel 1")]
    fake.reply = lambda body: json.dumps(
        {
            "themes": [
                {"label": "Veilig", "summary": "", "contributions": list(range(1, 7))},
                {"label": "Samen", "summary": "", "contributions": list(range(7, 13))},
                {"label": "Anders", "summary": "", "contributions": list(range(13, 19))},
            ],
            "off_topic": [19],
        }
    )
    result = synthesize_with_model(data, model=fake.model(), question=QUESTION)
    item = next(s for s in result.set_aside if s.index == 18)
    assert item.reason == "off_topic" and "language model" in item.detail
    assert "off_topic" in result.from_model


def test_parse_proposal_checks_the_schema() -> None:
    good = parse_proposal("```json\n" + good_answer() + "\n```", 18)
    assert len(good.themes) == 3 and good.themes[0].contributions[0] == 1
    for bad in (
        "",
        "[]",
        '{"themes": []}',
        '{"themes": [{"label": "", "summary": "", "contributions": [1]}]}',
        '{"themes": [{"label": "a", "summary": "", "contributions": [true]}]}',
        '{"themes": [{"label": "a", "summary": "", "contributions": [1]}], "off_topic": [1]}',
        '{"themes": "x"}',
    ):
        with pytest.raises(ProposalError):
            parse_proposal(bad, 18)
