"""The optional language model of the synthesis (off by default): when ``WERKKRING_LLM_URL`` names an
OpenAI-compatible chat endpoint, it proposes the grouping, labels, summary lines and quotes of the offline
draft; werkkring checks every part (``werkkring.engines.synthesis.merge_proposal``) and falls back to the
offline draft, saying why, when the model is slow, unreachable or answers something unusable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx

from werkkring.clients.chat import ChatClient, ChatError
from werkkring.config import Settings
from werkkring.engines.synthesis import (
    MAX_MODEL_CONTRIBUTIONS,
    Board,
    Contribution,
    ProposalError,
    Synthesis,
    merge_proposal,
    model_messages,
    numbered,
    parse_proposal,
    proposal_board,
    synthesize,
)
from werkkring.errors import InputError


@dataclass(frozen=True)
class LanguageModel:
    """Where the model is: ``url`` is the API base (``http://127.0.0.1:11434/v1`` for Ollama)."""

    url: str
    model: str
    key: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> LanguageModel | None:
        if not settings.llm_url:
            return None
        if not settings.llm_model.strip():
            raise InputError(
                "WERKKRING_LLM_URL is set but WERKKRING_LLM_MODEL is not: name the model (e.g. llama3.1)"
            )
        if not settings.llm_url.startswith(("http://", "https://")):
            raise InputError(
                f"WERKKRING_LLM_URL must start with http:// or https://, not {settings.llm_url!r}"
            )
        return cls(settings.llm_url, settings.llm_model, settings.llm_key, settings.llm_timeout)


def synthesize_with_model(
    contributions: Sequence[Contribution],
    *,
    model: LanguageModel | None,
    transport: httpx.BaseTransport | None = None,
    **engine: Any,
) -> Synthesis:
    """The offline draft (``werkkring.engines.synthesis.synthesize`` with ``engine`` arguments), improved by
    ``model`` when one is given and its proposal passes every check; ``from_model`` names what it gave and
    ``model_notes`` says what was dropped, or why nothing was used."""
    draft = synthesize(contributions, **engine)
    if model is None:
        return draft
    count = len(numbered(contributions))
    if count == 0:
        return draft
    if count > MAX_MODEL_CONTRIBUTIONS:
        return replace(
            draft,
            model_notes=(
                f"not sent to the language model: {count} contributions, at most {MAX_MODEL_CONTRIBUTIONS}",
            ),
        )
    messages = model_messages(contributions, draft, engine.get("question"))
    try:
        with ChatClient(
            model.url, model.model, api_key=model.key, timeout=model.timeout, transport=transport
        ) as client:
            answer = client.complete(messages)
        proposal = parse_proposal(answer, count)
    except (ChatError, ProposalError) as error:
        return replace(draft, model_notes=(f"the offline draft is shown; the language model: {error}",))
    board = engine.get("board") or Board()
    result = synthesize(contributions, **{**engine, "board": proposal_board(contributions, proposal, board)})
    return merge_proposal(contributions, proposal, result, board)
