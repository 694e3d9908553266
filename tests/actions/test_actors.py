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
            create_member(session, SYSTEM, MemberRow(line=i, name=f"Lid {i}", email=f"lid{i}@example.org"))
            for i in range(6)
        ]
        people[0].role = "host"
        session.flush()
        ws = sessions.create_session(
            session,
            people[0],
            title="Avond",
            question="Wat heb je nodig?",
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            group_size=3,
        )
        for member in people:
            sessions.register(session, member, ws)
        return ws.id, people[1].id


def test_nobody_is_refused_where_none_used_to_mean_the_system(sqlite_database: Database) -> None:
    ws_id, member_id = _room(sqlite_database)
    row = MemberRow(line=1, name="Nieuw Lid", email="nieuw@example.org")
    with sqlite_database.transaction() as session:
        ws = sessions.get_session(session, ws_id)
        member = session.get(Member, member_id)
        attempts = {
            "form_groups": lambda: sessions.form_groups(session, None, ws),  # type: ignore[arg-type]
            "seat_groups": lambda: sessions.seat_groups(session, None, ws, [[1, 2]]),  # type: ignore[arg-type]
            "store_themes": lambda: sessions.store_themes(session, None, ws, []),  # type: ignore[arg-type]
            "create_circle": lambda: circles.create_circle(session, None, "Kring"),  # type: ignore[arg-type]
            "create_member": lambda: create_member(session, None, row),  # type: ignore[arg-type]
            "import_members": lambda: import_members(session, None, [row]),  # type: ignore[arg-type]
            "a member who is no host": lambda: sessions.form_groups(session, member, ws),
        }
        for name, attempt in attempts.items():
            with pytest.raises(PermissionDenied):
                attempt()
                pytest.fail(f"{name} passed without a member")


def test_the_system_passes_by_name(sqlite_database: Database) -> None:
    ws_id, _ = _room(sqlite_database)
    with sqlite_database.transaction() as session:
        ws = sessions.get_session(session, ws_id)
        assert len(sessions.form_groups(session, SYSTEM, ws)) == 2
        assert circles.create_circle(session, SYSTEM, "Kring Zuid").slug
        assert (
            import_members(session, SYSTEM, [MemberRow(line=1, name="Nieuw Lid", email="n@example.org")]) == 1
        )
