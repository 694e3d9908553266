"""Who acts is always named: a member, or SYSTEM for the platform itself. Nobody (None) is never a pass.

Before, ``actor=None`` meant "the system" in form_groups, seat_groups, store_themes, create_circle and the
member import, and silently skipped their permission checks; a page that lost its signed-in member would
have formed groups for anyone."""

from __future__ import annotations

import datetime as dt

import pytest

from werkkring.actions import circles, sessions
from werkkring.actions.members import create_member, import_members
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import PermissionDenied
from werkkring.io.members_csv import MemberRow
from werkkring.store import Database
from werkkring.store.models import Member


def _room(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        people = [
            create_member(
                session, MemberRow(line=i, name=f"Lid {i}", email=f"lid{i}@example.org"), actor=SYSTEM
            )
            for i in range(6)
        ]
        people[0].role = "host"
        session.flush()
        ws = sessions.create_session(
            session,
            title="Avond",
            question="Wat heb je nodig?",
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            group_size=3,
            actor=people[0],
        )
        for member in people:
            sessions.register(session, ws, actor=member)
        return ws.id, people[1].id


def test_nobody_is_refused_where_none_used_to_mean_the_system(sqlite_database: Database) -> None:
    ws_id, member_id = _room(sqlite_database)
    row = MemberRow(line=1, name="Nieuw Lid", email="nieuw@example.org")
    with sqlite_database.transaction() as session:
        ws = sessions.get_session(session, ws_id)
        member = session.get(Member, member_id)
        attempts = {
            "form_groups": lambda: sessions.form_groups(session, ws, actor=None),  # type: ignore[arg-type]
            "seat_groups": lambda: sessions.seat_groups(session, ws, [[1, 2]], actor=None),  # type: ignore[arg-type]
            "store_themes": lambda: sessions.store_themes(session, ws, [], actor=None),  # type: ignore[arg-type]
            "create_circle": lambda: circles.create_circle(session, "Kring", actor=None),  # type: ignore[arg-type]
            "create_member": lambda: create_member(session, row, actor=None),  # type: ignore[arg-type]
            "import_members": lambda: import_members(session, [row], actor=None),  # type: ignore[arg-type]
            "a member who is no host": lambda: sessions.form_groups(session, ws, actor=member),
        }
        for name, attempt in attempts.items():
            with pytest.raises(PermissionDenied):
                attempt()
                pytest.fail(f"{name} passed without a member")


def test_the_system_passes_by_name(sqlite_database: Database) -> None:
    ws_id, _ = _room(sqlite_database)
    with sqlite_database.transaction() as session:
        ws = sessions.get_session(session, ws_id)
        assert len(sessions.form_groups(session, ws, actor=SYSTEM)) == 2
        assert circles.create_circle(session, "Kring Zuid", actor=SYSTEM).slug
        assert (
            import_members(
                session, [MemberRow(line=1, name="Nieuw Lid", email="n@example.org")], actor=SYSTEM
            )
            == 1
        )


def test_every_action_takes_who_acts_by_name() -> None:
    """``actor`` is keyword-only in every public action, so a call says who acts and no argument that
    happens to sit second is taken for the actor."""
    import importlib
    import inspect
    import pkgutil

    import werkkring.actions

    positional = []
    seen = 0
    for info in pkgutil.iter_modules(werkkring.actions.__path__):
        if info.name.startswith("_") or info.name == "permissions":
            continue
        module = importlib.import_module(f"werkkring.actions.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameter = inspect.signature(function).parameters.get("actor")
            if parameter is None:
                continue
            seen += 1
            if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                positional.append(f"{info.name}.{name}")
    assert seen >= 60, seen
    assert not positional, f"actions taking the actor by position: {positional}"
