"""A work session's life, in one place: its statuses, the steps between them, and what each status allows.

Every layer asks here instead of listing statuses itself: the actions (may this be done now?), the pages (is
there a form to show?), the projector and the phones (which phase to show), the feeds and the reports. So
the page shows an input form exactly when the action takes input, and a new status is added in one file::

    draft ──open──▶ open ──groups──▶ grouped ──input──▶ running ──synthesis──▶ synthesised ──▶ published
      │               │                 │                  │                        │
      └───────────────┴─────cancel──────┴──▶ cancelled

A draft is the host's alone (members do not see it); forming the groups again and running the synthesis again
are allowed until publication; publication and cancellation are final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Status(StrEnum):
    """The statuses, stored as their text (a StrEnum compares equal to it)."""

    DRAFT = "draft"
    OPEN = "open"
    GROUPED = "grouped"
    RUNNING = "running"
    SYNTHESISED = "synthesised"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


TRANSITIONS: Final[dict[Status, frozenset[Status]]] = {
    Status.DRAFT: frozenset({Status.OPEN, Status.CANCELLED}),
    Status.OPEN: frozenset({Status.GROUPED, Status.CANCELLED}),
    Status.GROUPED: frozenset({Status.RUNNING, Status.SYNTHESISED, Status.CANCELLED}),
    Status.RUNNING: frozenset({Status.SYNTHESISED}),
    Status.SYNTHESISED: frozenset({Status.PUBLISHED}),
    Status.PUBLISHED: frozenset(),
    Status.CANCELLED: frozenset(),
}
"""Where each status may go next. Forming groups again or synthesising again keeps the status. Once the groups
are at work (input has come in) the session is not cancelled any more: it is finished by publishing."""

_SIGN_UP: Final = frozenset({Status.OPEN, Status.GROUPED})
_GROUPS: Final = frozenset({Status.OPEN, Status.GROUPED, Status.RUNNING})
_INPUT: Final = frozenset({Status.GROUPED, Status.RUNNING, Status.SYNTHESISED})
_FINISHED: Final = frozenset({Status.PUBLISHED, Status.CANCELLED})

PHASES: Final = ("signup", "groups", "input", "synthesis", "published")
"""What a participant (and the projector) sees the session go through, in order."""

_PHASE: Final[dict[Status, str]] = {
    Status.DRAFT: "signup",
    Status.OPEN: "signup",
    Status.GROUPED: "groups",
    Status.RUNNING: "input",
    Status.SYNTHESISED: "synthesis",
    Status.PUBLISHED: "published",
    Status.CANCELLED: "published",
}


def status_of(value: str) -> Status:
    """The stored text as a :class:`Status` (the database's check constraint keeps it one of them)."""
    return Status(value)


def can_move(current: str, new: str) -> bool:
    return Status(new) in TRANSITIONS[Status(current)]


def takes_sign_ups(status: str) -> bool:
    """People can sign up (or join by code) while the session is open or its groups are being formed."""
    return status in _SIGN_UP


def can_form_groups(status: str) -> bool:
    return status in _GROUPS


def takes_input(status: str) -> bool:
    """Groups can enter input: from the moment they exist until publication."""
    return status in _INPUT


def can_vote(status: str) -> bool:
    """Dots go on cards once there is input, until publication."""
    return status in _INPUT


def can_synthesise(status: str) -> bool:
    return status in _INPUT


def can_cancel(status: str) -> bool:
    return can_move(status, Status.CANCELLED)


def can_edit(status: str) -> bool:
    """The host edits the session's details (title, time, place, capacity) until it is finished."""
    return not is_finished(status)


def own_input_editable(status: str) -> bool:
    """A participant edits or deletes their own input while the groups work, not once it is synthesised."""
    return status in (Status.GROUPED, Status.RUNNING)


def board_editable(status: str) -> bool:
    """The host corrects the board from the first input on, also after publication (the report follows)."""
    return status in _INPUT or status == Status.PUBLISHED


def can_publish(status: str) -> bool:
    return status == Status.SYNTHESISED


def is_finished(status: str) -> bool:
    """Published or cancelled: nothing changes any more."""
    return status in _FINISHED


def is_live(status: str) -> bool:
    """The room is in use: its join code works, its timer runs (neither a draft nor finished)."""
    return status != Status.DRAFT and status not in _FINISHED


def members_see(status: str) -> bool:
    """Everyone but the host sees the session once it is out of draft."""
    return status != Status.DRAFT


def phase(status: str) -> str:
    """The participant's phase (one of :data:`PHASES`) for a status."""
    return _PHASE[Status(status)]
