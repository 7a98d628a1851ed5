"""CELF lazy greedy, shared by ``protect`` (cascade loss) and ``referral_seeds`` (value reached).

Greedy adds, ``k`` times, the candidate with the largest marginal gain. CELF (Leskovec et al.,
KDD 2007) keeps every candidate's last computed gain as an upper bound (valid when the objective
is submodular) and recomputes a gain only when its stale bound tops the list. Recomputing one
candidate at a time would make one vectorised call per candidate; recomputing every stale one
would throw laziness away. So stale candidates are recomputed from the top of the list in
batches that double while the top stays stale (1, 2, 4, ... up to ``max_batch``) and start over
at 1 after each pick. Ties are broken by the lower customer index, as plain greedy does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["Progress", "lazy_greedy"]

Progress = Callable[[int, int], None]
"""A progress callback ``(done, total)``: called as a long search advances."""


def lazy_greedy(
    pool: np.ndarray,
    k: int,
    gains_of: Callable[[np.ndarray], np.ndarray],
    pick: Callable[[int], None],
    max_batch: int,
    progress: Progress | None = None,
) -> tuple[list[int], list[float]]:
    """Choose ``k`` of the customer indices ``pool`` by CELF.

    ``gains_of(cands)`` returns the marginal gain of each candidate index given the picks made
    so far; ``pick(c)`` records that ``c`` was chosen (the next gains are relative to it);
    ``progress(done, k)`` is called once the first gains are known and after every pick (it may
    raise to stop the search). Returns the chosen indices in order and the gain of each when it
    was chosen.
    """
    bound = np.asarray(gains_of(pool), dtype=np.float64).copy()
    fresh = np.zeros(len(pool), dtype=np.int64)  # step at which bound was computed
    alive = np.ones(len(pool), dtype=bool)
    chosen: list[int] = []
    gains: list[float] = []
    step = 1
    if progress is not None:
        progress(0, k)
    while len(chosen) < k:
        live = np.flatnonzero(alive)
        order = live[np.lexsort((pool[live], -bound[live]))]
        top = order[0]
        if fresh[top] == len(chosen):
            alive[top] = False
            chosen.append(int(pool[top]))
            gains.append(float(bound[top]))
            pick(int(pool[top]))
            if progress is not None:
                progress(len(chosen), k)
            step = 1
            continue
        stale = order[fresh[order] != len(chosen)][:step]
        bound[stale] = gains_of(pool[stale])
        fresh[stale] = len(chosen)
        step = min(max_batch, 2 * step)
    return chosen, gains
