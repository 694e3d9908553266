"""The fitted network the connections pages keep: refitted when old, the old one serving meanwhile."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from werkkring.engines.connections import MemberProfile
from werkkring.queries import connections


class _FakeSession:
    class _Bind:
        class engine:  # mimics Session.get_bind().engine.url
            url = "sqlite:///fake-network.db"

    def get_bind(self) -> Any:
        return self._Bind()


def _changing_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read of the network gives other profiles (someone edited theirs), so every look refits."""
    edits = iter(range(1_000))
    monkeypatch.setattr(
        connections, "_profiles", lambda session, viewer: [MemberProfile(str(next(edits)), needs=("x",))]
    )


def test_an_old_fit_serves_while_one_request_refits(monkeypatch: pytest.MonkeyPatch) -> None:
    _changing_profiles(monkeypatch)
    cache: dict[str, Any] = {}
    fits: list[int] = []
    release = threading.Event()
    started = threading.Event()

    def fit(_profiles: list[Any]) -> int:
        fits.append(len(fits) + 1)
        if len(fits) == 2:  # the refit is slow
            started.set()
            assert release.wait(10)
        return fits[-1]

    session: Any = _FakeSession()
    assert connections._fitted(session, cache, fit) == 1
    assert connections._fitted(session, cache, fit) == 1 and fits == [1]  # fresh: no refit
    monkeypatch.setattr(connections, "INDEX_SECONDS", -1.0)  # now every fit is too old
    results: list[int] = []
    refitter = threading.Thread(target=lambda: results.append(connections._fitted(session, cache, fit)))
    refitter.start()
    assert started.wait(10)
    # While the refit runs, other requests get the previous fit at once instead of waiting or refitting.
    assert connections._fitted(session, cache, fit) == 1
    assert fits == [1, 2]
    release.set()
    refitter.join(10)
    assert results == [2]
    monkeypatch.setattr(connections, "INDEX_SECONDS", 300.0)
    assert connections._fitted(session, cache, fit) == 2


def test_unchanged_profiles_are_not_fitted_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections, "_profiles", lambda session, viewer: [MemberProfile("1", needs=("x",))])
    cache: dict[str, Any] = {}
    fits: list[int] = []

    def fit(_profiles: list[Any]) -> int:
        fits.append(1)
        return len(fits)

    session: Any = _FakeSession()
    assert connections._fitted(session, cache, fit) == 1
    assert connections._fitted(session, cache, fit, force=True) == 1  # looked again: nothing changed
    assert fits == [1]
    monkeypatch.setattr(connections, "_profiles", lambda session, viewer: [MemberProfile("1", needs=("y",))])
    assert connections._fitted(session, cache, fit, force=True) == 2
    assert fits == [1, 1]


def test_a_failed_fit_does_not_block_the_next_request(monkeypatch: pytest.MonkeyPatch) -> None:
    _changing_profiles(monkeypatch)
    cache: dict[str, Any] = {}
    session: Any = _FakeSession()

    def broken(_profiles: list[Any]) -> int:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        connections._fitted(session, cache, broken)
    assert connections._fitted(session, cache, lambda _p: 7) == 7
