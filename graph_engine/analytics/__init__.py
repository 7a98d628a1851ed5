"""Community analytics over a Snapshot: influencers, communities, what-if churn, retention
targeting, referral seeds and the Pareto curve of stickiness.

Analytics import compute and snapshot only (never stores): results depend on the snapshot
alone, whichever store produced it.
"""

from graph_engine.analytics.churn import ChurnResult, ProtectResult, protect, what_if_churn
from graph_engine.analytics.communities import (
    Communities,
    CommunitySummary,
    community_members,
    detect_communities,
    modularity,
    summarize_communities,
)
from graph_engine.analytics.influence import (
    METHODS,
    Betweenness,
    Influencer,
    InfluenceScores,
    betweenness,
    core_number,
    influence_scores,
    influencers,
    pagerank,
    weighted_degree,
)
from graph_engine.analytics.pareto import Pareto, gini, pareto, top_share
from graph_engine.analytics.seeds import (
    Reach,
    SeedResult,
    activation_probability,
    expected_reach,
    referral_seeds,
)

__all__ = [
    "METHODS",
    "Betweenness",
    "ChurnResult",
    "Communities",
    "CommunitySummary",
    "InfluenceScores",
    "Influencer",
    "Pareto",
    "ProtectResult",
    "Reach",
    "SeedResult",
    "activation_probability",
    "betweenness",
    "community_members",
    "core_number",
    "detect_communities",
    "expected_reach",
    "gini",
    "influence_scores",
    "influencers",
    "modularity",
    "pagerank",
    "pareto",
    "protect",
    "referral_seeds",
    "summarize_communities",
    "top_share",
    "weighted_degree",
    "what_if_churn",
]
