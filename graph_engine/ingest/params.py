"""Parameters of the derivations, stored with the graph so scores can be reproduced.

:class:`IngestParams` holds :class:`RFMParams` (purchases -> own values) and
:class:`ClosenessParams` (interactions -> tie closeness). They live in the store's metadata as
one JSON document under ``ingest_params``; every ingest also records what it read (file, as-of
date, counts and the parameters it used) under ``ingest_runs``, so the same logs give the same
graph again and ``graph-engine history`` finds the logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph_engine.errors import InvalidInput

if TYPE_CHECKING:
    from graph_engine.stores.base import Store

__all__ = [
    "PARAMS_KEY",
    "RUNS_KEY",
    "ClosenessParams",
    "IngestParams",
    "RFMParams",
    "load_params",
    "load_runs",
    "record_run",
    "save_params",
]

PARAMS_KEY = "ingest_params"
RUNS_KEY = "ingest_runs"

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]

DEFAULT_KIND_WEIGHTS = {
    "message": 1.0,
    "call": 2.0,
    "shared_order": 3.0,
    "co_attendance": 2.0,
    "referral": 5.0,
}


class RFMParams(BaseModel):
    """How purchases give the own value ``a`` (see :mod:`graph_engine.ingest.rfm`).

    Parameters
    ----------
    window_days : float or None
        Only purchases in ``(as_of - window, as_of]`` count (days, > 0); None: all before as_of.
    half_life_days : float
        Half-life of recency and of repeat purchases (days, > 0).
    weight_recency, weight_frequency, weight_monetary : float
        Weights of R, F and M (>= 0, not all 0). Frequency weighs most by default: repeat
        purchasing is what makes a customer worth holding.
    frequency_scale : float
        Decayed repeat purchases at which F reaches 1 - 1/e (> 0).
    monetary_scale : float
        Spend in the window (currency units) at which ln(1 + spend/scale) = 1 (> 0).
    value_scale : float
        Own value of a customer with R = F = M = 1 (> 0).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_days: Positive | None = 365.0
    half_life_days: Positive = 90.0
    weight_recency: NonNegative = 1.0
    weight_frequency: NonNegative = 2.0
    weight_monetary: NonNegative = 1.0
    frequency_scale: Positive = 2.0
    monetary_scale: Positive = 100.0
    value_scale: Positive = 100.0

    @model_validator(mode="after")
    def _some_weight(self) -> RFMParams:
        if self.weight_recency + self.weight_frequency + self.weight_monetary <= 0:
            raise ValueError("at least one of the R, F, M weights must be > 0")
        return self


class ClosenessParams(BaseModel):
    """How interactions give tie closeness (see :mod:`graph_engine.ingest.closeness`).

    Parameters
    ----------
    window_days : float or None
        Only interactions in ``(as_of - window, as_of]`` count (days, > 0); None: all.
    half_life_days : float
        Age at which an interaction counts half (days, > 0).
    k : float
        Saturation rate: ``c = 1 - exp(-k * E)`` with ``E`` the decayed weighted events (> 0).
    kind_weights : dict[str, float]
        Weight of each interaction kind (>= 0); kinds not listed are malformed rows.
    mutual_kinds : list of str
        Kinds that are mutual by nature (a shared order, attending together): one such event
        makes the tie undirected.
    reverse_kinds : list of str
        One-way kinds whose *target* is held by the source (a referral: the referred customer
        is held by the referrer). For every other one-way kind the source is held.
    default_kind : str
        Kind of an event with no kind.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_days: Positive | None = 365.0
    half_life_days: Positive = 30.0
    k: Positive = 0.2
    kind_weights: dict[str, NonNegative] = Field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    mutual_kinds: tuple[str, ...] = ("shared_order", "co_attendance")
    reverse_kinds: tuple[str, ...] = ("referral",)
    default_kind: str = "message"

    @model_validator(mode="after")
    def _kinds_known(self) -> ClosenessParams:
        if not self.kind_weights:
            raise ValueError("kind_weights must name at least one kind")
        for kind in self.kind_weights:
            if not kind.strip() or len(kind) > 100:
                raise ValueError("kind names must be non-empty, at most 100 characters")
        for name in ("mutual_kinds", "reverse_kinds"):
            unknown = [k for k in getattr(self, name) if k not in self.kind_weights]
            if unknown:
                raise ValueError(f"{name} names kinds without a weight: {unknown}")
        if set(self.mutual_kinds) & set(self.reverse_kinds):
            raise ValueError("a kind cannot be both mutual and reversed")
        if self.default_kind not in self.kind_weights:
            raise ValueError(f"default_kind {self.default_kind!r} has no weight")
        return self


class IngestParams(BaseModel):
    """Both derivations' parameters, as stored with the graph."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rfm: RFMParams = Field(default_factory=RFMParams)
    closeness: ClosenessParams = Field(default_factory=ClosenessParams)

    def replace(
        self, rfm: dict[str, Any] | None = None, closeness: dict[str, Any] | None = None
    ) -> IngestParams:
        """A copy with some fields changed, validated; raises InvalidInput."""
        data = self.model_dump()
        data["rfm"].update(rfm or {})
        data["closeness"].update(closeness or {})
        try:
            return IngestParams.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(
                f"invalid ingest parameters: {_errors(exc)}",
                details={"errors": exc.errors(include_url=False, include_context=False)},
            ) from None


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def load_params(store: Store) -> IngestParams:
    """The stored parameters (defaults when never set)."""
    raw = store.get_meta(PARAMS_KEY)
    return IngestParams() if raw is None else IngestParams.model_validate_json(raw)


def save_params(store: Store, params: IngestParams) -> IngestParams:
    """Store the parameters with the graph."""
    store.put_meta(PARAMS_KEY, params.model_dump_json())
    return params


def load_runs(store: Store) -> dict[str, Any]:
    """What the last ingests read: ``{"purchases": {...}, "interactions": {...}}``."""
    raw = store.get_meta(RUNS_KEY)
    return {} if raw is None else dict(orjson.loads(raw))


def record_run(store: Store, kind: str, run: dict[str, Any]) -> None:
    """Remember one ingest (source, as-of, counts, parameters used)."""
    runs = load_runs(store)
    runs[kind] = run
    store.put_meta(RUNS_KEY, orjson.dumps(runs).decode())
