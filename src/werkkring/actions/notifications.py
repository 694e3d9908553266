"""Notifications: what a member is told when something that concerns them changes, and how (their choice per
kind: by mail at once, in the weekly digest, or not at all).

An action calls :func:`notify` in its own transaction: one :class:`Notification` row per member who wants
it, and one mail job for those who want it at once, handed to the job runner only after the commit (a change
that rolls back tells nobody). The mails are written by werkkring.jobs.notify in each member's language."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring import queue
from werkkring.actions._audit import record
from werkkring.errors import N_, InputError, Problem
from werkkring.store.models import NOTIFICATION_MODES, Member, Notification, NotificationSetting

# The job kind that mails a notification; its handler lives in werkkring.jobs.notify.
MAIL_KIND: Final = "notify.mail"


@dataclass(frozen=True)
class Kind:
    """One kind of notification: its name on the settings page and its default mode."""

    label: str
    hint: str
    default: str = "now"


KINDS: Final[dict[str, Kind]] = {
    "session_changed": Kind(
        N_("A work session I signed up for changes"), N_("new time, place or question; a cancellation")
    ),
    "seated": Kind(N_("I am seated in a group"), N_("the host has fixed the breakout groups")),
    "outcome_published": Kind(
        N_("The outcome of a work session I took part in is published"), N_("themes and initiatives")
    ),
    "initiative_joined": Kind(
        N_("Someone joins an initiative I own"), N_("with what it adds for them"), default="now"
    ),
    "initiative_update": Kind(
        N_("An initiative I take part in posts an update"), N_("progress and news"), default="digest"
    ),
}


def modes_of(session: Session, member: Member) -> dict[str, str]:
    """The member's mode for every kind (their choice, else the default)."""
    chosen = dict(
        session.execute(
            select(NotificationSetting.kind, NotificationSetting.mode).where(
                NotificationSetting.member_id == member.id
            )
        ).all()
    )
    return {kind: chosen.get(kind, spec.default) for kind, spec in KINDS.items()}


def set_preferences(session: Session, modes: Mapping[str, str], *, actor: Member) -> dict[str, str]:
    """The actor's own choices, all kinds at once; an unknown kind or mode is refused, naming the field."""
    problems = [
        Problem(N_("there is no kind of notification %(kind)r"), field=kind, params={"kind": kind})
        for kind in modes
        if kind not in KINDS
    ]
    problems += [
        Problem(N_("choose e-mail now, digest or off, not %(value)r"), field=kind, params={"value": mode})
        for kind, mode in modes.items()
        if kind in KINDS and mode not in NOTIFICATION_MODES
    ]
    if problems:
        raise InputError(problems)
    current = {
        row.kind: row
        for row in session.scalars(
            select(NotificationSetting).where(NotificationSetting.member_id == actor.id)
        )
    }
    for kind, mode in modes.items():
        row = current.get(kind)
        if row is None:
            session.add(NotificationSetting(member_id=actor.id, kind=kind, mode=mode))
        else:
            row.mode = mode
    session.flush()
    record(session, actor, "notifications.settings", "member", actor.id, **dict(modes))
    return modes_of(session, actor)


QUIET: Final = "werkkring.notifications.quiet"


@contextmanager
def quietly(session: Session) -> Iterator[None]:
    """Changes made inside tell nobody (the demo network: people who never asked for mail)."""
    session.info[QUIET] = True
    try:
        yield
    finally:
        session.info.pop(QUIET, None)


def notify(
    session: Session,
    kind: str,
    member_ids: Iterable[int],
    params: Mapping[str, Any],
    *,
    once: bool = False,
) -> list[Notification]:
    """Tell these members (each once; guests never) about ``kind``, each in the way they chose. With
    ``once``, members already told exactly this (same kind, same words) are left out: locking the same
    groups again after a correction mails nobody twice."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted(set(member_ids))
    if not ids or session.info.get(QUIET):
        return []
    chosen = dict(
        session.execute(
            select(NotificationSetting.member_id, NotificationSetting.mode).where(
                NotificationSetting.kind == kind, NotificationSetting.member_id.in_(ids)
            )
        ).all()
    )
    members = set(session.scalars(select(Member.id).where(Member.id.in_(ids), Member.guest_of.is_(None))))
    if once:
        told = session.scalars(
            select(Notification).where(Notification.kind == kind, Notification.member_id.in_(ids))
        )
        members -= {row.member_id for row in told if row.params == dict(params)}
    made = []
    for member_id in ids:
        mode = chosen.get(member_id, KINDS[kind].default)
        if member_id not in members or mode == "off":
            continue
        row = Notification(member_id=member_id, kind=kind, mode=mode, params=dict(params))
        session.add(row)
        made.append(row)
    session.flush()
    now = [row.id for row in made if row.mode == "now"]
    if now:
        queue.enqueue(session, MAIL_KIND, {"ids": now})
    return made
