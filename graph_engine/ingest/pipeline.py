"""Ingest event logs into a store: purchases -> own values, interactions -> ties.

Each ingest streams the log through :func:`~graph_engine.ingest.events.read_events`, aggregates
per customer or per pair (memory grows with customers and pairs, not with events), derives as of
``as_of`` (only events at or before it count, ages are measured from it, so a past graph is
rebuilt exactly from the same log), and writes everything in ONE ``store.upsert_graph`` call:
all or nothing. Customers met for the first time are created (value 0 when they only interact).
The parameters used, the as-of time and the counts are recorded with the graph
(:func:`~graph_engine.ingest.params.record_run`).

Without ``as_of``, the log's latest event is the as-of time (the log is then read twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from graph_engine.errors import InvalidInput
from graph_engine.ingest.closeness import DerivedTies, InteractionAggregator
from graph_engine.ingest.events import (
    INTERACTIONS,
    PURCHASES,
    EventSource,
    EventSpec,
    OnError,
    Progress,
    ReadReport,
    check_on_error,
    parse_time,
    read_events,
)
from graph_engine.ingest.params import IngestParams, load_params, record_run
from graph_engine.ingest.rfm import PurchaseAggregator, RFMScores
from graph_engine.model import Customer, CustomerBatch, TieBatch
from graph_engine.stores.base import MAX_PAGE

if TYPE_CHECKING:
    from datetime import date

    from graph_engine.stores.base import Store

__all__ = [
    "IngestResult",
    "derive_interactions",
    "derive_purchases",
    "ingest_interactions",
    "ingest_purchases",
    "latest_time",
]

_GAP = 64  # wanted customers at most this many stored ids apart are read in one page


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did.

    ``rows`` data rows read, ``malformed`` skipped, ``used`` events that counted (at or before
    as-of and inside the window), ``later`` events after as-of (ignored), ``customers_created``
    and ``customers_updated`` customers written, ``ties`` ties written.
    """

    kind: str
    as_of: str
    rows: int
    malformed: int
    used: int
    later: int
    customers_created: int
    customers_updated: int
    ties: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def iso(seconds: float) -> str:
    """ISO 8601 UTC text of Unix seconds."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "Z")


def latest_time(
    source: EventSource,
    spec: EventSpec,
    *,
    kinds: Any = None,
    default_kind: str = "message",
    progress: Progress | None = None,
    **read: Any,
) -> float:
    """Time of the latest well-formed event of a log (Unix seconds); reads the log once.

    Raises
    ------
    InvalidInput
        The log has no well-formed event.
    """
    latest = -np.inf
    report = ReadReport()
    for table in read_events(
        source,
        spec,
        on_error="skip",
        kinds=kinds,
        default_kind=default_kind,
        progress=progress,
        report=report,
        **read,
    ):
        latest = max(latest, float(np.max(table.column("t").to_numpy())))
    if not np.isfinite(latest):
        bad = f" ({report.message(spec.name)})" if report.malformed else ""
        raise InvalidInput(
            f"the {spec.name} log has no well-formed event{bad}", details=report.as_dict()
        )
    return latest


def _as_of(
    value: str | float | datetime | date | None, source: EventSource, spec: EventSpec, **kwargs: Any
) -> float:
    return latest_time(source, spec, **kwargs) if value is None else parse_time(value)


def derive_purchases(
    source: EventSource,
    *,
    as_of: str | float | datetime | date | None = None,
    params: IngestParams | None = None,
    on_error: OnError = "reject",
    progress: Progress | None = None,
    **read: Any,
) -> tuple[np.ndarray, RFMScores, PurchaseAggregator, ReadReport]:
    """Own values of every customer in a purchase log, as of a time (nothing is stored).

    Parameters
    ----------
    source : path, table or rows
        The purchase log (``customer_id,timestamp,amount``).
    as_of : date, time, ISO text or Unix seconds, optional
        Only purchases at or before it count (default: the latest purchase).
    params : IngestParams, optional
        Defaults when None.
    on_error : {"reject", "skip"}
        What malformed rows do.
    progress : callable, optional
        ``progress(done, total)`` after each chunk.
    **read
        ``chunk_bytes`` / ``chunk_rows`` for :func:`read_events`.

    Returns
    -------
    ids : ndarray of str, ascending
        Customers with a purchase at or before as-of.
    scores : RFMScores
        Aligned with ``ids``.
    aggregator, report
        Counts of what was read.
    """
    params = params or IngestParams()
    on_error = check_on_error(on_error)
    when = _as_of(as_of, source, PURCHASES, **read)
    agg = PurchaseAggregator([when], params.rfm)
    report = ReadReport()
    for table in read_events(
        source, PURCHASES, on_error=on_error, progress=progress, report=report, **read
    ):
        agg.add(table)
    codes, scores = agg.result(0)
    return _sorted(agg.index.ids()[codes], scores, agg, report)


def _sorted(
    ids: np.ndarray, scores: RFMScores, agg: PurchaseAggregator, report: ReadReport
) -> tuple[np.ndarray, RFMScores, PurchaseAggregator, ReadReport]:
    order = np.argsort(ids, kind="stable")
    return (
        ids[order],
        RFMScores(
            *(getattr(scores, f)[order] for f in ("value", "recency", "frequency", "monetary"))
        ),
        agg,
        report,
    )


def derive_interactions(
    source: EventSource,
    *,
    as_of: str | float | datetime | date | None = None,
    params: IngestParams | None = None,
    on_error: OnError = "reject",
    progress: Progress | None = None,
    **read: Any,
) -> tuple[np.ndarray, DerivedTies, InteractionAggregator, ReadReport]:
    """Ties derived from an interaction log as of a time (nothing is stored).

    Parameters are those of :func:`derive_purchases` for a log with
    ``source,target,timestamp[,kind,weight]``.

    Returns
    -------
    ids : ndarray of str, ascending
        Customers with an interaction at or before as-of.
    ties : DerivedTies
        ``sources``/``targets`` as ids (str), closeness, mass, kind, directed, events.
    aggregator, report
        Counts of what was read.
    """
    params = params or IngestParams()
    on_error = check_on_error(on_error)
    cp = params.closeness
    kinds = tuple(cp.kind_weights)
    when = _as_of(as_of, source, INTERACTIONS, kinds=kinds, default_kind=cp.default_kind, **read)
    agg = InteractionAggregator([when], cp)
    report = ReadReport()
    for table in read_events(
        source,
        INTERACTIONS,
        on_error=on_error,
        kinds=kinds,
        default_kind=cp.default_kind,
        progress=progress,
        report=report,
        **read,
    ):
        agg.add(table)
    exists, ties = agg.result(0)
    all_ids = agg.index.ids()
    src, dst = all_ids[ties.sources], all_ids[ties.targets]
    swap = ~ties.directed & (dst < src)  # mutual ties: the smaller id first, as stores keep them
    named = DerivedTies(
        np.where(swap, dst, src),
        np.where(swap, src, dst),
        ties.closeness,
        ties.mass,
        ties.kinds,
        ties.directed,
        ties.events,
        ties.kind_codes,
    )
    return np.sort(all_ids[exists]), named, agg, report


# ---------------------------------------------------------------------------- writing
def _known(store: Store, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mask of the ids the store already holds, and the stored ids (ascending)."""
    stored = store.snapshot().ids
    if not len(stored):
        return np.zeros(len(ids), bool), stored
    return pd.Index(stored).get_indexer(ids) >= 0, stored


