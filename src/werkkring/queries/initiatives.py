"""Reading initiatives: the list (by status), one initiative with its people and updates, and how many take
part in each."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from werkkring.errors import N_, NotFoundError
from werkkring.store.models import Initiative, InitiativeParticipant, InitiativeUpdate


def get_initiative(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFoundError(N_("no initiative with id %(id)s"), {"id": initiative_id})
    return initiative


def latest(session: Session, *, status: str | None = None, limit: int = 200) -> Sequence[Initiative]:
    """The newest initiatives first, of one status if given."""
    query = select(Initiative).order_by(Initiative.created_at.desc(), Initiative.id.desc())
    if status is not None:
        query = query.where(Initiative.status == status)
    return session.scalars(query.options(selectinload(Initiative.participants)).limit(limit)).all()


def participant_counts(session: Session) -> dict[int, int]:
    """How many members take part in each initiative, by id."""
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(InitiativeParticipant.initiative_id, func.count()).group_by(
                InitiativeParticipant.initiative_id
            )
        ).all()
    )


def detail(
    session: Session, initiative_id: int
) -> tuple[Initiative, list[InitiativeParticipant], list[InitiativeUpdate]]:
    """One initiative, its participants in the order they joined (each with their member) and its updates
    (each with its author)."""
    initiative = get_initiative(session, initiative_id)
    participants = sorted(initiative.participants, key=lambda p: p.joined_at)
    for participant in participants:
        _ = participant.member.name
    updates = list(initiative.updates)
    for update in updates:
        _ = update.author
    return initiative, participants, updates
