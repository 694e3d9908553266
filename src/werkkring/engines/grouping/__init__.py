"""Breakout groups that are a good mix: anticlustering with floor/ceiling quotas, constraints and history.

``form_groups`` splits one room; ``place_arrivals`` seats late arrivals in locked groups; ``form_rounds``
makes several rounds in which no pair meets twice where possible and ``next_round`` forms the next round
from the groups people actually sat in; ``evaluate`` computes the report metrics
of any assignment (for baselines and checks).
"""

from werkkring.engines.grouping._api import form_groups
from werkkring.engines.grouping._arrivals import place_arrivals
from werkkring.engines.grouping._metrics import evaluate
from werkkring.engines.grouping._model import (
    GroupingMetrics,
    GroupingResult,
    Participants,
    Placement,
    RoundsResult,
    SeatingError,
    Unseated,
)
from werkkring.engines.grouping._next import next_round
from werkkring.engines.grouping._rounds import form_rounds

__all__ = [
    "GroupingMetrics",
    "GroupingResult",
    "Participants",
    "Placement",
    "RoundsResult",
    "SeatingError",
    "Unseated",
    "evaluate",
    "form_groups",
    "form_rounds",
    "next_round",
    "place_arrivals",
]
