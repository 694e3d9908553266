"""The guests' keeping time (docs/guests.md): every hour the job runner deletes the guests of sessions
published more than ``guest_retention_days`` ago (or started that long ago and never published), and guests
whose session is gone. Safe to run twice: a second run finds nothing left to delete."""

from __future__ import annotations

import logging

from werkkring.actions.room import delete_expired_guests
from werkkring.config import Settings
from werkkring.store import Database

log = logging.getLogger("werkkring.jobs.guests")


def delete_guests(database: Database, settings: Settings) -> None:
    with database.transaction() as session:
        count = delete_expired_guests(session, days=settings.guest_retention_days)
    if count:
        log.info(
            "deleted %s guests after their keeping time of %s days", count, settings.guest_retention_days
        )
