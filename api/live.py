"""The score cache: hops=1 scores of the stored graph, kept current by the API's own writes.

:class:`LiveScores` holds the last full snapshot of the store (the *base*) plus what the API
wrote since: rows of ``L`` re-read from the store for the customers a write touched, customers
added (appended after the base), deleted customers (masked). At ``hops = 1`` the network part
of ``i`` is row ``i`` of ``L`` times ``a``, so

- a tie upsert or delete between ``s`` and ``t`` re-reads rows ``s`` and ``t`` (only ``s`` for a
  directed tie ``s -> t``) and recomputes their network parts;
- a change of the own value of ``j`` recomputes ``j`` and the rows that hold ``j`` (the other
  ends of its undirected ties and the sources of its directed ties);
- deleting ``j`` removes it and recomputes the rows that held it.

A write larger than ``incremental_limit`` affected customers, a change of the settings, or a
write by another process (the store revision moved by more than our own write) rebuilds
everything from a fresh snapshot instead, which is cheaper past that size.

Rankings (for ``GET /v1/stickiness``) are sorted once per (field, order) and then patched with
the rows changed since (:func:`graph_engine.compute.incremental.patch_order`). Ties of the sort
value are broken by customer id, ascending, in both orders, so a cursor ``(value, id)`` names an
exact place in the ranking: the next page starts strictly after it. A customer whose score did
not change is therefore never skipped nor repeated while writes happen; a customer whose score
changed between two pages appears where its new score puts it (once, twice or not at all).

Every write holds one lock for its store transaction and its update, so writes are serialised
and each is visible to the next read once its response is sent. Reads take a short lock to copy
out a few numbers. Writes by another process (``graph-engine import``, a second server) are
noticed by comparing the store revision, which reads do at most every ``recheck_seconds``
(0 = on every read): such a write shows up at most ``recheck_seconds`` plus one rebuild later.
While the rebuild runs, reads keep answering from the previous state.

The ``*_nowait`` readers answer only from memory: they return None instead of waiting (a
revision check is due, a write holds the lock, or the request needs more than the cache), so
an event loop can call them inline and send only the rest to a worker thread.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from graph_engine.compute.explain import explain
from graph_engine.compute.incremental import patch_order, rank_order, row_networks
from graph_engine.compute.stickiness import Hops, Scores, check_hops, scores
from graph_engine.errors import Conflict, InvalidInput, UnknownCustomer
from graph_engine.model import Customer, CustomerBatch, TieBatch
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import Store

__all__ = ["FIELDS", "Field", "LiveScores"]

Field = Literal["stickiness", "own", "network", "network_share"]
FIELDS: tuple[str, ...] = ("stickiness", "own", "network", "network_share")
_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)
_PATCH_LIMIT = 50_000  # above this many changed rows a ranking is re-sorted, not patched


def _finite(result: dict[str, Any]) -> dict[str, Any]:
    """Refuse results that overflowed (a huge beta or many hops) instead of sending null."""
    numbers = [result["own"], result["network"], result["stickiness"]]
    numbers += [c["contribution"] for c in result["contributors"]]
    if not all(map(math.isfinite, numbers)):
        raise InvalidInput(
            "the scores overflow the float range at this beta and hops; use a "
            "smaller beta or fewer hops",
            details={"id": result["id"]},
        )
    return result


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise InvalidInput(f"order_by must be one of {', '.join(FIELDS)}, got {field!r}")


def _field_keys(field: str, own: np.ndarray, network: np.ndarray) -> np.ndarray:
    """The values a ranking by ``field`` sorts on."""
    if field == "own":
        return own
    if field == "network":
        return network
    total: np.ndarray = own + network
    if field == "stickiness":
        return total
    with np.errstate(divide="ignore", invalid="ignore"):
        share: np.ndarray = np.where(total > 0, network / np.where(total > 0, total, 1.0), 0.0)
    return share


class _Ranking:
    __slots__ = ("dirty", "order", "sorted_keys")

    def __init__(self, order: np.ndarray, sorted_keys: np.ndarray) -> None:
        self.order = order
        self.sorted_keys = sorted_keys
        self.dirty: set[int] = set()


class LiveScores:
    """Current hops=1 scores of a store's graph, updated incrementally by writes through it.

    Parameters
    ----------
    store : Store
        The store; every write of the API goes through this object.
    incremental_limit : int
        Largest number of affected rows (customers written + tie ends) that a write may have
        and still be applied incrementally; above it the cache is rebuilt.
    recheck_seconds : float
        Reads compare the store revision with the cache's at most this often (seconds); 0
        checks on every read. Bounds how late writes by other processes show up.
    warm : sequence of (str, bool)
        Rankings (field, descending) sorted when the cache is (re)built, so the first ranked
        read does not pay the sort.
    """

    def __init__(
        self,
        store: Store,
        *,
        incremental_limit: int = 20_000,
        recheck_seconds: float = 0.0,
        warm: Sequence[tuple[str, bool]] = (),
    ) -> None:
        self.store = store
        self.incremental_limit = incremental_limit
        self.recheck_seconds = recheck_seconds
        self.warm = tuple(warm)
        self._write_lock = threading.RLock()
        self._lock = threading.RLock()
        self._scores_cache: OrderedDict[tuple[int, Hops, float], Scores] = OrderedDict()
        self.counts = {"incremental": 0, "rebuild": 0}
        self._checked = -float("inf")
        self._install(store.snapshot())

    # ------------------------------------------------------------------ state
    def _install(self, snap: Snapshot) -> None:
        # everything is prepared outside the lock: reads go on from the old state meanwhile
        n = snap.n
        network = scores(snap, 1).network.copy()
        ids: list[str] = snap.ids.tolist()
        pos = dict(zip(ids, range(n), strict=True))
        segments = (
            snap.segments.copy() if snap.segments is not None else np.full(n, None, dtype=object)
        )
        values, alive = snap.values.copy(), np.ones(n, dtype=bool)
        tb = np.arange(n, dtype=np.float64)
        rankings: dict[tuple[str, bool], _Ranking] = {}
        for field, desc in self.warm:
            keys = _field_keys(field, values, network)
            rankings[(field, desc)] = _Ranking(
                *rank_order(-keys if desc else keys, tb, np.arange(n, dtype=np.int64))
            )
        with self._lock:
            self._base = snap
            self.settings = snap.settings
            self.revision = snap.revision
            self._ids = ids
            self._pos = pos
            self._values = values
            self._segments = segments
            self._alive = alive
            self._n_alive = n
            self._tb = tb
            self._extras: list[int] = []
            self._kinds = list(snap.kinds)
            self._kind_code = {k: i for i, k in enumerate(self._kinds)}
            self._kind_lambda = self._lambdas()
            self._rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
            self._network = network
            self._rankings = rankings
            self._scores_cache.clear()
            self._clean = True

    def _lambdas(self) -> np.ndarray:
        s = self.settings
        return np.array([s.beta * s.weight(k) for k in self._kinds] or [0.0], dtype=np.float64)

    def _rebuild(self) -> None:
        self.counts["rebuild"] += 1
        self._install(self.store.snapshot())

    @property
    def n_customers(self) -> int:
        """Customers in the cache."""
        return self._n_alive

    # ------------------------------------------------------------------ syncing
    def check_due(self) -> bool:
        """Whether the next read compares the store revision (``recheck_seconds`` passed)."""
        return time.monotonic() - self._checked >= self.recheck_seconds

    def sync(self, max_age: float = 0.0, *, wait: bool = True) -> None:
        """Rebuild when the store moved without us (another process wrote to it).

        Parameters
        ----------
        max_age : float
            Skip the check when the last one is younger than this (seconds).
        wait : bool
            Wait for a running write of ours to finish first. Reads pass False: while one of
            our writes runs they are served the current view (that write is not acknowledged
            yet). Code that wrote to the store directly passes True (the default), so its
            write is in the cache when this returns.
        """
        now = time.monotonic()
        if max_age > 0 and now - self._checked < max_age:
            return
        self._checked = now
        if self.store.revision() == self.revision:
            return
        if not self._write_lock.acquire(blocking=wait):
            return
        try:
            if self.store.revision() != self.revision:
                self._rebuild()
        finally:
            self._write_lock.release()

    def _write(
        self,
        action: Callable[[], Any],
        update: Callable[[], None] | None,
        size: int,
        expected_revision: int | None = None,
    ) -> Any:
        """Run a store write then, when it was our only change, the incremental update."""
        with self._write_lock:
            if self.store.revision() != self.revision:
                self._rebuild()
            if expected_revision is not None and expected_revision != self.revision:
                raise Conflict(
                    f"the store is at revision {self.revision}, not at the expected "
                    f"{expected_revision}; read again and retry",
                    details={"revision": self.revision, "expected_revision": expected_revision},
                )
            before = self.revision
            result = action()
            after = self.store.revision()
            if update is None or after != before + 1 or size > self.incremental_limit:
                self._rebuild()
            else:
                with self._lock:
                    update()
                    self._n_alive = int(self._alive.sum())
                    self.revision = after
                    self._clean = False
                self.counts["incremental"] += 1
            return result

    # ------------------------------------------------------------------ rows
    def _row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Columns and tie weights (lambda) of row ``i`` of L."""
        row = self._rows.get(i)
        if row is not None:
            cols, close, codes = row
        elif i < self._base.n:
            b = self._base
            start, end = b.indptr[i], b.indptr[i + 1]
            cols, close, codes = (
                b.indices[start:end],
                b.closeness[start:end],
                b.kind_codes[start:end],
            )
        else:
            return _EMPTY_I, _EMPTY_F
        return cols, self._kind_lambda[codes] * close

    def _code(self, kind: str) -> int:
        code = self._kind_code.get(kind)
        if code is None:
            code = self._kind_code[kind] = len(self._kinds)
            self._kinds.append(kind)
            self._kind_lambda = self._lambdas()
        return code

    def _read_row(self, customer_id: str) -> tuple[int, list[int]]:
        """Re-read one customer's row from the store; returns (position, holders)."""
        p = self._pos[customer_id]
        cols: list[int] = []
        close: list[float] = []
        codes: list[int] = []
        holders: list[int] = []
        for t in self.store.ties_of(customer_id):
            other = t.target if t.source == customer_id else t.source
            q = self._pos[other]
            if not t.directed or t.source == customer_id:
                cols.append(q)
                close.append(t.closeness)
                codes.append(self._code(t.kind))
            if not t.directed or t.target == customer_id:
                holders.append(q)
        by_col = np.argsort(cols, kind="stable")  # rows are kept sorted by column, like CSR
        self._rows[p] = (
            np.array(cols, dtype=np.int64)[by_col],
            np.array(close, dtype=np.float64)[by_col],
            np.array(codes, dtype=np.int32)[by_col],
        )
        return p, holders

    def _holders(self, customer_id: str) -> list[int]:
        """Positions of the rows that hold a customer (from the store)."""
        out = []
        for t in self.store.ties_of(customer_id):
            if not t.directed:
                out.append(self._pos[t.target if t.source == customer_id else t.source])
            elif t.target == customer_id:
                out.append(self._pos[t.source])
        return out

    def _recompute(self, positions: set[int]) -> None:
        if not positions:
            return
        pos = np.fromiter(positions, dtype=np.int64, count=len(positions))
        self._network[pos] = row_networks([self._row(int(p)) for p in pos], self._values)
        self._network[pos[~self._alive[pos]]] = 0.0
        for ranking in self._rankings.values():
            ranking.dirty.update(positions)

    def _add_customers(self, ids: list[str]) -> None:
        """Append new customers (not in the base) and re-rank the appended ones by id."""
        start = len(self._ids)
        self._ids.extend(ids)
        for k, cid in enumerate(ids):
            self._pos[cid] = start + k
        grow = len(ids)
        self._values = np.concatenate([self._values, np.zeros(grow)])
        self._network = np.concatenate([self._network, np.zeros(grow)])
        self._alive = np.concatenate([self._alive, np.ones(grow, dtype=bool)])
        self._segments = np.concatenate([self._segments, np.full(grow, None, dtype=object)])
        self._tb = np.concatenate([self._tb, np.zeros(grow)])
        self._extras.extend(range(start, start + grow))
        # tiebreak of an appended id: between the base ids around it, in id order
        extras = np.array(self._extras, dtype=np.int64)
        ext_ids = np.array([self._ids[p] for p in extras], dtype=object)
        gap = (
            np.searchsorted(self._base.ids, ext_ids)
            if self._base.n
            else np.zeros(len(extras), dtype=np.int64)
        )
        order = np.lexsort((ext_ids.astype(str), gap))
        extras, gap = extras[order], gap[order]
        _, first, counts = np.unique(gap, return_index=True, return_counts=True)
        rank_in_gap = np.arange(len(gap)) - np.repeat(first, counts)
        self._tb[extras] = gap - 1 + (rank_in_gap + 1) / (np.repeat(counts, counts) + 1)
        for ranking in self._rankings.values():
            ranking.dirty.update(self._extras)

    # ------------------------------------------------------------------ writes
    def upsert(
        self,
        customers: CustomerBatch | None = None,
        ties: TieBatch | None = None,
        *,
        expected_revision: int | None = None,
    ) -> tuple[int, int]:
        """Upsert customers and ties in one store transaction (all or nothing), then update.

        Raises
        ------
        Conflict
            ``expected_revision`` is given and is not the current revision.
        InvalidInput, UnknownCustomer
            A bad row, or a tie naming customers that are not stored; nothing is written.
        """
        n_c = len(customers) if customers is not None else 0
        n_t = len(ties) if ties is not None else 0

        def action() -> tuple[int, int]:
            return self.store.upsert_graph(customers=customers, ties=ties)

        def update() -> None:
            affected: set[int] = set()
            if customers is not None and n_c:
                ids = customers.ids.tolist()
                new = [c for c in dict.fromkeys(ids) if c not in self._pos]
                if new:
                    self._add_customers(new)
                pos = np.array([self._pos[c] for c in ids], dtype=np.int64)
                old_values = self._values[pos].copy()
                was_alive = self._alive[pos].copy()
                self._values[pos] = customers.values
                self._segments[pos] = customers.segments if customers.segments is not None else None
                self._alive[pos] = True
                for p in pos[~was_alive]:
                    self._rows[int(p)] = (_EMPTY_I, _EMPTY_F, np.zeros(0, dtype=np.int32))
                affected.update(pos.tolist())
                moved = pos[(old_values != customers.values) & was_alive]
                for p in moved.tolist():
                    affected.update(self._holders(self._ids[p]))
            if ties is not None and n_t:
                rows = set(ties.sources.tolist())
                rows.update(ties.targets[~ties.directed].tolist())
                for cid in rows:
                    affected.add(self._read_row(cid)[0])
            self._recompute(affected)

        written: tuple[int, int] = self._write(action, update, n_c + 2 * n_t, expected_revision)
        return written

    def delete_customer(self, customer_id: str) -> None:
        """Delete a customer and its ties."""
        holders: list[int] = []

        def action() -> None:
            if customer_id in self._pos and self._alive[self._pos[customer_id]]:
                holders.extend(self._holders(customer_id))
            self.store.delete_customer(customer_id)

        def update() -> None:
            p = self._pos[customer_id]
            self._alive[p] = False
            self._values[p] = 0.0
            self._rows[p] = (_EMPTY_I, _EMPTY_F, np.zeros(0, dtype=np.int32))
            affected = {p}
            for q in set(holders):
                affected.add(self._read_row(self._ids[q])[0])
            self._recompute(affected)

        self._write(action, update, 1 + len(holders))

    def delete_tie(self, source: str, target: str, directed: bool | None = None) -> int:
        """Delete the tie(s) between two customers (see ``Store.delete_tie``)."""

        def update() -> None:
            self._recompute({self._read_row(source)[0], self._read_row(target)[0]})

        return self._write(  # type: ignore[no-any-return]
            lambda: self.store.delete_tie(source, target, directed), update, 2
        )

    def put_settings(self, settings: GraphSettings) -> GraphSettings:
        """Replace beta and the kind weights (every tie weight changes: full rebuild)."""
        return self._write(  # type: ignore[no-any-return]
            lambda: self.store.put_settings(settings), None, 0
        )

    def put_meta(self, key: str, value: str | None) -> None:
        """Write store metadata (API keys, ...) without invalidating the scores."""
        self._write(lambda: self.store.put_meta(key, value), lambda: None, 0)

    # ------------------------------------------------------------------ reads
    def customer(
        self, customer_id: str, *, top: int = 10, hops: Hops = 1, beta: float | None = None
    ) -> dict[str, Any]:
        """Scores and top contributors of one customer (hops=1 straight from the cache)."""
        hops = check_hops(hops)
        if beta is not None and not (np.isfinite(beta) and beta > 0):
            raise InvalidInput(
                f"beta must be a finite number > 0, got {beta}", details={"beta": beta}
            )
        self.sync(self.recheck_seconds, wait=False)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below
            if hops != 1:
                return _finite(self._customer_from_snapshot(customer_id, top, hops, beta))
            with self._lock:
                return _finite(self._customer_hop1(customer_id, top, beta))

    def customer_nowait(
        self, customer_id: str, *, top: int = 10, beta: float | None = None
    ) -> dict[str, Any] | None:
        """:meth:`customer` at hops=1 from memory only, or None when that would wait.

        None when a revision check is due or a write holds the cache; the caller then calls
        :meth:`customer` in a worker thread. Raises like :meth:`customer`.
        """
        if beta is not None and not (np.isfinite(beta) and beta > 0):
            raise InvalidInput(
                f"beta must be a finite number > 0, got {beta}", details={"beta": beta}
            )
        if self.check_due() or not self._lock.acquire(blocking=False):
            return None
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                return _finite(self._customer_hop1(customer_id, top, beta))
        finally:
            self._lock.release()

    def _customer_hop1(self, customer_id: str, top: int, beta: float | None) -> dict[str, Any]:
        """One customer at hops=1 (the caller holds ``_lock``)."""
        p = self._pos.get(customer_id)
        if p is None or not self._alive[p]:
            raise UnknownCustomer(f"unknown customer {customer_id!r}", details={"id": customer_id})
        ratio = 1.0 if beta is None else beta / self.settings.beta
        cols, lam = self._row(p)
        # rows are sorted by column: parallel ties of one pair (mutual and directed) are adjacent
        if len(cols) > 1 and (cols[1:] == cols[:-1]).any():
            cols, inverse = np.unique(cols, return_inverse=True)
            lam = np.bincount(inverse, weights=lam, minlength=len(cols))
        contrib = lam * ratio * self._values[cols]
        own = float(self._values[p])
        network = float(self._network[p]) * ratio
        k = min(top, len(cols))
        if k < len(cols):  # only the candidates that can make the top k get their names
            kth = np.partition(contrib, len(contrib) - k)[len(contrib) - k] if k else np.inf
            cand = np.flatnonzero(contrib >= kth)
        else:
            cand = np.arange(len(cols))
        ids = self._ids
        picked = sorted(
            zip((-contrib[cand]).tolist(), [ids[c] for c in cols[cand].tolist()], strict=True)
        )[:k]
        total = own + network
        return {
            "id": customer_id,
            "own": own,
            "network": network,
            "stickiness": total,
            "network_share": network / total if total > 0 else 0.0,
            "contributors": [{"id": cid, "contribution": -c} for c, cid in picked],
        }

    def _customer_from_snapshot(
        self, customer_id: str, top: int, hops: Hops, beta: float | None
    ) -> dict[str, Any]:
        snap = self.snapshot()
        settings = None if beta is None else snap.settings.replace(beta=beta)
        key = (snap.revision, hops, float(beta or 0.0))
        sc = self._scores_cache.get(key)
        if sc is None:
            sc = scores(snap, hops, settings)
            self._scores_cache[key] = sc
            while len(self._scores_cache) > 4:
                self._scores_cache.popitem(last=False)
        ex = explain(snap, customer_id, top=top, hops=hops, settings=settings, precomputed=sc)
        return {
            "id": ex.id,
            "own": ex.own,
            "network": ex.network,
            "stickiness": ex.stickiness,
            "network_share": ex.network_share,
            "contributors": [{"id": c.id, "contribution": c.contribution} for c in ex.contributors],
        }

    def snapshot(self) -> Snapshot:
        """A Snapshot of the current graph (the base when nothing was written since)."""
        self.sync(self.recheck_seconds, wait=False)
        with self._lock:
            if self._clean:
                return self._base
        return self.store.snapshot()

    def _keys(self, field: str) -> np.ndarray:
        return _field_keys(field, self._values, self._network)

    def _ranking(self, field: str, desc: bool) -> _Ranking:
        """The ranking by ``field``, sorted or patched now if needed (holds ``_lock``)."""
        ranking = self._rankings.get((field, desc))
        if ranking is not None and not ranking.dirty:
            return ranking
        values = self._keys(field)
        keys = -values if desc else values
        if ranking is None or len(ranking.dirty) > _PATCH_LIMIT:
            order, sorted_keys = rank_order(keys, self._tb, np.flatnonzero(self._alive))
            ranking = self._rankings[(field, desc)] = _Ranking(order, sorted_keys)
        else:
            changed = np.fromiter(ranking.dirty, dtype=np.int64, count=len(ranking.dirty))
            ranking.order, ranking.sorted_keys = patch_order(
                ranking.order, ranking.sorted_keys, changed, keys, self._tb, self._alive
            )
            ranking.dirty = set()
        return ranking

    def ranked(
        self,
        field: str,
        *,
        desc: bool = True,
        segment: str | None = None,
        limit: int = 50,
        after: tuple[float, str] | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[float, str] | None]:
        """One page of customers ranked by ``field``; returns (items, position of the last).

        ``after`` is the (value, id) of the last item of the previous page; ties of the value
        are ordered by id ascending.
        """
        _check_field(field)
        self.sync(self.recheck_seconds, wait=False)
        with self._lock:
            return self._ranked(self._ranking(field, desc), field, desc, segment, limit, after)

    def ranked_nowait(
        self,
        field: str,
        *,
        desc: bool = True,
        segment: str | None = None,
        limit: int = 50,
        after: tuple[float, str] | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[float, str] | None] | None:
        """:meth:`ranked` from memory only, or None when that would wait or scan.

        None when a revision check is due, a write holds the cache, the ranking must be
        sorted or patched first, or a segment filter may scan many customers; the caller then
        calls :meth:`ranked` in a worker thread.
        """
        _check_field(field)
        if segment is not None or self.check_due() or not self._lock.acquire(blocking=False):
            return None
        try:
            ranking = self._rankings.get((field, desc))
            if ranking is None or ranking.dirty:
                return None
            return self._ranked(ranking, field, desc, segment, limit, after)
        finally:
            self._lock.release()

    def _ranked(
        self,
        ranking: _Ranking,
        field: str,
        desc: bool,
        segment: str | None,
        limit: int,
        after: tuple[float, str] | None,
    ) -> tuple[list[dict[str, Any]], tuple[float, str] | None]:
        """One page of a ready ranking (the caller holds ``_lock``)."""
        order, sorted_keys = ranking.order, ranking.sorted_keys
        start = 0
        if after is not None:
            key = -after[0] if desc else after[0]
            lo = int(np.searchsorted(sorted_keys, key, side="left"))
            hi = int(np.searchsorted(sorted_keys, key, side="right"))
            ids = self._ids
            start = bisect.bisect_right(range(lo, hi), after[1], key=lambda k: ids[order[k]]) + lo
        picked = self._page(order, start, limit + 1, segment)
        more = len(picked) > limit
        picked = picked[:limit]
        own, network = self._values[picked], self._network[picked]
        chosen_ids = [self._ids[p] for p in picked.tolist()]
        total = own + network
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, network / np.where(total > 0, total, 1.0), 0.0)
        items = [
            {"id": cid, "own": o, "network": w, "stickiness": s, "network_share": f}
            for cid, o, w, s, f in zip(
                chosen_ids,
                own.tolist(),
                network.tolist(),
                total.tolist(),
                share.tolist(),
                strict=True,
            )
        ]
        last = (float(items[-1][field]), chosen_ids[-1]) if more and items else None
        return items, last

    def _page(self, order: np.ndarray, start: int, count: int, segment: str | None) -> np.ndarray:
        if segment is None:
            return order[start : start + count]
        found: list[np.ndarray] = []
        have, chunk = 0, max(4 * count, 1024)
        while start < len(order) and have < count:
            block = order[start : start + chunk]
            hit = block[self._segments[block] == segment]
            found.append(hit)
            have += len(hit)
            start += chunk
            chunk *= 2
        return np.concatenate(found)[:count] if found else _EMPTY_I

    def get_customer(self, customer_id: str) -> Customer:
        """A stored customer (read from the store)."""
        return self.store.get_customer(customer_id)

    def check_consistent(self) -> None:
        """Assert the cache equals a fresh full recomputation (for tests and debugging)."""
        self.sync()
        snap = self.store.snapshot()
        fresh = scores(snap, 1)
        with self._lock:
            pos = np.array([self._pos[c] for c in snap.ids.tolist()], dtype=np.int64)
            assert int(self._alive.sum()) == snap.n
            np.testing.assert_allclose(self._network[pos], fresh.network, rtol=1e-9, atol=1e-9)
            np.testing.assert_array_equal(self._values[pos], fresh.own)
