"""Theme synthesis: a pile of short contributions becomes a few themes with labels, summaries and quotes.

    >>> from werkkring.engines.synthesis import Contribution, synthesize, to_markdown
    >>> result = synthesize([Contribution("Een luisterend oor", group="A"), ...], themes="auto", seed=0)

Pure: no files, no database, no printing (the embedding backend reads the model from ``model_path``).
"""

from werkkring.engines.synthesis._markdown import to_markdown
from werkkring.engines.synthesis._synthesize import MAX_THEMES, synthesize
from werkkring.engines.synthesis._types import Backend, Contribution, Overview, Synthesis, Theme

__all__ = [
    "MAX_THEMES",
    "Backend",
    "Contribution",
    "Overview",
    "Synthesis",
    "Theme",
    "synthesize",
    "to_markdown",
]