def _records(store: Store, ids: np.ndarray, stored: np.ndarray) -> dict[str, Customer]:
    """Stored records of some customers (to keep their names, segments and attributes).

    Reads only the stretches of the id-ordered customer list that hold wanted customers: the
    wanted ids' positions among the stored ids (ascending, as ``list_customers`` pages) are
    grouped where they lie at most ``_GAP`` apart, and each group is one or a few pages starting
    after the stored id before it. So a few customers cost a few small pages, most customers
    about one pass, and never more than one pass over the list. Ids a page did not return (a
    store ordering ids differently) are read one by one.
    """
    if not len(ids):
        return {}
    wanted = set(ids.tolist())
    pos = np.sort(np.searchsorted(stored, ids))
    breaks = np.flatnonzero(np.diff(pos) > _GAP) + 1
    found: dict[str, Customer] = {}
    for group in np.split(pos, breaks):
        first, last = int(group[0]), int(group[-1])
        after = str(stored[first - 1]) if first > 0 else None
        left = last - first + 1
        while left > 0:
            page = store.list_customers(limit=min(left, MAX_PAGE), after=after)
            if not page:
                break
            found.update((c.id, c) for c in page if c.id in wanted)
            left -= len(page)
            after = page[-1].id
    for cid in wanted.difference(found):
        found[cid] = store.get_customer(cid)
    return found


def _source_name(source: EventSource) -> str:
    return str(Path(source).resolve()) if isinstance(source, str | Path) else "rows"


