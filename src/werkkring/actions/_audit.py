"""The audit log: who changed what, written in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from werkkring.actions.permissions import System
from werkkring.store.models import AuditEntry, Member


def record(
    session: Session,
    actor: Member | System | None,
    action: str,
    subject_type: str,
    subject_id: object | None = None,
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if isinstance(actor, Member) else None,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        details=details,
    )
    session.add(entry)
    return entry
