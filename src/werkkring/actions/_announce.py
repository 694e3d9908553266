"""What the live room announces (werkkring.live), in the transaction of the change: a participant's page
follows the session's phase and groups on ``session:ID`` and its own group's input on ``session:ID:group:G``,
so a post wakes the ten phones of one table, not the whole room."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from werkkring import live
from werkkring.store.models import Contribution, WorkSession


def session_channel(session_id: int) -> str:
    return f"session:{session_id}"


def group_channel(session_id: int, group_id: int) -> str:
    return f"session:{session_id}:group:{group_id}"


def input_channel(session_id: int) -> str:
    """The input's counts per group, for the host's panel and the projector: kept off the session channel,
    so a post at one table does not wake every phone in the hall (at a summit, 1,000 of them per post)."""
    return f"session:{session_id}:input"


def session_changed(session: Session, work_session: WorkSession, kind: str, **data: Any) -> None:
    """Everyone following the session: the phase, the groups, a seat, the outcome changed."""
    live.publish(
        session,
        session_channel(work_session.id),
        {"type": kind, "status": work_session.status, **data},
    )


def contribution_added(session: Session, work_session: WorkSession, contribution: Contribution) -> None:
    """The contribution's group (and the host's panel and projector, on the session channel, by count)."""
    if contribution.group_id is not None:
        live.publish(
            session,
            group_channel(work_session.id, contribution.group_id),
            {"type": "contribution", "id": contribution.id},
        )
    input_changed(session, work_session, contribution.group_id)


def input_changed(session: Session, work_session: WorkSession, group_id: int | None) -> None:
    """A group's input changed (added, edited, removed): the host's panel and the projector count again."""
    live.publish(session, input_channel(work_session.id), {"type": "contribution", "group": group_id})
