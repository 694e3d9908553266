"""The host's synthesis board (actions.board) on both databases: every edit, the re-run that keeps what the
host decided, a stale edit refused (also when two hosts edit at the same moment), who may edit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.board_setup import Evening, evening
from werkkring.actions import board
from werkkring.errors import ConflictError, InputError, PermissionDenied
from werkkring.queries import board as board_queries
from werkkring.queries.sessions import get_session
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Contribution, Member, Theme

OFF_TOPIC = "De koffie was koud vanavond :)"
EAR = "Een luisterend oor als het even tegenzit met opdrachten of met mezelf."
FILM = (
    "Voorstel: een filmpje maken waarin leden vertellen wat WIN hun brengt, om nieuwe mensen te laten "
    "zien wat mogelijk is."
)


@pytest.fixture
def synthesised(database: Database) -> Evening:
    with database.transaction() as session:
        made = evening(session)
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        board.rerun(session, get_session(session, made.session_id), version=None, actor=host)
    return made


def _edit(
    database: Database, made: Evening, do: Callable[..., Any], *args: Any, who: str = "host", **kw: Any
) -> Any:
    with database.transaction() as session:
        actor = session.get(Member, getattr(made, who))
        ws = get_session(session, made.session_id)
        kw.setdefault("version", ws.board_version)
        return do(session, ws, *args, actor=actor, **kw)


def _view(database: Database, made: Evening) -> board_queries.BoardView:
    with database.reader() as session:
        return board_queries.board_of(session, get_session(session, made.session_id))


def _theme_of(view: board_queries.BoardView, card: int) -> board_queries.BoardTheme | None:
    return next((t for t in view.themes if any(c.id == card for c in t.cards)), None)


def _texts(database: Database, made: Evening) -> dict[int, str]:
    with database.reader() as session:
        rows = session.scalars(select(Contribution).where(Contribution.session_id == made.session_id))
        return {c.id: c.text for c in rows}


def test_move_places_a_card_counts_again_and_writes_the_audit(
    database: Database, synthesised: Evening
) -> None:
    before = _view(database, synthesised)
    texts = _texts(database, synthesised)
    card = synthesised.cards[EAR]
    source = _theme_of(before, card)
    target = next(t for t in before.themes if t is not source)
    version = _edit(database, synthesised, board.move_card, card, target.id)
    assert version == before.version + 1
    after = _view(database, synthesised)
    moved = _theme_of(after, card)
    assert moved is not None and moved.id == target.id
    assert next(c for c in moved.cards if c.id == card).placed
    assert moved.size == target.size + 1 == len(moved.cards)
    assert EAR not in [q for t in after.themes if t.id != target.id for q in t.quotes]
    assert _texts(database, synthesised) == texts  # nothing a participant wrote is changed
    with database.reader() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "board.move")).one()
        assert entry.actor_id == synthesised.host and entry.details["card"] == card


def test_the_draft_sets_the_coffee_aside_and_the_host_brings_it_back_and_sets_it_aside(
    database: Database, synthesised: Evening
) -> None:
    view = _view(database, synthesised)
    coffee = synthesised.cards[OFF_TOPIC]
    assert coffee in [c.id for c in view.aside], "the draft should set the coffee line aside"
    first = view.themes[0]
    _edit(database, synthesised, board.bring_back, coffee, first.id)
    view = _view(database, synthesised)
    assert _theme_of(view, coffee) is not None and coffee not in [c.id for c in view.aside]
    _edit(database, synthesised, board.set_aside, coffee, "over de koffie, niet over de vraag")
    view = _view(database, synthesised)
    shown = next(c for c in view.aside if c.id == coffee)
    assert shown.aside == "host" and shown.aside_detail == "over de koffie, niet over de vraag"
    assert all(OFF_TOPIC not in (t.summary, *t.quotes) for t in view.themes)
    with pytest.raises(InputError):
        _edit(database, synthesised, board.set_aside, coffee, "x" * 501)


def test_merge_and_split(database: Database, synthesised: Evening) -> None:
    view = _view(database, synthesised)
    assert len(view.themes) >= 2
    a, b = view.themes[0], view.themes[1]
    _edit(database, synthesised, board.merge_themes, a.id, b.id)
    view = _view(database, synthesised)
    assert a.id not in [t.id for t in view.themes]
    merged = next(t for t in view.themes if t.id == b.id)
    assert {c.id for c in merged.cards} == {c.id for c in (*a.cards, *b.cards)}
    assert all(c.placed for c in merged.cards) and merged.pinned
    parts = _edit(database, synthesised, board.split, merged.id, 2)
    assert len(parts) == 2
    view = _view(database, synthesised)
    split = [t for t in view.themes if t.id in {p.id for p in parts}]
    assert sorted(c.id for t in split for c in t.cards) == sorted(c.id for c in merged.cards)
    assert all(t.cards and t.label for t in split)
    assert [t.id for t in view.themes].index(split[0].id) + 1 == [t.id for t in view.themes].index(
        split[1].id
    )
    with pytest.raises(InputError):
        _edit(database, synthesised, board.merge_themes, b.id, b.id)


def test_rerun_keeps_every_placement_every_named_theme_and_the_host_asides(
    database: Database, synthesised: Evening
) -> None:
    view = _view(database, synthesised)
    ear, film = synthesised.cards[EAR], synthesised.cards[FILM]
    home = _theme_of(view, ear)
    other = next(t for t in view.themes if t is not home)
    _edit(database, synthesised, board.move_card, ear, other.id)  # a card where the draft would not put it
    named = view.themes[-1]
    _edit(
        database,
        synthesised,
        board.edit_theme,
        named.id,
        label="Zichtbaar maken",
        summary="Laten zien wat kan",
    )
    empty = _edit(database, synthesised, board.add_theme, "Nog leeg")
    _edit(database, synthesised, board.set_aside, film, "hoort bij een ander gesprek")
    named_cards = {c.id for c in _view(database, synthesised).themes[-2].cards}
    for themes in ("auto", 2, 5):
        _edit(database, synthesised, board.rerun, themes)
        after = _view(database, synthesised)
        landed = _theme_of(after, ear)
        assert (
            landed is not None
            and landed.id == other.id
            and next(c for c in landed.cards if c.id == ear).placed
        )
        kept = next(t for t in after.themes if t.id == named.id)
        assert (kept.label, kept.summary, kept.label_source) == (
            "Zichtbaar maken",
            "Laten zien wat kan",
            "host",
        )
        assert named_cards - {film} <= {c.id for c in kept.cards}
        assert "Nog leeg" in [t.label for t in after.themes] and empty.id in [t.id for t in after.themes]
        shown = next(c for c in after.aside if c.id == film)
        assert (shown.aside, shown.aside_detail) == ("host", "hoort bij een ander gesprek")
        assert all(FILM not in (t.summary, *t.quotes) for t in after.themes)
    with database.reader() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "board.rerun")).all()


def test_order_accept_and_drafts(database: Database, synthesised: Evening) -> None:
    view = _view(database, synthesised)
    first, second = view.themes[0], view.themes[1]
    assert first.draft and first.label_source == "draft"
    _edit(database, synthesised, board.move_theme, second.id, -1)
    view = _view(database, synthesised)
    assert [t.id for t in view.themes][:2] == [second.id, first.id]
    _edit(database, synthesised, board.accept_theme, first.id)
    accepted = next(t for t in _view(database, synthesised).themes if t.id == first.id)
    assert not accepted.draft and accepted.label == first.label and accepted.pinned
    with pytest.raises(InputError):
        _edit(database, synthesised, board.edit_theme, first.id, label="   ")
    with pytest.raises(InputError):
        _edit(database, synthesised, board.delete_theme, first.id)  # it holds cards


def test_a_stale_edit_is_refused_and_changes_nothing(database: Database, synthesised: Evening) -> None:
    view = _view(database, synthesised)
    card = view.themes[0].cards[0].id
    _edit(database, synthesised, board.move_card, card, view.themes[1].id)
    with pytest.raises(ConflictError, match="reload"):
        _edit(database, synthesised, board.move_card, card, view.themes[0].id, version=view.version)
    after = _view(database, synthesised)
    assert _theme_of(after, card).id == view.themes[1].id  # type: ignore[union-attr]
    assert after.version == view.version + 1


def test_two_hosts_editing_at_the_same_moment_one_wins_the_other_is_told_to_reload(
    database: Database, synthesised: Evening
) -> None:
    view = _view(database, synthesised)
    card = view.themes[0].cards[0].id
    targets = {"host": view.themes[1].id, "cohost": view.themes[-1].id}
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def edit(who: str) -> None:
        try:
            with database.transaction() as session:
                actor = session.get(Member, getattr(synthesised, who))
                ws = get_session(session, synthesised.session_id)
                barrier.wait(timeout=30)
                board.move_card(session, ws, card, targets[who], version=view.version, actor=actor)  # type: ignore[arg-type]
            outcome[who] = "saved"
        except ConflictError:
            outcome[who] = "conflict"

    threads = [threading.Thread(target=edit, args=(who,)) for who in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcome.values()) == ["conflict", "saved"], outcome
    winner = next(who for who, result in outcome.items() if result == "saved")
    after = _view(database, synthesised)
    assert after.version == view.version + 1
    assert _theme_of(after, card).id == targets[winner]  # type: ignore[union-attr]


def test_only_the_host_or_an_admin_edits_the_board(database: Database, synthesised: Evening) -> None:
    view = _view(database, synthesised)
    with pytest.raises(PermissionDenied):
        _edit(database, synthesised, board.add_theme, "Van een deelnemer", who="participant")
    with pytest.raises(PermissionDenied):
        _edit(database, synthesised, board.rerun, "auto", who="participant")
    made = _edit(database, synthesised, board.add_theme, "Van de beheerder", who="admin")
    assert made.label == "Van de beheerder"
    assert _view(database, synthesised).version == view.version + 1


def test_a_large_rerun_runs_as_a_job_and_keeps_the_placements(
    database: Database, synthesised: Evening
) -> None:
    from werkkring import queue
    from werkkring.config import Settings

    view = _view(database, synthesised)
    card = view.themes[0].cards[0].id
    _edit(database, synthesised, board.move_card, card, view.themes[1].id)
    job = _edit(database, synthesised, board.request_rerun, 3)
    assert _view(database, synthesised).running
    with pytest.raises(queue.JobAlreadyActive):
        _edit(database, synthesised, board.request_rerun, 3)
    assert queue.Runner(database, Settings.from_env({})).run(job) == "done"
    after = _view(database, synthesised)
    assert not after.running and after.asked == 3
    assert _theme_of(after, card).id == view.themes[1].id  # type: ignore[union-attr]
    with database.reader() as session:
        themes = session.scalars(select(Theme).where(Theme.session_id == synthesised.session_id)).all()
        assert sum(t.size for t in themes) == sum(len(t.cards) for t in after.themes)


def test_group_harvest_key_contributions_and_own_line_weigh_in_the_draft(
    database: Database, synthesised: Evening
) -> None:
    from werkkring.queries.sessions import group_of

    with database.transaction() as session:
        ws = get_session(session, synthesised.session_id)
        person = session.get(Member, synthesised.participant)
        assert person is not None
        own = group_of(session, ws, person.id)
        assert own is not None
        mine = next(c for c in ws.groups if c.id == own.id)
        cards = session.scalars(select(Contribution).where(Contribution.group_id == mine.id)).all()
        other = session.scalars(select(Contribution).where(Contribution.group_id != mine.id)).first()
        assert other is not None
        with pytest.raises(InputError):
            board.harvest(session, ws, mine.id, key=[other.id], summary="", actor=person)
        foreign = next(g for g in ws.groups if g.id != mine.id)
        with pytest.raises(PermissionDenied):
            board.harvest(session, ws, foreign.id, key=[], summary="Niet van ons", actor=person)
        line = "Samen zie je meer kansen dan alleen"
        board.harvest(session, ws, mine.id, key=[cards[0].id], summary=line, actor=person)
        group_number, key_text = mine.number, cards[0].text
    with database.reader() as session:
        stored = session.scalars(
            select(Contribution).where(Contribution.session_id == synthesised.session_id)
        )
        assert {c.text for c in stored if c.key} == {key_text}
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "board.harvest")).one()
        assert entry.actor_id == synthesised.participant and entry.details["group"] == group_number
    _edit(database, synthesised, board.rerun, "auto")
    view = _view(database, synthesised)
    assert (group_number, line) in view.harvest
    assert any(t.summary == line and t.summary_source == "group" for t in view.themes), [
        (t.summary, t.summary_source) for t in view.themes
    ]
    assert key_text not in [c.text for c in view.aside]


def test_a_rerun_with_the_language_model_marks_its_parts_and_keeps_the_host_label(
    database: Database, synthesised: Evening
) -> None:
    import json
    import threading

    from tests.board_setup import evening_lines
    from tests.synthesis.test_model import FakeChat

    lines = evening_lines()
    titles = {1: "Samen nieuwe kansen", 2: "Laten zien dat het anders kan", 3: "Een luisterend oor"}
    proposal = {
        "themes": [
            {
                "label": titles[t],
                "summary": "",
                "contributions": [i + 1 for i, line in enumerate(lines) if line[2] == t],
                "quotes": [],
            }
            for t in (1, 2, 3)
        ],
        "off_topic": [i + 1 for i, line in enumerate(lines) if line[2] == 0],
    }
    fake = FakeChat()
    fake.reply = lambda body: json.dumps(proposal)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        view = _view(database, synthesised)
        named = view.themes[0]
        _edit(database, synthesised, board.edit_theme, named.id, label="Door de host")
        _edit(database, synthesised, board.rerun, "auto", model=fake.model())
    finally:
        fake.server.shutdown()
        fake.server.server_close()
    assert fake.requests, "the model was asked"
    sent = json.dumps(fake.requests[0]["body"])
    assert "Lid 0" not in sent and "Hanna Host" not in sent  # names never leave werkkring
    after = _view(database, synthesised)
    host_theme = next(t for t in after.themes if t.id == named.id)
    assert (host_theme.label, host_theme.label_source) == ("Door de host", "host")
    assert any(t.label_source == "model" for t in after.themes), [
        (t.label, t.label_source) for t in after.themes
    ]
    assert all(OFF_TOPIC not in (t.summary, *t.quotes) for t in after.themes)


def test_reruns_at_the_edges_many_themes_and_everything_set_aside(
    database: Database, synthesised: Evening
) -> None:
    _edit(database, synthesised, board.rerun, 12)
    assert 2 <= len(_view(database, synthesised).themes) <= 12
    with pytest.raises(InputError):
        _edit(database, synthesised, board.rerun, 0)
    with pytest.raises(InputError):
        _edit(database, synthesised, board.rerun, 41)
    last = list(synthesised.cards.values())[-1]
    for card in synthesised.cards.values():
        if card != last and card not in [
            c.id for c in _view(database, synthesised).aside if c.aside == "host"
        ]:
            _edit(database, synthesised, board.set_aside, card)
    _edit(database, synthesised, board.rerun, "auto")  # one card left to cluster
    _edit(database, synthesised, board.set_aside, last)
    _edit(database, synthesised, board.rerun, "auto")  # none left
    view = _view(database, synthesised)
    assert len(view.aside) == len(synthesised.cards) and all(not t.cards for t in view.themes)
