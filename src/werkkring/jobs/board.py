"""A re-run of a large synthesis board (``actions.board.LARGE_BOARD`` contributions and more) in the
background: the sentence vectors and the clustering of hundreds of cards take seconds and more, which no
request should hold a web process for. It re-runs on the board as it is when it runs (keeping everything the
host decided by then), as the host who asked; the board and the projector follow through the live stream."""

from __future__ import annotations

from typing import Any

from werkkring.actions import board as board_actions
from werkkring.llm import LanguageModel
from werkkring.queries.members import get_member
from werkkring.queries.sessions import get_session
from werkkring.queue import JobContext, handler

KIND = board_actions.RERUN_KIND


@handler(KIND, max_attempts=3, backoff=10.0)
def rerun_board(context: JobContext, *, session_id: int, themes: Any, member_id: int) -> None:
    context.progress(step="clustering")
    model = LanguageModel.from_settings(context.settings)
    with context.database.transaction() as session:
        work_session = get_session(session, session_id)
        host = get_member(session, member_id)
        board_actions.rerun(session, work_session, themes, version=None, model=model, in_job=True, actor=host)
