"""A realistic synthetic customer community, deterministic for a seed.

Customers fall into communities of heavy-tailed sizes (families, clubs, friend circles, offices);
each customer has a heavy-tailed activity, so degrees are heavy-tailed too (a few hubs, many
customers with a handful of ties). Most ties stay inside a community (Chung-Lu sampling within
it), the rest cross communities. Tie kinds, closeness, own values and segments follow believable
distributions: family ties are the closest, referrals are directed (the referred customer is held
by the referrer), own values are log-normal with a long tail and depend on the segment.

Everything is vectorised: a 1M-customer, 10M-tie graph takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph_engine.model import CustomerBatch, TieBatch

__all__ = ["DemoGraph", "demo_graph"]

KINDS = ("family", "friend", "club", "colleague", "referral")
# (alpha, beta) of the Beta distribution of closeness per kind
_CLOSENESS = {
    "family": (6, 2),
    "friend": (2.5, 3),
    "club": (1.5, 4),
    "colleague": (2, 5),
    "referral": (2, 4),
}
_INTRA_MIX = {"family": 0.08, "friend": 0.55, "club": 0.22, "colleague": 0.15}
_INTER_MIX = {"friend": 0.5, "colleague": 0.3, "referral": 0.2}
SEGMENTS = ("consumer", "family-plan", "business", "premium")
_SEGMENT_P = (0.55, 0.2, 0.15, 0.1)
_SEGMENT_VALUE = (1.0, 1.4, 2.0, 3.5)
_FIRST = (
    "Ada",
    "Ben",
    "Chloe",
    "Dmitri",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
)
_LAST = (
    "Adeyemi",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Sato",
    "Tanaka",
    "Usman",
    "Varga",
    "Wagner",
    "Xu",
    "Yilmaz",
    "Zhang",
)


@dataclass(frozen=True)
class DemoGraph:
    """A generated community: customers and ties as validated batches, and ground truth."""

    customers: CustomerBatch
    ties: TieBatch
    community: np.ndarray  # planted community of every customer (aligned with customers.ids)


def demo_graph(
    n_customers: int = 2000,
    n_ties: int | None = None,
    *,
    seed: int = 0,
    intra: float = 0.8,
    mean_community: float = 40.0,
) -> DemoGraph:
    """Generate a customer community.

    Parameters
    ----------
    n_customers : int
        Number of customers (>= 2).
    n_ties : int, optional
        Number of ties (default 5 per customer).
    seed : int
        Random seed; the same seed gives the same graph.
    intra : float
        Share of ties inside a community, in [0, 1].
    mean_community : float
        Mean planted community size (customers).
    """
    if n_customers < 2:
        raise ValueError("a demo needs at least 2 customers")
    rng = np.random.default_rng(seed)
    n = int(n_customers)
    m = int(5 * n if n_ties is None else n_ties)
    m = min(m, n * (n - 1) // 2)

    # communities with heavy-tailed sizes; positions are grouped by community
    k = max(1, round(n / mean_community))
    weights = rng.pareto(1.5, size=k) + 1.0
    community = np.sort(rng.choice(k, size=n, p=weights / weights.sum()))
    starts = np.searchsorted(community, np.arange(k))
    ends = np.searchsorted(community, np.arange(k), side="right")

    activity = rng.pareto(2.2, size=n) + 1.0  # heavy-tailed: expected degree grows with it
    cum = np.concatenate([[0.0], np.cumsum(activity)])
    comm_weight = cum[ends] - cum[starts]

    def sample_within(comm: np.ndarray) -> np.ndarray:
        r = rng.random(len(comm))
        pos = np.searchsorted(cum, cum[starts[comm]] + r * comm_weight[comm], side="right") - 1
        return np.clip(pos, starts[comm], ends[comm] - 1)

    pairs: list[np.ndarray] = []
    have = 0
    for _ in range(20):  # a few rounds to top up after removing loops and repeats
        want = int((m - have) * 1.15) + 16
        n_in = rng.binomial(want, intra)
        eligible = (ends - starts) >= 2
        cw = np.where(eligible, comm_weight, 0.0)
        if n_in and cw.sum() > 0:
            comm = rng.choice(k, size=n_in, p=cw / cw.sum())
            a_in, b_in = sample_within(comm), sample_within(comm)
        else:
            a_in = b_in = np.zeros(0, np.int64)
        n_out = want - len(a_in)
        a_out = np.searchsorted(cum, rng.random(n_out) * cum[-1], side="right") - 1
        b_out = np.searchsorted(cum, rng.random(n_out) * cum[-1], side="right") - 1
        a = np.concatenate([a_in, a_out]).astype(np.int64)
        b = np.concatenate([b_in, b_out]).astype(np.int64)
        keep = a != b
        u, v = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
        pairs.append(u * n + v)
        keys = np.sort(np.concatenate(pairs))
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        pairs = [keys]
        have = len(keys)
        if have >= m:
            break
    keys = pairs[0]
    keys = rng.permutation(keys)[:m]
    u, v = keys // n, keys % n

    # kinds: ties inside a community are family/friend/club/colleague,
    # ties across communities friend/colleague/referral
    same = community[u] == community[v]
    kinds = np.empty(len(u), dtype=object)
    kinds[same] = rng.choice(list(_INTRA_MIX), size=int(same.sum()), p=list(_INTRA_MIX.values()))
    kinds[~same] = rng.choice(
        list(_INTER_MIX), size=int((~same).sum()), p=list(_INTER_MIX.values())
    )
    closeness = np.empty(len(u))
    for kind, (alpha, beta) in _CLOSENESS.items():
        mask = kinds == kind
        closeness[mask] = rng.beta(alpha, beta, size=int(mask.sum()))
    closeness = np.clip(np.round(closeness, 3), 0.01, 1.0)
    directed = kinds == "referral"
    flip = directed & (rng.random(len(u)) < 0.5)
    u, v = np.where(flip, v, u), np.where(flip, u, v)

    # customers: ids in random order (not grouped by community), values by segment
    width = max(6, len(str(n)))
    label = rng.permutation(n) + 1
    ids = np.array([f"c{x:0{width}d}" for x in label.tolist()], dtype=object)
    segment_code = rng.choice(len(SEGMENTS), size=n, p=_SEGMENT_P)
    values = rng.lognormal(mean=3.0, sigma=1.0, size=n) * np.asarray(_SEGMENT_VALUE)[segment_code]
    dormant = rng.random(n) < 0.08
    values = np.round(np.where(dormant, values * 0.05, values), 2)
    first = np.asarray(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), n)]
    last = np.asarray(_LAST, dtype=object)[rng.integers(0, len(_LAST), n)]
    names = first + " " + last
    segments = np.asarray(SEGMENTS, dtype=object)[segment_code]

    order = np.argsort(ids, kind="stable")
    customers = CustomerBatch.from_columns(ids[order], values[order], names[order], segments[order])
    ties = TieBatch(
        sources=ids[u], targets=ids[v], closeness=closeness, kinds=kinds, directed=directed
    )
    return DemoGraph(customers=customers, ties=ties, community=community[order])
