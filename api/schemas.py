"""Wire models: what the routes accept and return (with OpenAPI examples)."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph_engine.model import MAX_VALUE, Customer, Tie
from graph_engine.settings import GraphSettings

__all__ = [
    "ContributorOut",
    "CustomerIn",
    "CustomerItem",
    "CustomerOut",
    "CustomersIn",
    "DeletedOut",
    "HealthOut",
    "KeyCreateIn",
    "KeyCreatedOut",
    "KeyOut",
    "RankedOut",
    "SettingsIn",
    "SettingsOut",
    "StickinessOut",
    "TieOut",
    "TiesIn",
    "WrittenOut",
]

_CUSTOMER_EXAMPLE = {
    "id": "c000042",
    "value": 12.5,
    "name": "Ada Berg",
    "segment": "premium",
    "attributes": {"city": "Oslo"},
}
_TIE_EXAMPLE = {
    "source": "c000042",
    "target": "c000043",
    "closeness": 0.8,
    "kind": "family",
    "directed": False,
}


def _check_json(value: Any, depth: int = 0) -> None:
    """Attributes must be plain JSON: 64-bit integers, finite floats, nesting depth <= 20."""
    if depth > 20:
        raise ValueError("attributes nest deeper than 20 levels")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        raise ValueError("attribute integers must fit in 64 bits")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("attribute numbers must be finite")
    if isinstance(value, dict):
        for v in value.values():
            _check_json(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_json(v, depth + 1)


def _attributes(value: dict[str, Any]) -> dict[str, Any]:
    _check_json(value)
    return value


class CustomerItem(Customer):
    """A customer in a bulk upsert."""

    _attrs = field_validator("attributes")(classmethod(lambda cls, v: _attributes(v)))


class CustomerIn(BaseModel):
    """A customer written by ``PUT /v1/customers/{id}`` (the id comes from the path)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{k: v for k, v in _CUSTOMER_EXAMPLE.items() if k != "id"}]},
    )

    value: float = Field(
        ge=0, le=MAX_VALUE, allow_inf_nan=False, description="Own value a_i, 0 <= a_i <= 1e12."
    )
    name: str | None = Field(default=None, max_length=1000)
    segment: str | None = Field(default=None, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict)

    _attrs = field_validator("attributes")(classmethod(lambda cls, v: _attributes(v)))


class CustomerOut(Customer):
    """A stored customer."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CUSTOMER_EXAMPLE]})


class TieOut(Tie):
    """A stored tie (an undirected tie is listed with the smaller id as source)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TIE_EXAMPLE]})


class CustomersIn(BaseModel):
    """A bulk upsert of customers (all or nothing)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"items": [_CUSTOMER_EXAMPLE, {"id": "c000043", "value": 3.0}]}]
        },
    )

    items: list[CustomerItem]


class TiesIn(BaseModel):
    """A bulk upsert of ties (all or nothing); both ends must be stored customers."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"items": [_TIE_EXAMPLE]}]}
    )

    items: list[Tie]


class WrittenOut(BaseModel):
    """How many rows a write stored."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"written": 2, "revision": 17}]})

    written: int
    revision: int = Field(description="Store revision after the write.")


class DeletedOut(BaseModel):
    """How many rows a delete removed."""

    deleted: int
    revision: int


class ContributorOut(BaseModel):
    """One neighbour's part of a customer's stickiness: ``lambda_ij * a_j``."""

    id: str
    contribution: float


class RankedOut(BaseModel):
    """A customer's scores: own a_i, network sum_j lambda_ij a_j, their sum, and the share."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c000042",
                    "own": 12.5,
                    "network": 7.5,
                    "stickiness": 20.0,
                    "network_share": 0.375,
                }
            ]
        }
    )

    id: str
    own: float
    network: float
    stickiness: float
    network_share: float


class StickinessOut(RankedOut):
    """Scores of one customer and its top contributors (largest first)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c000042",
                    "own": 12.5,
                    "network": 7.5,
                    "stickiness": 20.0,
                    "network_share": 0.375,
                    "contributors": [
                        {"id": "c000043", "contribution": 5.0},
                        {"id": "c000044", "contribution": 2.5},
                    ],
                }
            ]
        }
    )

    contributors: list[ContributorOut]


class SettingsIn(GraphSettings):
    """New graph settings: beta > 0 and kind weights >= 0 (kinds not listed weigh 1)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"beta": 0.5, "kind_weights": {"family": 2.0, "colleague": 0.5}}]
        },
    )


class SettingsOut(GraphSettings):
    """The graph settings in force."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [{"beta": 0.5, "kind_weights": {"family": 2.0}}]},
    )


class HealthOut(BaseModel):
    """Liveness and the size of the graph served."""

    status: str = Field(examples=["ok"])
    version: str
    customers: int
    revision: int


class KeyCreateIn(BaseModel):
    """A new API key's role and an optional label."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "read", "name": "marketing dashboard"}]},
    )

    role: str = Field(pattern="^(read|write|admin)$")
    name: str | None = Field(default=None, max_length=200)


class KeyOut(BaseModel):
    """A key as listed (never the key itself)."""

    key_id: str
    role: str
    created: str
    name: str | None = None


class KeyCreatedOut(KeyOut):
    """A new key: ``key`` is shown this once and never stored."""

    key: str
