"""The session lifecycle: every status reachable from a draft, finished ones final, and each question asked
of it answered the same way wherever it is asked."""

from __future__ import annotations

from werkkring import lifecycle
from werkkring.lifecycle import TRANSITIONS, Status
from werkkring.store.models import SESSION_STATUSES


def test_the_database_knows_exactly_the_lifecycle_statuses() -> None:
    assert set(SESSION_STATUSES) == {s.value for s in Status}
    assert set(TRANSITIONS) == set(Status)


def test_every_status_is_reachable_from_a_draft_and_finished_ones_are_final() -> None:
    seen, todo = {Status.DRAFT}, [Status.DRAFT]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)
    for status in Status:
        assert lifecycle.is_finished(status) == (not TRANSITIONS[status])
    # cancelled before the groups are at work; afterwards a session is finished by publishing
    assert [s for s in Status if lifecycle.can_cancel(s)] == [Status.DRAFT, Status.OPEN, Status.GROUPED]


def test_what_each_status_allows() -> None:
    allowed = {
        status: (
            lifecycle.takes_sign_ups(status),
            lifecycle.can_form_groups(status),
            lifecycle.takes_input(status),
            lifecycle.can_synthesise(status),
            lifecycle.can_publish(status),
            lifecycle.is_live(status),
            lifecycle.members_see(status),
        )
        for status in Status
    }
    assert allowed == {
        Status.DRAFT: (False, False, False, False, False, False, False),
        Status.OPEN: (True, True, False, False, False, True, True),
        Status.GROUPED: (True, True, True, True, False, True, True),
        Status.RUNNING: (False, True, True, True, False, True, True),
        Status.SYNTHESISED: (False, False, True, True, True, True, True),
        Status.PUBLISHED: (False, False, False, False, False, False, True),
        Status.CANCELLED: (False, False, False, False, False, False, True),
    }
    assert [lifecycle.phase(s) for s in Status] == [
        "signup",
        "signup",
        "groups",
        "input",
        "synthesis",
        "published",
        "published",
    ]
    assert Status.OPEN == "open" and lifecycle.status_of("grouped") is Status.GROUPED
