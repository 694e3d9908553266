"""Theme synthesis: a pile of short contributions becomes a few themes with labels, summaries and quotes.

    >>> from werkkring.engines.synthesis import Contribution, synthesize, to_markdown
    >>> result = synthesize([Contribution("Een luisterend oor", group="A"), ...], themes="auto", seed=0)

Pure: no files, no database, no printing (the embedding backend reads the model from ``model_path``).
"""

from werkkring.engines.synthesis._markdown import to_markdown
from werkkring.engines.synthesis._model import (
    MAX_MODEL_CONTRIBUTIONS,
    PROPOSAL_SCHEMA,
    Proposal,
    ProposalError,
    ProposedTheme,
    merge_proposal,
    model_messages,
    numbered,
    parse_proposal,
    proposal_board,
)
from werkkring.engines.synthesis._synthesize import MAX_QUESTION, MAX_THEMES, split_theme, synthesize
from werkkring.engines.synthesis._types import (
    AsideReason,
    Backend,
    Board,
    Contribution,
    GroupSummary,
    HostTheme,
    Overview,
    SetAside,
    Source,
    Synthesis,
    Theme,
    Vote,
)

__all__ = [
    "MAX_MODEL_CONTRIBUTIONS",
    "MAX_QUESTION",
    "MAX_THEMES",
    "PROPOSAL_SCHEMA",
    "AsideReason",
    "Backend",
    "Board",
    "Contribution",
    "GroupSummary",
    "HostTheme",
    "Overview",
    "Proposal",
    "ProposalError",
    "ProposedTheme",
    "SetAside",
    "Source",
    "Synthesis",
    "Theme",
    "Vote",
    "merge_proposal",
    "model_messages",
    "numbered",
    "parse_proposal",
    "proposal_board",
    "split_theme",
    "synthesize",
    "to_markdown",
]
