"""Graph settings: the product factor ``beta`` and per-kind tie weights.

The tie weight is ``lambda_ij = beta * w_kind(ij) * c_ij`` (DESIGN.md).
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph_engine.errors import InvalidInput

__all__ = ["DEFAULT_KIND", "GraphSettings"]

DEFAULT_KIND = "friend"

# bounded so that lambda = beta * w * c and the scores built from it stay finite
MAX_WEIGHT = 1e6
PositiveFinite = Annotated[float, Field(gt=0, le=MAX_WEIGHT, allow_inf_nan=False)]
NonNegativeFinite = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]


class GraphSettings(BaseModel):
    """Typed, immutable graph settings.

    Parameters
    ----------
    beta : float
        Product factor, in (0, 1e6] (dimensionless). High for a messenger, low for a detergent.
    kind_weights : dict[str, float]
        Weight ``w_kind`` of each tie kind, in [0, 1e6]; kinds not listed weigh 1.

    Examples
    --------
    >>> s = GraphSettings(beta=0.5, kind_weights={"family": 2.0})
    >>> s.weight("family"), s.weight("friend")
    (2.0, 1.0)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    beta: PositiveFinite = 1.0
    kind_weights: dict[str, NonNegativeFinite] = Field(default_factory=dict)

    @field_validator("kind_weights")
    @classmethod
    def _kinds_named(cls, value: dict[str, float]) -> dict[str, float]:
        for kind in value:
            if not kind.strip():
                raise ValueError("kind names must be non-empty")
        return value

    def weight(self, kind: str) -> float:
        """Weight of a tie kind (1.0 when the kind has no weight of its own)."""
        return float(self.kind_weights.get(kind, 1.0))

    def lam(self, kind: str, closeness: float) -> float:
        """Tie weight ``lambda = beta * w_kind * closeness`` of one tie."""
        result = self.beta * self.weight(kind) * closeness
        assert math.isfinite(result)
        return result

    def replace(self, **changes: object) -> GraphSettings:
        """A copy with some fields changed (validated)."""
        data = self.model_dump()
        data.update(changes)
        try:
            return GraphSettings.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise InvalidInput(
                f"invalid graph settings: {problems}",
                details={"errors": exc.errors(include_url=False, include_context=False)},
            ) from None
