"""Initiatives: members propose actions; others join when it adds value for them, saying what."""

from __future__ import annotations

from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.actions._audit import record
from werkkring.actions.notifications import notify
from werkkring.actions.permissions import is_admin
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.store.models import (
    INITIATIVE_STATUSES,
    Contribution,
    Initiative,
    InitiativeParticipant,
    InitiativeUpdate,
    Member,
)


def propose_initiative(
    session: Session,
    title: str,
    *,
    actor: Member,
    description: str = "",
    looking_for: str = "",
    owner: Member | None = None,
    circle_id: int | None = None,
    session_id: int | None = None,
    contribution: Contribution | None = None,
) -> Initiative:
    limits.require(
        limits.INITIATIVE, {"title": title.strip(), "description": description, "looking_for": looking_for}
    )
    if not title.strip():
        raise InputError(N_("an initiative needs a title"))
    owner = owner or actor
    initiative = Initiative(
        title=title.strip()[:200],
        description=description.strip(),
        looking_for=looking_for.strip(),
        owner_id=owner.id,
        circle_id=circle_id,
        session_id=session_id
        if session_id is not None
        else (contribution.session_id if contribution else None),
        contribution_id=contribution.id if contribution else None,
        status="proposed",
    )
    session.add(initiative)
    session.flush()
    session.add(InitiativeParticipant(initiative_id=initiative.id, member_id=owner.id, adds_for_me=""))
    record(session, actor, "initiative.propose", "initiative", initiative.id, owner=owner.id)
    return initiative


def join_initiative(
    session: Session, initiative: Initiative, adds_for_me: str, contributes: str = "", *, actor: Member
) -> InitiativeParticipant:
    """Join with your own reason; the network joins things when they add value for the member."""
    limits.require(limits.INITIATIVE, {"adds_for_me": adds_for_me, "contributes": contributes})
    if not adds_for_me.strip():
        raise InputError(N_("say what joining adds for you"), source=None)
    if initiative.status == "done":
        raise InputError(N_("this initiative is finished"))
    participant = session.get(InitiativeParticipant, (initiative.id, actor.id))
    new = participant is None
    if participant is None:
        participant = InitiativeParticipant(initiative_id=initiative.id, member_id=actor.id)
        session.add(participant)
    participant.adds_for_me = adds_for_me.strip()
    participant.contributes = contributes.strip()
    record(session, actor, "initiative.join", "initiative", initiative.id)
    if new and initiative.owner_id is not None and initiative.owner_id != actor.id:
        notify(
            session,
            "initiative_joined",
            [initiative.owner_id],
            {**_about(initiative), "name": actor.name, "adds": participant.adds_for_me[:500]},
        )
    return participant


def _about(initiative: Initiative) -> dict[str, object]:
    return {"initiative": initiative.id, "title": initiative.title, "path": f"/initiatives/{initiative.id}"}


def leave_initiative(session: Session, initiative: Initiative, *, actor: Member) -> None:
    participant = session.get(InitiativeParticipant, (initiative.id, actor.id))
    if participant is not None:
        session.delete(participant)
        record(session, actor, "initiative.leave", "initiative", initiative.id)


def _require_owner(actor: Member, initiative: Initiative) -> None:
    if initiative.owner_id != actor.id and not is_admin(actor):
        raise PermissionDenied(N_("only the owner of the initiative may do this"))


def post_update(
    session: Session, initiative: Initiative, text: str, progress: int | None = None, *, actor: Member
) -> InitiativeUpdate:
    participant = session.get(InitiativeParticipant, (initiative.id, actor.id))
    if participant is None and not is_admin(actor):
        raise PermissionDenied(N_("only participants post updates"))
    limits.require(limits.INITIATIVE, {"update": text, "progress": progress})
    if not text.strip():
        raise InputError(N_("an update needs text"))
    if progress is not None:
        _require_owner(actor, initiative)
        if not 0 <= progress <= 100:
            raise InputError(
                N_("progress is a percentage from 0 to 100, not %(value)s"), params={"value": progress}
            )
        initiative.progress = progress
    update = InitiativeUpdate(initiative_id=initiative.id, author_id=actor.id, text=text.strip())
    session.add(update)
    session.flush()
    record(session, actor, "initiative.update", "initiative", initiative.id)
    others = [p.member_id for p in initiative.participants if p.member_id != actor.id]
    notify(session, "initiative_update", others, {**_about(initiative), "text": update.text[:1000]})
    return update


def set_status(session: Session, initiative: Initiative, status: str, *, actor: Member) -> None:
    _require_owner(actor, initiative)
    if status not in INITIATIVE_STATUSES:
        raise InputError(
            N_("status must be one of %(choices)s, not %(value)r"),
            params={"choices": ", ".join(INITIATIVE_STATUSES), "value": status},
        )
    initiative.status = status
    if status == "done":
        initiative.progress = 100
    record(session, actor, "initiative.status", "initiative", initiative.id, status=status)
