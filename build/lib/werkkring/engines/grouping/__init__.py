"""Breakout groups that are a good mix: anticlustering with floor/ceiling quotas, constraints and history.

``form_groups`` splits one room; ``form_rounds`` makes several rounds in which no pair meets twice where
possible; ``evaluate`` computes the report metrics of any assignment (for baselines and checks).
"""

from werkkring.engines.grouping._api import form_groups
from werkkring.engines.grouping._metrics import evaluate
from werkkring.engines.grouping._model import (
    GroupingMetrics,
    GroupingResult,
    Participants,
    RoundsResult,
)
from werkkring.engines.grouping._rounds import form_rounds

__all__ = [
    "GroupingMetrics",
    "GroupingResult",
    "Participants",
    "RoundsResult",
    "evaluate",
    "form_groups",
    "form_rounds",
]
