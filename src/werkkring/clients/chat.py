"""An OpenAI-compatible ``/chat/completions`` endpoint (Ollama, vLLM, llama.cpp's server, LM Studio, a hosted
one with the network's own key), for the optional language model of the synthesis.

One call, JSON mode, temperature 0, a time-out for the whole call. Every way it can fail (no answer in time,
refused connection, an HTTP error, a body that is not a chat completion) is a :class:`ChatError` whose
message says which, so the caller falls back to the offline draft and tells the host why.
"""

from __future__ import annotations

from typing import Any

import httpx

from werkkring.errors import N_, WerkkringError


class ChatError(WerkkringError):
    """The chat endpoint could not be reached in time or answered something unusable."""


class ChatClient:
    """``model`` at ``base_url`` (e.g. ``http://127.0.0.1:11434/v1`` for Ollama), optional API key."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ChatError(
                N_("the language model URL must start with http:// or https://, not %(url)r"),
                {"url": base_url},
            )
        if timeout <= 0:
            raise ChatError(N_("the language model time-out must be positive, not %(t)s"), {"t": timeout})
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The content of the first choice's message."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "stream": False,
            "response_format": {"type": "json_object"},
        }
        try:
            response = self._client.post(self.url, json=body)
        except httpx.TimeoutException:
            raise ChatError(
                N_("the language model did not answer within %(t)s seconds"), {"t": self.timeout}
            ) from None
        except httpx.HTTPError as error:
            raise ChatError(
                N_("cannot reach the language model at %(url)s: %(error)s"),
                {"url": self.url, "error": str(error) or type(error).__name__},
            ) from None
        if response.status_code != 200:
            raise ChatError(
                N_("the language model answered HTTP %(status)s"), {"status": response.status_code}
            )
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ChatError(N_("the language model's answer is not a chat completion")) from None
        if not isinstance(content, str):
            raise ChatError(N_("the language model's answer is not a chat completion"))
        return content
