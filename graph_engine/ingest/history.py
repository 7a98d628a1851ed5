"""Stickiness over time: score the graph the event logs describe at a series of dates.

Each log is read once; per date, own values come from the purchases at or before it and ties
from the interactions at or before it (:mod:`graph_engine.ingest.rfm`,
:mod:`graph_engine.ingest.closeness`), and :func:`graph_engine.compute.scores` scores the result.
Without a purchase log, own values are the store's current ones (0 for customers it lacks).

Per customer the history reports

- the **trend**: the least-squares slope of stickiness over time, times the span, relative to
  the customer's mean stickiness; ``rising`` above ``+threshold``, ``falling`` below
  ``-threshold``, else ``flat``;
- the **network share change** from the first to the last date; the largest drops are an early
  churn warning: the relationships that held the customer are fading.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph_engine.compute import scores
from graph_engine.errors import InvalidInput
from graph_engine.ingest.aggregate import IdIndex
from graph_engine.ingest.closeness import InteractionAggregator
from graph_engine.ingest.events import (
    DAY,
    INTERACTIONS,
    PURCHASES,
    EventSource,
    OnError,
    Progress,
    parse_time,
    read_events,
)
from graph_engine.ingest.params import IngestParams
from graph_engine.ingest.pipeline import iso
from graph_engine.ingest.rfm import PurchaseAggregator
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = ["History", "date_series", "parse_every", "stickiness_history"]

MAX_DATES = 500


def parse_every(text: str) -> float:
    """A step like ``30d``, ``2w``, ``12h`` or ``7`` (days) in seconds; raises InvalidInput."""
    raw = str(text).strip().lower()
    unit = {"d": DAY, "w": 7 * DAY, "h": 3600.0}.get(raw[-1:], None)
    number = raw[:-1] if unit else raw
    try:
        value = float(number) * (unit or DAY)
    except ValueError:
        value = -1.0
    if not np.isfinite(value) or value <= 0:
        raise InvalidInput(
            f"every (--every) must be a positive step like 30d, 2w or 12h, got {text!r}"
        )
    return value


def date_series(start: Any, end: Any, every: str | float) -> list[float]:
    """Times from ``start`` to ``end`` (inclusive when it falls on a step), ``every`` apart."""
    t0, t1 = parse_time(start), parse_time(end)
    step = parse_every(every) if isinstance(every, str) else float(every)
    if not (np.isfinite(step) and step > 0):
        raise InvalidInput(f"the step between dates must be positive, got {every!r}")
    if t1 < t0:
        raise InvalidInput("the last date (to) must not be before the first (from)")
    count = int(np.floor((t1 - t0) / step + 1e-9)) + 1
    if count > MAX_DATES:
        raise InvalidInput(
            f"{count} dates requested; at most {MAX_DATES} (use a larger step, every)"
        )
    return [t0 + i * step for i in range(count)]


@dataclass(frozen=True)
class History:
    """Scores at each date (arrays of shape (n customers, n dates)) and per-customer trends.

    ``ids`` are every customer met in the logs (ascending); a customer counts 0 before it
    appears. ``trend`` is ``rising``/``falling``/``flat``; ``change`` the relative stickiness
    change of the fitted line; ``share_change`` last minus first network share.
    """

    dates: list[float]
    ids: np.ndarray
    own: np.ndarray
    stickiness: np.ndarray
    network_share: np.ndarray
    ties: list[int]
    change: np.ndarray
    trend: np.ndarray
    share_change: np.ndarray

    def summary(self) -> list[dict[str, float | int]]:
        """Per date: customers present, ties, total stickiness, mean network share."""
        out = []
        for j, when in enumerate(self.dates):
            present = self.stickiness[:, j] > 0
            out.append(
                {
                    "date": when,
                    "customers": int(present.sum()),
                    "ties": self.ties[j],
                    "stickiness": float(self.stickiness[:, j].sum()),
                    "network_share": float(self.network_share[present, j].mean())
                    if present.any()
                    else 0.0,
                }
            )
        return out

    def trend_counts(self) -> dict[str, int]:
        """How many customers are rising, flat and falling."""
        names, counts = np.unique(self.trend.astype(str), return_counts=True)
        found = dict(zip(names.tolist(), counts.tolist(), strict=True))
        return {k: int(found.get(k, 0)) for k in ("rising", "flat", "falling")}

    def report(self, top: int = 10) -> dict[str, Any]:
        """The history as JSON-ready data: dates (ISO 8601), per-date summary, trend counts and
        the ``top`` biggest network-share drops."""
        return {
            "dates": [iso(d) for d in self.dates],
            "summary": [{**row, "date": iso(float(row["date"]))} for row in self.summary()],
            "trends": self.trend_counts(),
            "biggest_share_drops": self.biggest_share_drops(top),
        }

    def customers(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` customers by id: trend, relative change, share change and
        stickiness at each date."""
        return [
            {
                "id": str(self.ids[i]),
                "trend": str(self.trend[i]),
                "change": float(self.change[i]),
                "share_change": float(self.share_change[i]),
                "stickiness": self.stickiness[i].tolist(),
            }
            for i in range(min(limit, len(self.ids)))
        ]

    def biggest_share_drops(self, top: int = 10) -> list[dict[str, Any]]:
        """The customers whose network share fell the most (early churn warning).

        Only customers with an own value at the first date count (a customer that has not
        bought yet has a share of 1 that says nothing).
        """
        change = np.where(self.own[:, 0] > 0, self.share_change, 0.0)
        order = np.argsort(change, kind="stable")[:top]
        return [
            {
                "id": str(self.ids[i]),
                "share_first": float(self.network_share[i, 0]),
                "share_last": float(self.network_share[i, -1]),
                "share_change": float(self.share_change[i]),
                "stickiness_first": float(self.stickiness[i, 0]),
                "stickiness_last": float(self.stickiness[i, -1]),
            }
            for i in order
            if change[i] < 0
        ]


