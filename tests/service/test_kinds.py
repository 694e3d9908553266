"""The job kinds: the actions that enqueue name them, the job modules handle them, and the two agree.

The actions sit below the jobs (``lint-imports`` checks it), so they never import a handler; every program
that enqueues loads :mod:`werkkring.jobs.kinds` instead. These tests catch a kind named on one side only."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import werkkring.actions
from werkkring import queue
from werkkring.jobs import kinds


def _named_kinds() -> dict[str, str]:
    """Every ``*_KIND`` string constant in an actions module: where it is declared, by its value."""
    named: dict[str, str] = {}
    for info in pkgutil.iter_modules(werkkring.actions.__path__):
        module = importlib.import_module(f"werkkring.actions.{info.name}")
        for name, value in vars(module).items():
            if name.endswith("_KIND") and isinstance(value, str):
                named[value] = f"werkkring.actions.{info.name}.{name}"
    return named


def test_every_kind_an_action_names_has_a_handler() -> None:
    assert kinds.__all__  # the registry module was loaded
    named = _named_kinds()
    assert len(named) >= 6, named
    missing = {value: where for value, where in named.items() if value not in queue.KINDS}
    assert not missing, f"kinds without a handler: {missing}"


def test_enqueueing_an_unknown_kind_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match=r"no handler for job kind 'no\.such\.kind'"):
        queue.enqueue(None, "no.such.kind")  # type: ignore[arg-type]  # refused before the session is used