def ingest_purchases(
    store: Store,
    source: EventSource,
    *,
    as_of: str | float | datetime | date | None = None,
    on_error: OnError = "reject",
    params: IngestParams | None = None,
    progress: Progress | None = None,
    **read: Any,
) -> IngestResult:
    """Derive own values from a purchase log and write them, all or nothing.

    Every customer with a purchase at or before ``as_of`` gets the RFM value of
    :mod:`graph_engine.ingest.rfm` (0 when no purchase is inside the window); customers not yet
    stored are created, stored ones keep their name, segment and attributes. Customers without
    purchases in the log are left alone.

    Parameters
    ----------
    store : Store
    source : path, table or rows
        Purchase log, ``customer_id,timestamp,amount``.
    as_of : date, time, ISO text or Unix seconds, optional
        Default: the log's latest purchase.
    on_error : {"reject", "skip"}
    params : IngestParams, optional
        Default: the parameters stored with the graph.
    progress : callable, optional

    Returns
    -------
    IngestResult

    Raises
    ------
    InvalidInput
        Unreadable log, missing columns, or malformed rows with ``on_error="reject"``.
    """
    params = params or load_params(store)
    ids, scores, agg, report = derive_purchases(
        source, as_of=as_of, params=params, on_error=on_error, progress=progress, **read
    )
    known, stored = _known(store, ids)
    old = _records(store, ids[known], stored)
    names = np.array([old[c].name if c in old else None for c in ids.tolist()], dtype=object)
    segments = np.array([old[c].segment if c in old else None for c in ids.tolist()], dtype=object)
    attributes = [dict(old[c].attributes) if c in old else {} for c in ids.tolist()]
    batch = CustomerBatch(
        ids=ids, values=scores.value, names=names, segments=segments, attributes=attributes
    )
    if len(batch):
        store.upsert_graph(customers=batch)
    result = IngestResult(
        kind="purchases",
        as_of=iso(agg.as_ofs[0]),
        rows=report.rows,
        malformed=report.malformed,
        used=agg.used[0],
        later=agg.later[0],
        customers_created=int((~known).sum()),
        customers_updated=int(known.sum()),
        ties=0,
        examples=report.examples,
    )
    _record(store, "purchases", source, agg.as_ofs[0], params, result)
    return result


def ingest_interactions(
    store: Store,
    source: EventSource,
    *,
    as_of: str | float | datetime | date | None = None,
    on_error: OnError = "reject",
    params: IngestParams | None = None,
    progress: Progress | None = None,
    **read: Any,
) -> IngestResult:
    """Derive ties from an interaction log and write them, all or nothing.

    Ties get the closeness of :mod:`graph_engine.ingest.closeness`; customers not yet stored
    are created with value 0. Parameters as in :func:`ingest_purchases`, for a log with
    ``source,target,timestamp[,kind,weight]``.

    Returns
    -------
    IngestResult

    Raises
    ------
    InvalidInput
        Unreadable log, missing columns, or malformed rows with ``on_error="reject"``.
    """
    params = params or load_params(store)
    ids, ties, agg, report = derive_interactions(
        source, as_of=as_of, params=params, on_error=on_error, progress=progress, **read
    )
    known, _ = _known(store, ids)
    new = ids[~known]
    customers = CustomerBatch(ids=new, values=np.zeros(len(new))) if len(new) else None
    tie_batch = TieBatch(
        sources=ties.sources,
        targets=ties.targets,
        closeness=ties.closeness,
        kinds=ties.kinds,
        directed=ties.directed,
    )
    if customers is not None or len(tie_batch):
        store.upsert_graph(customers=customers, ties=tie_batch if len(tie_batch) else None)
    result = IngestResult(
        kind="interactions",
        as_of=iso(agg.as_ofs[0]),
        rows=report.rows,
        malformed=report.malformed,
        used=agg.used[0],
        later=agg.later[0],
        customers_created=len(new),
        customers_updated=0,
        ties=len(tie_batch),
        examples=report.examples,
    )
    _record(store, "interactions", source, agg.as_ofs[0], params, result)
    return result


def _record(
    store: Store,
    kind: str,
    source: EventSource,
    as_of: float,
    params: IngestParams,
    result: IngestResult,
) -> None:
    part = params.rfm if kind == "purchases" else params.closeness
    run: Mapping[str, Any] = {
        "source": _source_name(source),
        "as_of": result.as_of,
        "as_of_unix": as_of,
        "params": part.model_dump(mode="json"),
        "rows": result.rows,
        "malformed": result.malformed,
        "used": result.used,
        "at": iso(datetime.now(tz=UTC).timestamp()),
    }
    record_run(store, kind, dict(run))