def stickiness_history(
    dates: Sequence[float],
    *,
    interactions: EventSource,
    purchases: EventSource | None = None,
    params: IngestParams | None = None,
    settings: GraphSettings | None = None,
    values: tuple[np.ndarray, np.ndarray] | None = None,
    threshold: float = 0.05,
    on_error: OnError = "skip",
    progress: Progress | None = None,
    **read: Any,
) -> History:
    """Score the graph of the event logs at each date and report trends.

    Parameters
    ----------
    dates : sequence of float
        Unix seconds, ascending (:func:`date_series`).
    interactions : path, table or rows
        Interaction log (ties).
    purchases : path, table or rows, optional
        Purchase log (own values); without it ``values`` is used.
    params : IngestParams, optional
    settings : GraphSettings, optional
        beta and kind weights (default: defaults).
    values : (ids, values), optional
        Own values for customers when there is no purchase log (others get 0).
    threshold : float
        Relative change of the fitted stickiness above which a trend is rising or falling.
    on_error : {"reject", "skip"}
        Malformed rows (default: skipped).

    Returns
    -------
    History

    Raises
    ------
    InvalidInput
        No dates, dates not ascending, unreadable logs.
    """
    if not len(dates):
        raise InvalidInput("history needs at least one date")
    when = [float(d) for d in dates]
    if any(b <= a for a, b in itertools.pairwise(when)):
        raise InvalidInput("history dates must be strictly ascending")
    params = params or IngestParams()
    cp = params.closeness
    index = IdIndex()
    inter = InteractionAggregator(when, cp, index)
    for table in read_events(
        interactions,
        INTERACTIONS,
        on_error=on_error,
        kinds=tuple(cp.kind_weights),
        default_kind=cp.default_kind,
        progress=progress,
        **read,
    ):
        inter.add(table)
    buys = None
    if purchases is not None:
        buys = PurchaseAggregator(when, params.rfm, index)
        for table in read_events(
            purchases, PURCHASES, on_error=on_error, progress=progress, **read
        ):
            buys.add(table)
    all_ids = index.ids()
    order = np.argsort(all_ids, kind="stable")
    ids = all_ids[order]
    pos = np.empty(len(order), np.int64)
    pos[order] = np.arange(len(order))
    n, t = len(ids), len(when)
    own, stick, share = np.zeros((n, t)), np.zeros((n, t)), np.zeros((n, t))
    base = np.zeros(n)
    if buys is None and values is not None:
        from pandas import Index

        found = Index(values[0]).get_indexer(ids)
        base = np.where(found >= 0, np.asarray(values[1], float)[found], 0.0)
    kind_names = tuple(cp.kind_weights)
    ties_at: list[int] = []
    for j in range(t):
        exists, ties = inter.result(j)
        a = np.zeros(n)
        if buys is not None:
            codes, rfm = buys.result(j)
            a[pos[codes]] = rfm.value
        else:
            a[pos[exists]] = base[pos[exists]]
        snap = Snapshot.from_edges(
            ids,
            a,
            pos[ties.sources],
            pos[ties.targets],
            ties.closeness,
            ties.kind_codes,
            kind_names,
            ties.directed,
            settings,
        )
        result = scores(snap)
        own[:, j], stick[:, j], share[:, j] = result.own, result.stickiness, result.network_share
        ties_at.append(len(ties.sources))
    change = _relative_change(np.asarray(when), stick)
    trend = np.where(change > threshold, "rising", np.where(change < -threshold, "falling", "flat"))
    return History(
        dates=when,
        ids=ids,
        own=own,
        stickiness=stick,
        network_share=share,
        ties=ties_at,
        change=change,
        trend=trend.astype(object),
        share_change=share[:, -1] - share[:, 0],
    )


def _relative_change(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row over ``times``, times the span, over the row mean."""
    if len(times) < 2:
        return np.zeros(len(values))
    x = (times - times.mean()) / DAY
    slope = values @ x / float(x @ x)
    span = (times[-1] - times[0]) / DAY
    mean = values.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, slope * span / np.where(mean > 0, mean, 1.0), 0.0)
