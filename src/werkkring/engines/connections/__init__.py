"""Connections: who can help whom. Need <-> offer matching with reasons, "who can help me with X" search,
introduction rounds and listening-ear buddies. Pure: profiles in, results out.

See docs/connections.md for the method and the benchmark.
"""

from werkkring.engines.connections._listeners import (
    Listener,
    ListenerPairs,
    ListenerRequest,
    eligible,
    pair_listeners,
)
from werkkring.engines.connections._matcher import Matcher
from werkkring.engines.connections._matching import explain, match_members, pair_values
from werkkring.engines.connections._profiles import (
    FREQUENCIES,
    Exclusions,
    Frequency,
    Match,
    MemberMatches,
    MemberProfile,
    SearchHit,
    excluded_pairs,
)
from werkkring.engines.connections._rounds import Introduction, introduction_round, takes_part
from werkkring.engines.connections._search import SearchIndex, search
from werkkring.engines.connections._similarity import BACKENDS, Backend, Encoder, HybridSettings

__all__ = [
    "BACKENDS",
    "FREQUENCIES",
    "Backend",
    "Encoder",
    "Exclusions",
    "Frequency",
    "HybridSettings",
    "Introduction",
    "Listener",
    "ListenerPairs",
    "ListenerRequest",
    "Match",
    "Matcher",
    "MemberMatches",
    "MemberProfile",
    "SearchHit",
    "SearchIndex",
    "eligible",
    "excluded_pairs",
    "explain",
    "introduction_round",
    "match_members",
    "pair_listeners",
    "pair_values",
    "search",
    "takes_part",
]
